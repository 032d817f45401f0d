import { type TokenVerifier } from '@flow-crm/auth';
import { BadRequestError, mapError, NotFoundError } from '@flow-crm/http';
import replyFrom from '@fastify/reply-from';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { type Readable } from 'node:stream';
import { type GatewayConfig } from '../config';
import { type GatewayMetrics } from '../gateway-metrics';
import { RateLimitedError, type RateLimits } from '../limits/rate-limits';
import { type RoutingTable, type ServiceRoute } from '../routing/routing-table';
import { limitedBody, PayloadTooLargeError, readBody } from './body-limit';
import { requestPath } from './request-path';
import { type Upstream, UpstreamError, type UpstreamPool } from './upstream-pool';

export interface ProxyDependencies {
  readonly config: GatewayConfig;
  readonly routing: RoutingTable;
  readonly upstreams: UpstreamPool;
  readonly verifier: TokenVerifier;
  readonly limits: RateLimits;
  readonly metrics: GatewayMetrics;
}

/** OPTIONS is not proxied: CORS preflights are answered by the gateway itself. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const READS = new Set(['GET', 'HEAD']);
/** Connection failures after which an idempotent read is worth another try. */
const RETRIABLE = new Set(['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Forwards every routed prefix to its service: token check (unless the route is public), body limit, then the request as it is — method, path, query, headers (Authorization
 * included, so that services verify again) and a streamed body — to an instance of the service
 * through its circuit breaker, with a timeout; the answer is streamed back as it arrives.
 */
export async function proxyPlugin(fastify: FastifyInstance, deps: ProxyDependencies): Promise<void> {
  const { config, routing, upstreams, verifier, limits, metrics } = deps;

  await fastify.register(replyFrom, {
    disableRequestLogging: true,
    destroyAgent: true, // close the upstream connections with the gateway
    undici: { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 },
  });

  // Bodies pass through untouched (never parsed, never buffered), within the route's size limit.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage, done) => {
    try {
      done(null, limitedBody(payload, bodyLimitOf(request)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  const bodyLimitOf = (request: FastifyRequest) =>
    routing.isLargeBody(request.method, requestPath(request.url))
      ? config.LARGE_BODY_LIMIT_BYTES
      : config.BODY_LIMIT_BYTES;

  fastify.setErrorHandler((error, request, reply) => {
    // Answered before the body was read (401, 413, 429, …): the rest of it would hold up the
    // connection's next request, so this connection ends with the answer.
    if (!request.raw.complete) void reply.header('connection', 'close');
    if (error instanceof UpstreamError) {
      const status = error.kind === 'timeout' ? 504 : 503;
      return reply.status(status).send({
        error: {
          code: status === 504 ? 'UPSTREAM_TIMEOUT' : 'SERVICE_UNAVAILABLE',
          message: error.message,
        },
      });
    }
    if (error instanceof RateLimitedError) void reply.header('retry-after', String(error.retryAfterSeconds));
    const { status, body, unexpected } = mapError(error);
    if (unexpected) request.log.error({ err: error }, 'gateway failure');
    return reply.status(status).send(body);
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const path = requestPath(request.url);
    const route = routing.resolve(path);
    if (!route) throw new NotFoundError('Route');
    // Budgets were spent on arrival (admitRequests); a missing or bad token is refused here.
    if (!routing.isPublic(request.method, path)) await verifier.verify(request.headers.authorization);
    if (routing.isLogin(request.method, path)) await forwardLogin(request, reply, route);
    else await forward(request, reply, route);
    return reply;
  };

  /** A login attempt spends one of the e-mail's failures up front, and gets it back unless it failed. */
  const forwardLogin = async (request: FastifyRequest, reply: FastifyReply, route: ServiceRoute) => {
    const body = request.body ? await readBody(request.body as Readable) : Buffer.alloc(0);
    const email = emailIn(body);
    if (!email) return void (await forward(request, reply, route, body));
    await limits.startLogin(email, request.ip);
    let status: number | undefined;
    try {
      status = await forward(request, reply, route, body);
    } finally {
      if (status !== 401) await limits.loginSucceededOrNotTried(email, request.ip);
    }
  };

  /** Resolves with the upstream's status once its answer is on its way to the client. */
  const forward = (
    request: FastifyRequest,
    reply: FastifyReply,
    route: ServiceRoute,
    body?: Buffer,
  ): Promise<number> => upstreams.call(route, (upstream) => send(request, reply, upstream, body));

  const send = (request: FastifyRequest, reply: FastifyReply, upstream: Upstream, body?: Buffer) =>
    new Promise<number>((resolve, reject) => {
      // A client gone before the answer leaves reply-from silent: settle anyway, without blaming the upstream.
      // 'close' follows every answer too; an error (and its stack) is made only when one is missing.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) reject(new ClientGoneError());
      });
      const started = process.hrtime.bigint();
      const observe = (status: string) =>
        metrics.upstreamDuration.observe(
          { service: upstream.service, status },
          Number(process.hrtime.bigint() - started) / 1e9,
        );
      try {
        forwardWith(reply, `${upstream.url}${request.url}`, {
          timeout: config.UPSTREAM_TIMEOUT_MS,
          ...(body ? { body, contentType: request.headers['content-type'] ?? 'application/json' } : {}),
          retriesCount: READS.has(request.method) ? config.UPSTREAM_READ_RETRIES : 0,
          retryDelay: ({ err, req, attempt }) =>
            READS.has(req.method) &&
            err &&
            RETRIABLE.has((err as { code?: string }).code ?? '') &&
            attempt < config.UPSTREAM_READ_RETRIES
              ? Math.round(25 * 2 ** attempt * (0.5 + Math.random()))
              : null,
          rewriteRequestHeaders: (_req, headers) => forwardedHeaders(headers, request),
          onResponse: (_req, rep, response) => {
            observe(String(response.statusCode));
            void rep.send(response.stream);
            resolve(response.statusCode);
          },
          onError: (_rep, { error }) => {
            const tooLarge = findCause(error, PayloadTooLargeError);
            if (tooLarge) return reject(tooLarge);
            const timeout = (error as { statusCode?: number }).statusCode === 504;
            observe(timeout ? 'timeout' : 'unavailable');
            reject(new UpstreamError(upstream.service, timeout ? 'timeout' : 'unavailable', error));
          },
        });
      } catch {
        // reply-from could not even build the upstream request (a malformed query string, say)
        reject(new BadRequestError('The request URL is not valid'));
      }
    });

  for (const route of routing.services) {
    for (const prefix of route.prefixes) {
      fastify.route({ method: [...METHODS], url: prefix, handler: handle });
      fastify.route({ method: [...METHODS], url: `${prefix}/*`, handler: handle });
    }
  }
}

/** The client closed its connection before the answer: nobody to answer, and not the upstream's fault. */
class ClientGoneError extends Error {}

function forwardWith(reply: FastifyReply, url: string, options: Parameters<FastifyReply['from']>[1]): void {
  void reply.from(url, options);
}

/** The caller's headers plus the request id and the proxy chain (X-Forwarded-*). */
function forwardedHeaders(headers: IncomingHttpHeaders, request: FastifyRequest): IncomingHttpHeaders {
  const previous = headers['x-forwarded-for'];
  const chain = [previous, request.socket.remoteAddress].filter(Boolean).join(', ');
  return {
    ...headers,
    'x-request-id': request.id,
    'x-forwarded-for': chain,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.headers.host,
  };
}

function emailIn(body: Buffer): string | undefined {
  try {
    const email = (JSON.parse(body.toString('utf8')) as { email?: unknown }).email;
    return typeof email === 'string' && email.length <= 320 ? email : undefined;
  } catch {
    return undefined;
  }
}

function findCause<T>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if (current instanceof type) return current;
  }
  return undefined;
}
