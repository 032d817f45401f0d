import { launchApp, type LaunchedApp, TcpProxy, TestRun } from '@flow-crm/testing';
import { type Channel, type ChannelModel, connect, type ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';

/**
 * The built identity app as its own process, with its database and broker behind TCP proxies
 * that the tests cut and restore: what an operator sees during an outage.
 */
describe('identity process through database and broker outages', () => {
  let run: TestRun;
  let broker: TcpProxy;
  let database: TcpProxy;
  let identity: LaunchedApp;
  let connection: ChannelModel;
  let channel: Channel;
  const received: ConsumeMessage[] = [];

  beforeAll(async () => {
    run = await TestRun.create();
    run.trackService('identity');
    const rabbit = new URL(run.infra.rabbitmqUrl);
    const postgres = new URL(run.infra.postgresUrl);
    broker = await TcpProxy.start({ host: rabbit.hostname, port: Number(rabbit.port || 5672) });
    database = await TcpProxy.start({ host: postgres.hostname, port: Number(postgres.port || 5432) });

    // A queue of the test's own on the real broker, bound before identity publishes anything.
    connection = await connect(run.infra.rabbitmqUrl);
    channel = await connection.createChannel();
    const exchange = `${run.prefix}crm.events`;
    const capture = `${run.prefix}capture`;
    run.track({ queues: [capture] });
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(capture, { durable: false });
    await channel.bindQueue(capture, exchange, 'identity.#');
    await channel.consume(capture, (message) => message && received.push(message), { noAck: true });

    identity = await launchApp({
      app: 'identity',
      env: {
        DATABASE_URL: database.rewrite(run.infra.postgresUrl),
        DATABASE_NAME: run.database('identity'),
        RABBITMQ_URL: broker.rewrite(run.infra.rabbitmqUrl),
        BUS_PREFIX: run.prefix,
        OUTBOX_POLL_MS: '200',
        LOG_LEVEL: 'error',
        ARGON2_MEMORY_KIB: '8192',
      },
    });
  });

  afterAll(async () => {
    await identity?.stop();
    await channel?.close();
    await connection?.close();
    await broker?.stop();
    await database?.stop();
    await run?.cleanup();
  });

  const register = (email: string) =>
    fetch(`${identity.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'Outage-Pw9', name: 'Outage', organizationName: 'Outage Org' }),
    });
  const login = (email: string) =>
    fetch(`${identity.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'Outage-Pw9' }),
    });
  const readiness = async () => (await fetch(`${identity.url}/health/ready`)).status;
  const uniqueEmail = () => `outage.${randomBytes(6).toString('hex')}@example.com`;

  async function eventually<T>(
    probe: () => Promise<T> | T,
    accept: (value: T) => boolean,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (accept(value)) return value;
      if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('registers users while the broker is down and publishes their events once it is back', async () => {
    await broker.cut();
    await eventually(readiness, (status) => status === 503);

    const email = uniqueEmail();
    const res = await register(email);
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { organization: { id: string } } };

    await new Promise((r) => setTimeout(r, 500));
    const forOrganization = () =>
      received.filter((m) => JSON.parse(m.content.toString()).organizationId === data.organization.id);
    expect(forOrganization()).toHaveLength(0);

    await broker.restore();
    const events = await eventually(forOrganization, (found) => found.length >= 2);
    expect(events.map((m) => m.properties.type).sort()).toEqual([
      'identity.organization.created',
      'identity.user.created',
    ]);
    expect(events.every((m) => m.properties.deliveryMode === 2)).toBe(true);
    await eventually(readiness, (status) => status === 200);
  });

  it('answers 503 SERVICE_UNAVAILABLE while its database is unreachable, then recovers by itself', async () => {
    const email = uniqueEmail();
    expect((await register(email)).status).toBe(201);

    await database.cut();
    const refused = await login(email);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) },
    });
    await eventually(readiness, (status) => status === 503);

    await database.restore();
    await eventually(
      async () => (await login(email)).status,
      (status) => status === 200,
    );
    await eventually(readiness, (status) => status === 200);
  });

  it('finishes the requests in flight when asked to stop, then exits cleanly', async () => {
    const pending = register(uniqueEmail());
    await new Promise((r) => setTimeout(r, 20));
    const exit = new Promise<string>((resolve) =>
      identity.process.once('exit', (code, signal) => resolve(`${code ?? signal}`)),
    );
    identity.process.kill('SIGTERM');
    expect((await pending).status).toBe(201);
    // Nest closes everything, then re-raises the signal: a clean exit reads as SIGTERM (or 0).
    expect(['0', 'SIGTERM']).toContain(await exit);
  });
});
