import { type TokenVerifier } from '@flow-crm/auth';
import { mapError } from '@flow-crm/http';
import { type FastifyInstance } from 'fastify';
import { requestPath } from '../proxy/request-path';
import { type RoutingTable } from '../routing/routing-table';
import { RateLimitedError, type RateLimits } from './rate-limits';

export interface AdmissionDependencies {
  readonly routing: RoutingTable;
  readonly verifier: TokenVerifier;
  readonly limits: RateLimits;
}

/**
 * Spends the budgets of every request under /api before any route sees it, whichever answers it:
 * a proxied service, the gateway's own routes (search, dashboard, docs) or none (404). The client
 * IP pays for every request, bad tokens included; a caller with a valid token pays from its user
 * budget too. Refusing a missing or bad token stays with the route (the proxy, or the guard of a
 * Nest route), which knows whether it is public; verified tokens are remembered, so checking
 * twice costs a lookup.
 */
export function admitRequests(fastify: FastifyInstance, deps: AdmissionDependencies): void {
  const { routing, verifier, limits } = deps;
  fastify.addHook('onRequest', async (request, reply) => {
    // A CORS preflight is the browser asking, not the client calling.
    if (request.method === 'OPTIONS') return;
    const path = requestPath(request.url);
    if (path !== '/api' && !path.startsWith('/api/')) return;
    try {
      await limits.admitIp(request.ip);
      if (routing.isPublic(request.method, path)) return;
      const principal = await verifier.verify(request.headers.authorization).catch(() => undefined);
      if (principal) await limits.admitUser(principal.userId);
    } catch (error) {
      const { status, body, unexpected } = mapError(error);
      if (unexpected) request.log.error({ err: error }, 'admission failure');
      if (error instanceof RateLimitedError)
        void reply.header('retry-after', String(error.retryAfterSeconds));
      // Refused before the body was read: the rest of it would hold up the connection's next request.
      if (!request.raw.complete) void reply.header('connection', 'close');
      return reply.status(status).send(body);
    }
  });
}
