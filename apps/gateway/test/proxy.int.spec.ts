import { FakeIssuer } from '@flow-crm/testing';
import { createHash } from 'node:crypto';
import { Agent, request, type Server } from 'node:http';
import { echo, type FakeHandler, FakeUpstream, sendJson } from './fakes';
import {
  deadUrl,
  eventually,
  expectError,
  expectOk,
  metricSample,
  type RunningGateway,
  show,
  sleep,
  startGateway,
} from './harness';

/**
 * The proxy against fake upstreams (plain node:http servers that record what reaches them) and a
 * fake token issuer: what is forwarded, body limits, load spreading, circuit breakers, retries.
 */
describe('gateway proxy', () => {
  let issuer: FakeIssuer;
  let gateway: RunningGateway;
  let token: string;
  let deadCalendar: string;
  const fakes: Record<string, FakeUpstream> = {};
  const MB = 1024 * 1024;

  /** Closes the connection at once, without an answer. */
  const resetting: FakeHandler = (req) => {
    req.socket.destroy();
  };
  /** Answers 500 with a body of its own. */
  const failing: FakeHandler = (_req, res) =>
    sendJson(res, 500, { error: { code: 'INTERNAL_ERROR', message: 'upstream says no' } });

  beforeAll(async () => {
    issuer = await FakeIssuer.start();
    token = issuer.token();
    fakes.ai = await FakeUpstream.start();
    fakes.contacts = await FakeUpstream.start();
    fakes.pipelineA = await FakeUpstream.start();
    fakes.pipelineB = await FakeUpstream.start();
    fakes.calendar = await FakeUpstream.start();
    fakes.support = await FakeUpstream.start(resetting);
    fakes.quoting = await FakeUpstream.start(resetting);
    fakes.campaigns = await FakeUpstream.start(failing);
    deadCalendar = await deadUrl();
    gateway = await startGateway({
      upstreams: {
        ai: fakes.ai.url,
        contacts: fakes.contacts.url,
        pipeline: `${fakes.pipelineA.url},${fakes.pipelineB.url}`,
        calendar: `${fakes.calendar.url},${deadCalendar}`,
        support: fakes.support.url,
        quoting: fakes.quoting.url,
        campaigns: fakes.campaigns.url,
      },
      config: {
        JWKS_URL: issuer.jwksUrl,
        UPSTREAM_READ_RETRIES: '2',
        BREAKER_VOLUME_THRESHOLD: '2',
        BREAKER_RESET_MS: '60000',
      },
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(Object.values(fakes).map((fake) => fake.close()));
    await issuer?.close();
  });

  const auth = () => ({ authorization: `Bearer ${token}` });

  describe('what reaches the upstream', () => {
    it('forwards the method, the path and the query string unchanged', async () => {
      const path = '/api/ai/things/7?b=2&a=1&a=3&q=%20x%2By&empty=';
      for (const method of ['GET', 'DELETE', 'PUT', 'PATCH', 'POST']) {
        const res = await gateway.http.call(method, path, {
          token,
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
        });
        expect(expectOk(res)).toEqual({
          method,
          url: path,
          bytes: method === 'GET' || method === 'DELETE' ? 0 : 2,
        });
      }
    });

    it('forwards the Authorization header unchanged, so that the service verifies the token again', async () => {
      await gateway.http.get('/api/ai/whoami', { token });
      expect(fakes.ai.arrivals.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    });

    it('forwards the caller’s X-Request-Id, and echoes it', async () => {
      const res = await gateway.http.get('/api/ai/traced', {
        token,
        headers: { 'x-request-id': 'caller-id-42' },
      });
      expect(res.headers.get('x-request-id')).toBe('caller-id-42');
      expect(fakes.ai.arrivals.at(-1)!.headers['x-request-id']).toBe('caller-id-42');
    });

    it('sends the upstream the request id it generated and answers with', async () => {
      const res = await gateway.http.get('/api/ai/untraced', { token });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(fakes.ai.arrivals.at(-1)!.headers['x-request-id']).toBe(id);
    });

    it('appends the client address to X-Forwarded-For and names the original protocol and host', async () => {
      await gateway.http.get('/api/ai/forwarded', { token, headers: { 'x-forwarded-for': '203.0.113.9' } });
      const { headers } = fakes.ai.arrivals.at(-1)!;
      expect(headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
      expect(headers['x-forwarded-proto']).toBe('http');
      expect(headers['x-forwarded-host']).toBe(new URL(gateway.url).host);

      await gateway.http.get('/api/ai/forwarded', { token });
      expect(fakes.ai.arrivals.at(-1)!.headers['x-forwarded-for']).toBe('127.0.0.1');
    });

    it('passes the upstream’s own error answer through as it is, without retrying it', async () => {
      const before = fakes.campaigns.arrivals.length;
      const res = await gateway.http.get('/api/campaigns/1', { token });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'upstream says no' } });
      expect(fakes.campaigns.arrivals.length - before).toBe(1);
    });

    it('answers 404 NOT_FOUND in the contract shape for a path under no prefix, without a token', async () => {
      for (const path of ['/api/nowhere', '/api/aix/things', '/api', '/nothing']) {
        expectError(await gateway.http.get(path), 404);
        expectError(await gateway.http.get(path, { token }), 404);
      }
    });

    it.each([
      ['a percent-encoded prefix', '/api/%61i/things'],
      ['a percent-encoded dot segment', '/api/ai/%2e%2e/things'],
      ['a dot segment', '/api/ai/../ai/things'],
      ['a trailing dot segment', '/api/ai/things/..'],
      ['a malformed percent-encoding in the path', '/api/ai/%E0%A4%A'],
      ['a malformed percent-encoding in the query', '/api/ai/things?q=%E0%A4%A'],
    ])('answers a path with %s in the contract shape, never with a 500', async (_what, path) => {
      // Sent byte for byte: fetch would normalise the path first.
      const res = await gateway.http.rawPath('GET', path, { token });
      expect(show(res)).not.toMatch(/→ 500 /);
      if (res.status >= 400) expectError(res, res.status);
    });
  });

  describe('request bodies', () => {
    it('lets a 2 MB file reach the upstream whole on an import route (limit 10 MB)', async () => {
      const file = Buffer.alloc(2 * MB, 'name,email\nAnn,ann@example.com\n');
      const res = await gateway.http.call('POST', '/api/contacts/import', {
        token,
        raw: file,
        headers: { 'content-type': 'text/csv' },
      });
      expect(expectOk(res)).toEqual({ method: 'POST', url: '/api/contacts/import', bytes: file.length });
      const arrival = fakes.contacts.arrivals.at(-1)!;
      expect(await arrival.complete).toBe(true);
      expect(arrival.headers['content-type']).toBe('text/csv');
      const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
      expect(sha(Buffer.concat(arrival.chunks))).toBe(sha(file));
    });

    it('refuses an import over 10 MB with 413 before any of it reaches the upstream', async () => {
      const before = fakes.contacts.arrivals.length;
      const res = await gateway.http.call('POST', '/api/contacts/import', {
        token,
        raw: Buffer.alloc(10 * MB + 1),
        headers: { 'content-type': 'text/csv' },
      });
      expectError(res, 413);
      expect(fakes.contacts.arrivals.length).toBe(before);
    });

    it('refuses a 2 MB body on a route that is not an import (limit 1 MB)', async () => {
      const before = fakes.contacts.arrivals.length;
      const res = await gateway.http.call('POST', '/api/contacts', {
        token,
        raw: Buffer.alloc(2 * MB, 'a'),
        headers: { 'content-type': 'text/csv' },
      });
      expectError(res, 413);
      expect(fakes.contacts.arrivals.length).toBe(before);
    });
  });

  describe('answers given before the request body was read', () => {
    // A gateway of their own: the connections these tests leave behind must not hold up the others.
    let own: RunningGateway;
    let upstream: FakeUpstream;

    beforeAll(async () => {
      upstream = await FakeUpstream.start();
      own = await startGateway({
        upstreams: { contacts: upstream.url, ai: upstream.url },
        config: { JWKS_URL: issuer.jwksUrl },
      });
    });

    afterAll(async () => {
      // Dropped by hand: the gateway keeps such connections open (see below), and close() would wait for them.
      (own?.app.getHttpServer() as Server | undefined)?.closeAllConnections();
      await own?.close();
      await upstream?.close();
    });

    /** POSTs `size` bytes to /api/contacts through `agent`: chunked, or with a Content-Length. */
    const post = (agent: Agent, size: number, options: { token: boolean; chunked: boolean }) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${own.url}/api/contacts`,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'text/csv',
              ...(options.token ? auth() : {}),
              ...(options.chunked ? {} : { 'content-length': String(size) }),
            },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        for (let sent = 0; sent < size; sent += 100 * 1024)
          req.write(Buffer.alloc(Math.min(100 * 1024, size - sent), 'c'));
        req.end();
      });

    /** GETs through `agent` (so on its kept-alive connection), giving up after 2 s. */
    const next = (agent: Agent) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${own.url}/api/ai/next`, { agent, headers: auth() }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.setTimeout(2_000, () => req.destroy(new Error('no answer on the same connection within 2 s')));
        req.on('error', reject);
        req.end();
      });

    const connections = () =>
      new Promise<number>((resolve, reject) =>
        (own.app.getHttpServer() as Server).getConnections((error, count) =>
          error ? reject(error) : resolve(count),
        ),
      );

    const early = [
      ['413 for a chunked body over the limit', 413, 1_200 * 1024, { token: true, chunked: true }],
      ['401 for a 200 KiB body sent without a token', 401, 200 * 1024, { token: false, chunked: false }],
    ] as const;

    it('cuts off a chunked body once it passes the limit: 413, and the upstream never gets it whole', async () => {
      const agent = new Agent({ keepAlive: false });
      try {
        const res = await post(agent, 2_400 * 1024, { token: true, chunked: true });
        expect(res.status).toBe(413);
        expect(JSON.parse(res.body)).toEqual({
          error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
        });
      } finally {
        agent.destroy();
      }
      for (const arrival of upstream.arrivals) {
        expect(await arrival.complete).toBe(false);
        expect(arrival.bytes).toBeLessThanOrEqual(MB);
      }
    });

    it.each(early)(
      'answers the next request on a kept-alive connection after a %s',
      async (_what, status, size, options) => {
        // The client sent its whole request; the answer said keep-alive, so it sends its next
        // request on the same connection: it must get an answer.
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          expect((await post(agent, size, options)).status).toBe(status);
          await sleep(100);
          expect(await next(agent)).toBe(200);
        } finally {
          agent.destroy();
        }
      },
    );

    it.each(early)(
      'lets go of the connection after a %s once the client has gone',
      async (_what, status, size, options) => {
        (own.app.getHttpServer() as Server).closeAllConnections(); // what earlier tests left behind
        await eventually(async () => expect(await connections()).toBe(0), 1_000);
        const agent = new Agent({ keepAlive: true });
        expect((await post(agent, size, options)).status).toBe(status);
        agent.destroy();
        // Until it does, the connection stays open for good and the gateway's close() never ends.
        await eventually(async () => expect(await connections()).toBe(0), 2_000);
      },
    );
  });

  describe('several instances of a service', () => {
    it('spreads the requests over the instances round-robin', async () => {
      const before = [fakes.pipelineA.requests.length, fakes.pipelineB.requests.length];
      for (let i = 0; i < 6; i += 1) expectOk(await gateway.http.get(`/api/deals/${i}`, { token }));
      expect(fakes.pipelineA.requests.length - before[0]!).toBe(3);
      expect(fakes.pipelineB.requests.length - before[1]!).toBe(3);
    });

    it('skips a dead instance once its breaker opens, while the live one keeps answering', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await gateway.http.get(`/api/tasks/${i}`, { token });
        statuses.push(res.status);
        if (res.status !== 200) expect(expectError(res, 503).message).toContain('calendar');
      }
      // Every other request went to the dead instance until two failures opened its breaker.
      expect(statuses.sort()).toEqual([200, 200, 503, 503]);
      const before = fakes.calendar.requests.length;
      for (let i = 0; i < 6; i += 1) expectOk(await gateway.http.get(`/api/tasks/after-${i}`, { token }));
      expect(fakes.calendar.requests.length - before).toBe(6);
      const metrics = await gateway.metrics();
      const state = (upstream: string) =>
        metricSample(metrics, 'gateway_circuit_breaker_state', { service: 'calendar', upstream });
      expect(state(deadCalendar)).toBe(2);
      expect(state(fakes.calendar.url)).toBe(0);
    });
  });

  describe('retries', () => {
    it('tries a GET again when the upstream drops the connection, then answers 503', async () => {
      const before = fakes.support.arrivals.length;
      const res = await gateway.http.get('/api/support/tickets', { token });
      expect(expectError(res, 503).message).toBe('support is unavailable');
      expect(fakes.support.arrivals.length - before).toBe(3); // the first try and UPSTREAM_READ_RETRIES=2
    });

    it('never sends a POST twice, even when the upstream dropped the connection', async () => {
      const before = fakes.quoting.arrivals.length;
      const res = await gateway.http.post('/api/quotes', { total: 10 }, { token });
      expect(expectError(res, 503).message).toBe('quoting is unavailable');
      await sleep(200);
      expect(fakes.quoting.arrivals.length - before).toBe(1);
    });
  });

  describe('closing', () => {
    it('closes its connections to the upstreams when it is closed', async () => {
      const upstream = await FakeUpstream.start(echo);
      const own = await startGateway({
        upstreams: { ai: upstream.url },
        config: { JWKS_URL: issuer.jwksUrl },
      });
      try {
        expectOk(await own.http.get('/api/ai/once', { token }));
        expect(await upstream.connections()).toBe(1);
        await own.close();
        await eventually(async () => expect(await upstream.connections()).toBe(0), 1_000);
      } finally {
        await own.close().catch(() => undefined);
        await upstream.close();
      }
    });
  });
});
