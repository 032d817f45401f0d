// Fakes of the services the gateway talks to, on plain node:http: upstreams that record what
// reaches them. The token issuer standing in for identity is FakeIssuer of @flow-crm/testing.
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

/** JSON whose shape a test asserts as it reads it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One request as a fake upstream received it. */
export interface Arrival {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Bytes of body received so far. */
  bytes: number;
  readonly chunks: Buffer[];
  /** Resolves true once the whole body has arrived, false if the request was cut off. */
  readonly complete: Promise<boolean>;
}

export type FakeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  arrival: Arrival,
) => void | Promise<void>;

/** Answers the readiness probe, has no OpenAPI document, and echoes any other request as `{data}`. */
export const echo: FakeHandler = async (req, res, arrival) => {
  if (req.url === '/health/ready') return sendJson(res, 200, { status: 'ok' });
  if (req.url === '/docs-json') return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'none' } });
  const complete = await arrival.complete;
  if (!complete) return;
  sendJson(res, 200, { data: { method: req.method, url: req.url, bytes: arrival.bytes } });
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * A plain node:http server standing in for a service: records every request (headers and body)
 * and answers with `handler`. `close()` also drops the connections the gateway keeps alive.
 */
export class FakeUpstream {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly arrivals: Arrival[],
  ) {}

  static async start(handler: FakeHandler = echo, port = 0): Promise<FakeUpstream> {
    const arrivals: Arrival[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      const arrival: Arrival = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bytes: 0,
        chunks,
        complete: new Promise<boolean>((resolve) => {
          req.on('end', () => resolve(true));
          req.on('close', () => resolve(req.complete));
          req.on('error', () => resolve(false));
        }),
      };
      req.on('data', (chunk: Buffer) => {
        arrival.bytes += chunk.length;
        chunks.push(chunk);
      });
      arrivals.push(arrival);
      Promise.resolve(handler(req, res, arrival)).catch(() => res.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address() as { port: number };
    return new FakeUpstream(server, `http://127.0.0.1:${address.port}`, arrivals);
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** The requests that were not readiness probes or OpenAPI fetches. */
  get requests(): Arrival[] {
    return this.arrivals.filter((a) => a.url !== '/health/ready' && a.url !== '/docs-json');
  }

  /** Connections currently open to this server. */
  async connections(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
