import { type IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { limitedBody, PayloadTooLargeError, readBody } from './body-limit';

/** An incoming request body with these headers, fed by the test. */
function incoming(headers: Record<string, string> = {}): PassThrough & IncomingMessage {
  return Object.assign(new PassThrough(), { headers }) as unknown as PassThrough & IncomingMessage;
}

/** Everything `body` yields, and how it ended. */
async function drain(body: Readable): Promise<{ bytes: number; chunks: Buffer[]; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks).length, chunks };
  } catch (error) {
    return { bytes: Buffer.concat(chunks).length, chunks, error };
  }
}

describe('limitedBody', () => {
  it('passes a body under the limit through unchanged, chunk by chunk', async () => {
    const payload = incoming();
    const body = limitedBody(payload, 10);
    payload.write('abc');
    payload.end('defg');
    const { chunks, error } = await drain(body);
    expect(error).toBeUndefined();
    expect(Buffer.concat(chunks).toString()).toBe('abcdefg');
  });

  it('accepts a body of exactly the limit', async () => {
    const payload = incoming({ 'content-length': '10' });
    const body = limitedBody(payload, 10);
    payload.end(Buffer.alloc(10, 1));
    const result = await drain(body);
    expect(result.error).toBeUndefined();
    expect(result.bytes).toBe(10);
  });

  it('refuses a declared Content-Length over the limit at once, before reading anything', () => {
    const payload = incoming({ 'content-length': '11' });
    let thrown: unknown;
    try {
      limitedBody(payload, 10);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PayloadTooLargeError);
    expect(thrown).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect((thrown as Error).message).toContain('10 bytes');
    expect(payload.readableFlowing).toBeNull();
  });

  it('cuts off a body without a declared length as soon as it passes the limit', async () => {
    const payload = incoming({ 'transfer-encoding': 'chunked' });
    const body = limitedBody(payload, 10);
    const drained = drain(body);
    payload.write(Buffer.alloc(6));
    payload.write(Buffer.alloc(6));
    const { bytes, error } = await drained;
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(bytes).toBeLessThanOrEqual(10);
    payload.destroy();
  });

  it('fails the body when the client’s request fails (a client that went away)', async () => {
    const payload = incoming();
    const body = limitedBody(payload, 100);
    const drained = drain(body);
    payload.write('partial');
    payload.destroy(new Error('aborted'));
    const { error } = await drained;
    expect(error).toEqual(new Error('aborted'));
  });
});

describe('readBody', () => {
  it('reads a body whole', async () => {
    const payload = incoming();
    const read = readBody(limitedBody(payload, 100));
    payload.write('{"email":');
    payload.end('"a@b.c"}');
    expect((await read).toString()).toBe('{"email":"a@b.c"}');
  });

  it('fails on a body over the limit instead of buffering it', async () => {
    const payload = incoming();
    const read = readBody(limitedBody(payload, 4));
    payload.end('12345');
    await expect(read).rejects.toBeInstanceOf(PayloadTooLargeError);
  });
});
