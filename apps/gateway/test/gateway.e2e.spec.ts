import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { type ServerResponse } from 'node:http';
import { echo, FakeUpstream, sendJson } from './fakes';
import {
  eventually,
  expectError,
  expectOk,
  metricSample,
  register,
  type Registered,
  SERVICES,
  show,
  uniqueEmail,
  useStack,
} from './harness';

const WEB_ORIGIN = 'http://localhost:5173';
const MB = 1024 * 1024;

/** The OpenAPI document of the fake ai service: a schema named like one of identity's. */
const AI_DOCUMENT = {
  openapi: '3.0.0',
  info: { title: 'ai', version: '1.0' },
  paths: {
    '/api/ai/score': {
      post: {
        tags: ['scoring'],
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/LoginDto' } } },
        },
        responses: { 200: { description: 'ok' } },
      },
    },
  },
  components: { schemas: { LoginDto: { type: 'object', properties: { model: { type: 'string' } } } } },
};

/**
 * The gateway in front of identity (its own process) and a fake ai service: routing, request ids,
 * CORS, request bodies, streamed answers, service health, the merged OpenAPI document and metrics.
 */
describe('gateway in front of identity', () => {
  /** Lets the streaming answer of the fake ai service go on past its first megabyte. */
  let releaseStream: () => void = () => undefined;
  let streamFinished = false;

  async function stream(res: ServerResponse): Promise<void> {
    const released = new Promise<void>((resolve) => (releaseStream = resolve));
    streamFinished = false;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(MB, 1));
    await released;
    for (let i = 0; i < 31; i += 1) {
      if (!res.write(Buffer.alloc(MB, 2))) await new Promise((resolve) => res.once('drain', resolve));
    }
    streamFinished = true;
    res.end();
  }

  let ai: FakeUpstream;
  beforeAll(async () => {
    ai = await FakeUpstream.start(async (req, res, arrival) => {
      if (req.url === '/docs-json') return sendJson(res, 200, AI_DOCUMENT);
      if (req.url === '/api/ai/stream') return stream(res);
      return echo(req, res, arrival);
    });
  });
  afterAll(async () => {
    releaseStream();
    await ai?.close();
  });

  const stack = useStack({ upstreams: () => ({ ai: ai.url }) });
  let admin: Registered;
  beforeAll(async () => {
    admin = await register(stack.http);
  });

  describe('routing', () => {
    it('sends every identity prefix to identity and /api/ai to the ai service', async () => {
      expect(expectOk(await stack.http.get('/api/auth/me', { token: admin.token })).id).toBe(admin.user.id);
      const users = expectOk(await stack.http.get('/api/users?limit=5', { token: admin.token }));
      expect(users.map((user: { id: string }) => user.id)).toEqual([admin.user.id]);
      const team = expectOk(
        await stack.http.post('/api/teams', { name: 'Closers' }, { token: admin.token }),
        201,
      );
      expect(expectOk(await stack.http.get(`/api/teams/${team.id}`, { token: admin.token })).name).toBe(
        'Closers',
      );
      expect(expectOk(await stack.http.get('/api/ai/score?deal=1', { token: admin.token }))).toEqual({
        method: 'GET',
        url: '/api/ai/score?deal=1',
        bytes: 0,
      });
    });

    it('passes identity’s own answers through: its 404 for an unknown user, its 422 for a bad body', async () => {
      expectError(await stack.http.get(`/api/users/${randomUUID()}`, { token: admin.token }), 404);
      const invalid = await stack.http.post('/api/auth/register', { email: 'not-an-email' });
      expectError(invalid, 422);
      expect(invalid.body.error.details.length).toBeGreaterThan(0);
    });

    it('answers 404 NOT_FOUND for a path under no prefix', async () => {
      for (const path of ['/api/nothing', '/api/authx/login', '/api/usersx']) {
        expectError(await stack.http.get(path, { token: admin.token }), 404);
      }
    });
  });

  describe('request ids', () => {
    /** A success through identity, 401 and 404 from the gateway, 400 from identity. */
    const requests = (headers: Record<string, string>) => [
      () => stack.http.get('/api/auth/me', { token: admin.token, headers }),
      () => stack.http.get('/api/auth/me', { headers }),
      () => stack.http.get('/api/nothing', { headers }),
      () =>
        stack.http.call('POST', '/api/auth/login', {
          raw: '{"email": "someone@example.com", "password": ',
          headers: { ...headers, 'content-type': 'application/json' },
        }),
    ];

    it('echoes the caller’s X-Request-Id on successes and errors alike', async () => {
      const id = `test-${randomUUID()}`;
      for (const send of requests({ 'x-request-id': id })) {
        const res = await send();
        expect([show(res), res.headers.get('x-request-id')]).toEqual([show(res), id]);
      }
    });

    it('gives every answer a new X-Request-Id when the caller sent none, or one that is not an id', async () => {
      const seen = new Set<string>();
      const variants: Record<string, string>[] = [
        {},
        { 'x-request-id': 'has spaces in it' },
        { 'x-request-id': 'x'.repeat(200) },
      ];
      for (const headers of variants) {
        for (const send of requests(headers)) {
          const res = await send();
          const id = res.headers.get('x-request-id') ?? '';
          expect([show(res), id]).toEqual([show(res), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
      }
    });
    it('carries the request id into the correlationId of the events the request causes', async () => {
      // A queue of the test's own, bound to this run's exchange before the requests.
      const connection = await connect(stack.run.infra.rabbitmqUrl);
      try {
        const channel = await connection.createChannel();
        const exchange = `${stack.run.prefix}crm.events`;
        await channel.assertExchange(exchange, 'topic', { durable: true });
        const { queue } = await channel.assertQueue('', {
          exclusive: true,
          autoDelete: true,
          durable: false,
        });
        await channel.bindQueue(queue, exchange, 'identity.#');
        const events: { type: string; correlationId: string; organizationId: string }[] = [];
        await channel.consume(
          queue,
          (message) => message && events.push(JSON.parse(message.content.toString())),
          {
            noAck: true,
          },
        );

        const given = `test-${randomUUID()}`;
        const withId = await stack.http.post(
          '/api/auth/register',
          {
            email: uniqueEmail('traced'),
            password: 'Traced-Pw9',
            name: 'Traced',
            organizationName: 'Traced Org',
          },
          { headers: { 'x-request-id': given } },
        );
        const withoutId = await stack.http.post('/api/auth/register', {
          email: uniqueEmail('untraced'),
          password: 'Traced-Pw9',
          name: 'Untraced',
          organizationName: 'Untraced Org',
        });
        const generated = withoutId.headers.get('x-request-id')!;
        for (const [res, id] of [
          [withId, given],
          [withoutId, generated],
        ] as const) {
          const organizationId = expectOk(res, 201).organization.id as string;
          await eventually(() => {
            const caused = events.filter((event) => event.organizationId === organizationId);
            expect(caused.map((event) => event.type).sort()).toEqual([
              'identity.organization.created',
              'identity.user.created',
            ]);
            expect(caused.map((event) => event.correlationId)).toEqual([id, id]);
          }, 10_000);
        }
      } finally {
        await connection.close();
      }
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string, path = '/api/auth/me', method = 'PUT') =>
      stack.http.call('OPTIONS', path, {
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type,authorization,x-request-id',
        },
      });

    it('answers a preflight from a configured origin itself, allowing JSON with a bearer token', async () => {
      const before = ai.arrivals.length;
      for (const path of ['/api/auth/login', '/api/ai/score']) {
        const res = await preflight(WEB_ORIGIN, path, 'POST');
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe(WEB_ORIGIN);
        expect(res.headers.get('access-control-allow-credentials')).toBe('true');
        const allowed = (res.headers.get('access-control-allow-headers') ?? '')
          .toLowerCase()
          .split(/\s*,\s*/);
        expect(allowed).toEqual(expect.arrayContaining(['content-type', 'authorization']));
        expect(res.headers.get('access-control-max-age')).toBe('600');
      }
      expect(ai.arrivals.length).toBe(before);
    });

    it.each([
      ['PUT', '/api/auth/me'],
      ['PATCH', '/api/users/1'],
      ['DELETE', '/api/teams/1'],
    ])('allows the web client to send %s (as in %s) cross-origin', async (method, path) => {
      const res = await preflight(WEB_ORIGIN, path, method);
      expect(res.status).toBe(204);
      const methods = (res.headers.get('access-control-allow-methods') ?? '').split(/\s*,\s*/);
      expect(methods).toContain(method);
    });

    it('gives a preflight answer an X-Request-Id like every other answer', async () => {
      const res = await preflight(WEB_ORIGIN);
      expect(res.status).toBe(204);
      expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
    });

    it('does not allow an origin that is not configured', async () => {
      const res = await preflight('http://evil.example.com');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const answer = await stack.http.get('/api/auth/me', {
        token: admin.token,
        headers: { origin: 'http://evil.example.com' },
      });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets the web client read answers, errors included, and their X-Request-Id and Retry-After', async () => {
      for (const res of [
        await stack.http.get('/api/auth/me', { token: admin.token, headers: { origin: WEB_ORIGIN } }),
        await stack.http.get('/api/auth/me', { headers: { origin: WEB_ORIGIN } }),
        await stack.http.get('/api/nothing', { headers: { origin: WEB_ORIGIN } }),
        await stack.http.get('/api/health', { headers: { origin: WEB_ORIGIN } }),
      ]) {
        expect([show(res), res.headers.get('access-control-allow-origin')]).toEqual([show(res), WEB_ORIGIN]);
        expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id.*Retry-After/i);
      }
    });

    it('adds security headers to proxied answers', async () => {
      const res = await stack.http.get('/api/auth/me', { token: admin.token });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    });
  });

  describe('request bodies', () => {
    it('refuses a JSON body over 1 MB with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await stack.http.post('/api/auth/login', {
        email: uniqueEmail('huge'),
        password: 'x'.repeat(MB + 100),
      });
      expectError(res, 413);
    });

    it('forwards a body under 1 MB to the service', async () => {
      const res = await stack.http.post('/api/auth/login', {
        email: uniqueEmail('sizable'),
        password: 'x'.repeat(512 * 1024),
      });
      expect([401, 422]).toContain(res.status);
    });

    it('answers malformed JSON with 400 BAD_REQUEST, on a public and on a protected route', async () => {
      const json = { 'content-type': 'application/json' };
      expectError(
        await stack.http.call('POST', '/api/auth/login', {
          raw: '{"email": "a@example.com", "password": ',
          headers: json,
        }),
        400,
      );
      expectError(
        await stack.http.call('PUT', '/api/auth/me', {
          token: admin.token,
          raw: '{name: unquoted}',
          headers: json,
        }),
        400,
      );
    });
  });

  describe('streamed answers', () => {
    it('streams a large answer as it arrives instead of buffering it whole', async () => {
      const res = await fetch(`${stack.gateway.url}/api/ai/stream`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let received = 0;
      // The upstream holds back everything after its first megabyte until the client has that one.
      const firstMegabyte = (async () => {
        while (received < MB) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`the answer ended after ${received} bytes`);
          received += value.length;
        }
      })();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        firstMegabyte,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`only ${received} bytes within 5 s: the answer was held back`)),
            5_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      expect(streamFinished).toBe(false);
      releaseStream();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value.length;
      }
      expect(received).toBe(32 * MB);
      expect(streamFinished).toBe(true);
    });
  });

  describe('service health', () => {
    it('lists every service up or down, publicly', async () => {
      const res = await stack.http.get('/api/health');
      expect(res.status).toBe(503);
      const health = expectOk(res, 503);
      const services = Object.fromEntries(SERVICES.map((service) => [service, 'down']));
      expect(health).toEqual({ status: 'degraded', services: { ...services, identity: 'up', ai: 'up' } });
    });
  });

  describe('API documentation', () => {
    it('requires a token for the merged OpenAPI document', async () => {
      expectError(await stack.http.get('/api/docs-json'), 401);
    });

    it('merges the services’ OpenAPI documents, each operation tagged with its service', async () => {
      const res = await stack.http.get('/api/docs-json', { token: admin.token });
      expect(res.status).toBe(200);
      const document = res.body;
      expect(document.openapi).toMatch(/^3\./);
      expect(document.paths['/api/auth/login'].post.tags).toEqual(['identity']);
      expect(document.paths['/api/users'].get.tags).toEqual(['identity']);
      expect(document.paths['/api/ai/score'].post.tags).toEqual(['ai']);
      for (const [path, operations] of Object.entries(document.paths as Record<string, object>)) {
        const service = path.startsWith('/api/ai') ? 'ai' : 'identity';
        for (const operation of Object.values(operations)) expect(operation.tags).toEqual([service]);
      }
      expect(document.tags.map((tag: { name: string }) => tag.name)).toEqual(['ai', 'identity']);
      expect(document.components.schemas).toHaveProperty(['identity.LoginDto']);
      expect(document.components.schemas).toHaveProperty(['ai.LoginDto']);
      const refs = [...res.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
      expect(refs).toContain('ai.LoginDto');
      for (const name of refs) expect(document.components.schemas).toHaveProperty([name]);
    });

    it('names the services that did not answer in x-unavailable-services', async () => {
      const document = (await stack.http.get('/api/docs-json', { token: admin.token })).body;
      expect(document['x-unavailable-services']).toEqual(
        SERVICES.filter((s) => s !== 'identity' && s !== 'ai').sort(),
      );
    });

    it('serves Swagger UI and its assets without a token', async () => {
      const page = await stack.http.get('/api/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(scripts).toEqual(
        expect.arrayContaining([
          '/api/docs/assets/swagger-ui.css',
          '/api/docs/assets/swagger-ui-bundle.js',
          '/api/docs/init.js',
        ]),
      );
      for (const [asset, type] of [
        ['/api/docs/assets/swagger-ui.css', /text\/css/],
        ['/api/docs/assets/swagger-ui-bundle.js', /javascript/],
        ['/api/docs/init.js', /javascript/],
      ] as const) {
        const res = await fetch(`${stack.gateway.url}${asset}`);
        expect([asset, res.status]).toEqual([asset, 200]);
        expect(res.headers.get('content-type')).toMatch(type);
        expect((await res.text()).length).toBeGreaterThan(100);
      }
      const init = await (await fetch(`${stack.gateway.url}/api/docs/init.js`)).text();
      expect(init).toContain("url: '/api/docs-json'");
    });
  });

  describe('metrics', () => {
    it('exposes upstream latency, breaker states and rate-limit refusals', async () => {
      expectOk(await stack.http.get('/api/auth/me', { token: admin.token }));
      const metrics = await stack.gateway.metrics();
      expect(
        metricSample(metrics, 'gateway_upstream_duration_seconds_count', {
          service: 'identity',
          status: '200',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(metrics).toMatch(/^gateway_upstream_duration_seconds_bucket\{.*service="ai".*\} \d+$/m);
      expect(
        metricSample(metrics, 'gateway_circuit_breaker_state', {
          service: 'identity',
          upstream: stack.identity.url,
        }),
      ).toBe(0);
      expect(
        metricSample(metrics, 'gateway_circuit_breaker_state', { service: 'ai', upstream: ai.url }),
      ).toBe(0);
      expect(metrics).toContain('# TYPE gateway_rate_limited_total counter');
    });
  });
});
