import { AppError } from '@flow-crm/http';
import { type IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, `The request body is larger than ${limit} bytes`);
  }
}

/**
 * The request body as a stream that is never buffered here: refused at once when its declared
 * length is over the limit, and cut off (413) as soon as a body without a declared length
 * passes it.
 */
export function limitedBody(payload: IncomingMessage, limit: number): Readable {
  const declared = Number(payload.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError(limit);
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limit ? new PayloadTooLargeError(limit) : null, chunk);
    },
  });
  payload.on('error', (error) => counter.destroy(error));
  return payload.pipe(counter);
}

/** Reads a small body whole (the login route needs the e-mail in it), within the limit. */
export async function readBody(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
