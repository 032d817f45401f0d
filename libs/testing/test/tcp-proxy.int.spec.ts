import { once } from 'node:events';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { TcpProxy } from '../src';

/** A TCP echo server on a free local port that can close its connections at the end. */
async function startEchoServer(): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `data` and resolves with the same number of bytes read back. */
function roundTrip(socket: Socket, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= data.length) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed after ${length} of ${data.length} bytes`)));
    socket.write(data);
  });
}

describe('TcpProxy', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let proxy: TcpProxy;
  const clients: Socket[] = [];

  beforeEach(async () => {
    echo = await startEchoServer();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: echo.port });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await proxy.stop();
    await echo.close();
  });

  const client = async () => {
    const socket = await open(proxy.localPort);
    clients.push(socket);
    return socket;
  };

  it('listens on a port of its own', () => {
    expect(proxy.localPort).toBeGreaterThan(0);
    expect(proxy.localPort).not.toBe(echo.port);
  });

  it('forwards bytes both ways', async () => {
    const socket = await client();
    expect((await roundTrip(socket, Buffer.from('hello'))).toString()).toBe('hello');
    expect((await roundTrip(socket, Buffer.from('again'))).toString()).toBe('again');
  });

  it('forwards a large payload intact', async () => {
    const payload = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 1) payload[i] = (i * 31) % 251;
    const echoed = await roundTrip(await client(), payload);
    expect(echoed.equals(payload)).toBe(true);
  });

  it('opens one upstream connection per client', async () => {
    const [a, b] = [await client(), await client()];
    expect((await roundTrip(a, Buffer.from('from a'))).toString()).toBe('from a');
    expect((await roundTrip(b, Buffer.from('from b'))).toString()).toBe('from b');
    expect(echo.connections()).toBe(2);
  });

  it('drops live connections on cut()', async () => {
    const socket = await client();
    await roundTrip(socket, Buffer.from('ping'));
    const closed = once(socket, 'close');
    await proxy.cut();
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('refuses new connections while cut', async () => {
    await proxy.cut();
    await expect(open(proxy.localPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('accepts and forwards again on the same port after restore()', async () => {
    const port = proxy.localPort;
    await proxy.cut();
    await proxy.restore();
    expect(proxy.localPort).toBe(port);
    expect((await roundTrip(await client(), Buffer.from('back'))).toString()).toBe('back');
  });

  it('survives several outages in a row', async () => {
    for (const round of [1, 2, 3]) {
      const socket = await client();
      expect((await roundTrip(socket, Buffer.from(`round ${round}`))).toString()).toBe(`round ${round}`);
      await proxy.cut();
      await proxy.cut();
      await expect(open(proxy.localPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await proxy.restore();
    }
  });

  it('treats restore() on a proxy that is up as a no-op', async () => {
    const socket = await client();
    await proxy.restore();
    expect((await roundTrip(socket, Buffer.from('still here'))).toString()).toBe('still here');
  });

  it('can be restored once its port is free again after a restore() that failed', async () => {
    const port = proxy.localPort;
    await proxy.cut();
    const squatter = createServer();
    squatter.listen(port, '127.0.0.1');
    await once(squatter, 'listening');
    await expect(proxy.restore()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await new Promise<void>((resolve) => squatter.close(() => resolve()));

    await proxy.restore();
    expect((await roundTrip(await client(), Buffer.from('recovered'))).toString()).toBe('recovered');
  });

  it('closes the client when the target refuses the connection', async () => {
    await echo.close();
    const socket = await client();
    await once(socket, 'close');
    expect(socket.destroyed).toBe(true);
  });

  it('rewrites a URL to go through the proxy', () => {
    expect(proxy.rewrite('amqp://guest:guest@rabbit.internal:5672')).toBe(
      `amqp://guest:guest@127.0.0.1:${proxy.localPort}`,
    );
    expect(proxy.rewrite('postgres://postgres@db:5432/crm')).toBe(
      `postgres://postgres@127.0.0.1:${proxy.localPort}/crm`,
    );
  });
});
