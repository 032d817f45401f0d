import { decodeJwt, FakeIssuer, freePort, TcpProxy, TestRun } from '@flow-crm/testing';
import Redis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { RateLimits } from '../src/limits/rate-limits';
import { FakeUpstream } from './fakes';
import {
  type Answer,
  eventually,
  expectError,
  expectOk,
  metricSample,
  type RunningGateway,
  sleep,
  startGateway,
} from './harness';

/**
 * Disconnects the gateway's Redis client for good. RateLimits.close() does not when Redis is
 * unreachable (its client goes on reconnecting): this keeps such a client from outliving a test.
 */
function stopRedisClient(gateway: RunningGateway): void {
  const client = (gateway.app.get(RateLimits) as unknown as { redis?: Redis }).redis;
  if (client && client.status !== 'end') client.disconnect();
}

/** A new client address in a range of this run's own, so that budgets never mix between runs. */
const [runA, runB] = randomBytes(2);
let clients = 0;
const clientIp = () => `10.${runA}.${runB}.${(clients += 1)}`;

/**
 * Budgets per client IP and per user (429 RATE_LIMIT_EXCEEDED with Retry-After), in memory or
 * shared between gateway instances through Redis, and what happens when Redis goes away.
 */
describe('gateway rate limits', () => {
  let issuer: FakeIssuer;
  let upstream: FakeUpstream;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    issuer = await FakeIssuer.start();
    upstream = await FakeUpstream.start();
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await upstream?.close();
    await issuer?.close();
  });

  /** A gateway with these limits, in front of the fake upstream (as ai, unless told otherwise). */
  async function gatewayWith(
    config: Record<string, string>,
    services: readonly string[] = ['ai'],
  ): Promise<RunningGateway> {
    const gateway = await startGateway({
      upstreams: Object.fromEntries(services.map((service) => [service, upstream.url])),
      config: { JWKS_URL: issuer.jwksUrl, ...config },
    });
    gateways.push(gateway);
    return gateway;
  }

  /** Asserts a 429 whose Retry-After is a whole number of seconds within the window. */
  function expectLimited(res: Answer, windowSeconds: number): void {
    expectError(res, 429);
    const retryAfter = res.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(windowSeconds);
  }

  describe('in memory', () => {
    it('refuses a user over its budget with 429 and Retry-After, while another user goes on', async () => {
      const gateway = await gatewayWith({ RATE_LIMIT_PER_USER: '3', RATE_LIMIT_WINDOW_SECONDS: '30' });
      const ann = issuer.token();
      const bob = issuer.token();
      for (let i = 0; i < 3; i += 1) expectOk(await gateway.http.get(`/api/ai/ann/${i}`, { token: ann }));
      const before = upstream.requests.length;
      expectLimited(await gateway.http.get('/api/ai/ann/3', { token: ann }), 30);
      expect(upstream.requests.length).toBe(before);
      expectOk(await gateway.http.get('/api/ai/bob', { token: bob }));
      // The budget is the user's, not the token's: a new token of the same user is refused too.
      const { sub } = decodeJwt(ann).payload;
      expectLimited(await gateway.http.get('/api/ai/ann/4', { token: issuer.token({ sub }) }), 30);
      expect(metricSample(await gateway.metrics(), 'gateway_rate_limited_total', { limit: 'user' })).toBe(2);
    });

    it('at the edge, counts a client by its address whatever X-Forwarded-For it sends', async () => {
      const gateway = await gatewayWith({ RATE_LIMIT_PER_IP: '3', TRUST_PROXY: 'false' });
      for (let i = 0; i < 3; i += 1) {
        expectOk(
          await gateway.http.get('/api/ai/x', {
            token: issuer.token(),
            headers: { 'x-forwarded-for': clientIp() },
          }),
        );
      }
      const refused = await gateway.http.get('/api/ai/x', {
        token: issuer.token(),
        headers: { 'x-forwarded-for': clientIp() },
      });
      expectLimited(refused, 60);
      // Public routes draw on the same budget.
      expectLimited(
        await gateway.http.post('/api/auth/login', { email: 'a@example.com', password: 'x' }),
        60,
      );
      expect(metricSample(await gateway.metrics(), 'gateway_rate_limited_total', { limit: 'ip' })).toBe(2);
    });

    it('behind a trusted proxy, gives each client of X-Forwarded-For its own budget', async () => {
      const gateway = await gatewayWith({ RATE_LIMIT_PER_IP: '2', TRUST_PROXY: 'true' });
      const [first, second] = [clientIp(), clientIp()];
      for (let i = 0; i < 2; i += 1) {
        expectOk(
          await gateway.http.get('/api/ai/x', {
            token: issuer.token(),
            headers: { 'x-forwarded-for': first },
          }),
        );
      }
      expectLimited(
        await gateway.http.get('/api/ai/x', { token: issuer.token(), headers: { 'x-forwarded-for': first } }),
        60,
      );
      expectOk(
        await gateway.http.get('/api/ai/x', {
          token: issuer.token(),
          headers: { 'x-forwarded-for': second },
        }),
      );
      expect(upstream.requests.at(-1)!.headers['x-forwarded-for']).toBe(`${second}, 127.0.0.1`);
    });

    it('counts requests without a valid token against the client’s IP budget too', async () => {
      const gateway = await gatewayWith({ RATE_LIMIT_PER_IP: '3', TRUST_PROXY: 'true' });
      const client = { 'x-forwarded-for': clientIp() };
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        statuses.push(
          (await gateway.http.get('/api/ai/x', { headers: client, token: 'not.a.token' })).status,
        );
      }
      // A client that floods the gateway with bad tokens is refused like any other once over budget.
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    });
    it('charges the gateway’s own routes (search, dashboard) to the user’s budget like proxied ones', async () => {
      const gateway = await gatewayWith({ RATE_LIMIT_PER_USER: '3' }, ['contacts', 'pipeline']);
      const { sub } = decodeJwt(issuer.token()).payload;
      const as = { token: issuer.token({ sub }) };
      expectOk(await gateway.http.get('/api/search?q=ann', as));
      expectOk(await gateway.http.get('/api/dashboard/summary', as));
      expectOk(await gateway.http.get('/api/contacts', as));
      const before = upstream.requests.length;
      expectLimited(await gateway.http.get('/api/search?q=ann', as), 60);
      expectLimited(await gateway.http.get('/api/dashboard/summary', as), 60);
      expect(upstream.requests.length).toBe(before);
      expect(metricSample(await gateway.metrics(), 'gateway_rate_limited_total', { limit: 'user' })).toBe(2);
    });

    it('charges every request under /api to the client’s IP: unknown routes, docs and bad tokens on gateway routes', async () => {
      const gateway = await gatewayWith({ RATE_LIMIT_PER_IP: '3', TRUST_PROXY: 'true' }, [
        'contacts',
        'pipeline',
      ]);
      const client = { 'x-forwarded-for': clientIp() };
      const statuses = [
        (await gateway.http.get('/api/nowhere', { headers: client })).status,
        (await gateway.http.get('/api/search?q=ann', { headers: client, token: 'not.a.token' })).status,
        (await gateway.http.get('/api/docs', { headers: client })).status,
        (await gateway.http.get('/api/search?q=ann', { headers: client, token: issuer.token() })).status,
        (await gateway.http.get('/api/nowhere', { headers: client })).status,
      ];
      expect(statuses).toEqual([404, 401, 200, 429, 429]);
      // Probes and metrics live outside /api: an orchestrator's checks never use up a client's budget.
      for (let i = 0; i < 5; i += 1) {
        expect((await fetch(`${gateway.url}/health/live`, { headers: client })).status).toBe(200);
      }
    });
  });

  describe('shared through Redis', () => {
    let run: TestRun;
    let redis: Redis;
    /** Counter keys this file made (`gateway:<limit>:<key>`: RateLimits has no per-run prefix). */
    const keys = new Set<string>();

    beforeAll(async () => {
      run = await TestRun.create();
      redis = new Redis(run.infra.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
    });

    afterAll(async () => {
      if (keys.size > 0) await redis?.del(...keys);
      await redis?.quit();
      await run?.cleanup();
    });

    /** Waits until `gateway` counts in Redis (not in its memory fallback): a fresh client's key appears there. */
    async function untilCountingInRedis(gateway: RunningGateway): Promise<void> {
      await eventually(async () => {
        const ip = clientIp();
        keys.add(`gateway:ip:${ip}`);
        await gateway.http.get('/api/ai/warm-up', {
          token: issuer.token(),
          headers: { 'x-forwarded-for': ip },
        });
        expect(await redis.exists(`gateway:ip:${ip}`)).toBe(1);
      }, 10_000);
    }

    async function sharedPair(config: Record<string, string>): Promise<[RunningGateway, RunningGateway]> {
      const pair: [RunningGateway, RunningGateway] = [
        await gatewayWith({ REDIS_URL: run.infra.redisUrl, TRUST_PROXY: 'true', ...config }),
        await gatewayWith({ REDIS_URL: run.infra.redisUrl, TRUST_PROXY: 'true', ...config }),
      ];
      for (const gateway of pair) await untilCountingInRedis(gateway);
      return pair;
    }

    it('gives two gateway instances one budget per user', async () => {
      const [a, b] = await sharedPair({ RATE_LIMIT_PER_USER: '4' });
      const sub = randomUUID();
      keys.add(`gateway:user:${sub}`);
      const ip = clientIp();
      keys.add(`gateway:ip:${ip}`);
      const as = { token: issuer.token({ sub }), headers: { 'x-forwarded-for': ip } };
      for (const gateway of [a, b, a, b]) expectOk(await gateway.http.get('/api/ai/shared', as));
      expectLimited(await a.http.get('/api/ai/shared', as), 60);
      expectLimited(await b.http.get('/api/ai/shared', as), 60);
    });

    it('gives two gateway instances one budget per client IP', async () => {
      const [a, b] = await sharedPair({ RATE_LIMIT_PER_IP: '5' });
      const ip = clientIp();
      keys.add(`gateway:ip:${ip}`);
      for (const gateway of [a, b, a, b, a]) {
        expectOk(
          await gateway.http.get('/api/ai/shared', {
            token: issuer.token(),
            headers: { 'x-forwarded-for': ip },
          }),
        );
      }
      expectLimited(
        await b.http.get('/api/ai/shared', { token: issuer.token(), headers: { 'x-forwarded-for': ip } }),
        60,
      );
    });

    it('goes on serving when Redis goes away, limiting from memory, and counts in Redis again once it is back', async () => {
      const target = new URL(run.infra.redisUrl);
      const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
      const gateway = await startGateway({
        upstreams: { ai: upstream.url },
        config: {
          JWKS_URL: issuer.jwksUrl,
          REDIS_URL: proxy.rewrite(run.infra.redisUrl),
          TRUST_PROXY: 'true',
          RATE_LIMIT_PER_IP: '3',
        },
      });
      try {
        await untilCountingInRedis(gateway);
        await proxy.cut();
        const ip = clientIp();
        keys.add(`gateway:ip:${ip}`);
        const as = () => ({ token: issuer.token(), headers: { 'x-forwarded-for': ip } });
        for (let i = 0; i < 3; i += 1) {
          const started = Date.now();
          expectOk(await gateway.http.get('/api/ai/without-redis', as()));
          expect(Date.now() - started).toBeLessThan(1_000);
        }
        expectLimited(await gateway.http.get('/api/ai/without-redis', as()), 60);
        expect(await redis.exists(`gateway:ip:${ip}`)).toBe(0);

        await proxy.restore();
        await untilCountingInRedis(gateway);
      } finally {
        await gateway.close();
        stopRedisClient(gateway);
        await proxy.stop();
      }
    });

    it('stops reconnecting to Redis once closed, even while Redis is unreachable', async () => {
      const port = await freePort();
      const gateway = await startGateway({
        upstreams: { ai: upstream.url },
        config: { JWKS_URL: issuer.jwksUrl, REDIS_URL: `redis://127.0.0.1:${port}` },
      });
      // Nothing listens on the port yet: the gateway serves from memory while its client retries.
      expectOk(await gateway.http.get('/api/ai/x', { token: issuer.token() }));
      await gateway.close();
      // Now Redis answers on that port (forwarded): a client still trying to reach it connects.
      const target = new URL(run.infra.redisUrl);
      const sockets = new Set<Socket>();
      let connected = 0;
      const forwarder: Server = createServer((client) => {
        connected += 1;
        const redisSide = connect(Number(target.port || 6379), target.hostname);
        for (const socket of [client, redisSide]) {
          sockets.add(socket);
          socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
        }
        client.pipe(redisSide).pipe(client);
      });
      forwarder.listen(port, '127.0.0.1');
      await once(forwarder, 'listening');
      try {
        await sleep(1_500);
        expect(connected).toBe(0);
      } finally {
        stopRedisClient(gateway);
        await eventually(() => expect(sockets.size).toBe(0), 3_000);
        await new Promise<void>((resolve) => forwarder.close(() => resolve()));
      }
    });
  });
});
