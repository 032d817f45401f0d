import { type LaunchedApp, TestRun } from '@flow-crm/testing';
import { FakeUpstream } from './fakes';
import {
  type Answer,
  eventually,
  expectError,
  expectOk,
  Http,
  launchGateway,
  launchIdentity,
  metricSample,
  register,
  type Registered,
} from './harness';

const TIMEOUT_MS = 300;

/**
 * The built gateway as its own process in front of real processes and fakes: a service that is
 * not running, identity killed and started again, a service that does not answer in time.
 */
describe('gateway process through outages', () => {
  let run: TestRun;
  let identity: LaunchedApp;
  let gateway: LaunchedApp;
  let ai: FakeUpstream;
  let silent: FakeUpstream;
  let http: Http;
  let admin: Registered;

  beforeAll(async () => {
    run = await TestRun.create();
    identity = await launchIdentity(run);
    ai = await FakeUpstream.start();
    // Never answers: it only lets go when the gateway gives up on the request.
    silent = await FakeUpstream.start((req) => new Promise((resolve) => req.on('close', resolve)));
    gateway = await launchGateway({
      // Every other service (contacts among them) points at a port nothing listens on.
      upstreams: { identity: identity.url, ai: ai.url, support: silent.url },
      config: {
        JWKS_URL: `${identity.url}/api/auth/jwks.json`,
        UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
        UPSTREAM_READ_RETRIES: '1',
        BREAKER_VOLUME_THRESHOLD: '2',
        BREAKER_RESET_MS: '1000',
      },
    });
    http = new Http(gateway.url);
    admin = await register(http);
  });

  afterAll(async () => {
    await gateway?.stop();
    await identity?.stop();
    await ai?.close();
    await silent?.close();
    await run?.cleanup();
  });

  const timed = async (send: () => Promise<Answer>): Promise<{ res: Answer; ms: number }> => {
    const started = performance.now();
    const res = await send();
    return { res, ms: performance.now() - started };
  };
  const breakerState = async (service: string, upstream?: string) =>
    metricSample(
      await (await fetch(`${gateway.url}/metrics`)).text(),
      'gateway_circuit_breaker_state',
      upstream ? { service, upstream } : { service },
    );

  it('answers 503 naming a service that is not running, within 100 ms once its breaker is open', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await http.get('/api/contacts', { token: admin.token });
      expect(expectError(res, 503).message).toBe('contacts is unavailable');
    }
    expect(await breakerState('contacts')).toBe(2);
    for (let i = 0; i < 5; i += 1) {
      const { res, ms } = await timed(() => http.get(`/api/contacts/${i}`, { token: admin.token }));
      expect(expectError(res, 503).message).toBe('contacts is unavailable');
      expect(ms).toBeLessThan(100);
    }
    // Other services answer meanwhile.
    expectOk(await http.get('/api/ai/score', { token: admin.token }));
  });

  it('answers 503 for identity’s routes while it is down, serves the others, and recovers without a restart', async () => {
    expectOk(await http.get('/api/auth/me', { token: admin.token }));
    await identity.kill();

    // Its breaker opens once failures are half of its recent calls (the earlier successes count too).
    await eventually(async () => {
      expect(expectError(await http.get('/api/auth/me', { token: admin.token }), 503).message).toBe(
        'identity is unavailable',
      );
      expect(await breakerState('identity', identity.url)).toBe(2);
    }, 3_000);
    const fast = await timed(() =>
      http.post('/api/auth/login', { email: admin.email, password: admin.password }),
    );
    expect(expectError(fast.res, 503).message).toBe('identity is unavailable');
    expect(fast.ms).toBeLessThan(100);
    for (let i = 0; i < 3; i += 1) {
      const { res, ms } = await timed(() => http.get(`/api/ai/score/${i}`, { token: admin.token }));
      expectOk(res);
      expect(ms).toBeLessThan(100);
    }

    identity = await launchIdentity(run, identity.port);
    await eventually(async () => expectOk(await http.get('/api/auth/me', { token: admin.token })), 10_000);
    expectOk(await http.post('/api/auth/login', { email: admin.email, password: admin.password }));
    expect(await breakerState('identity', identity.url)).toBe(0);
  });

  it('answers 504 UPSTREAM_TIMEOUT for a service that does not answer in time, then stops waiting for it', async () => {
    const before = silent.requests.length;
    const slow = await timed(() => http.get('/api/support/tickets', { token: admin.token }));
    expect(expectError(slow.res, 504).message).toBe('support did not answer in time');
    expect(slow.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(slow.ms).toBeLessThan(TIMEOUT_MS + 1_500); // undici checks its timeouts about every 500 ms
    // A timeout is not retried, even for a GET.
    expect(silent.requests.length - before).toBe(1);

    expectError(await http.get('/api/support/tickets', { token: admin.token }), 504);
    const { res, ms } = await timed(() => http.get('/api/support/tickets', { token: admin.token }));
    expect(expectError(res, 503).message).toBe('support is unavailable');
    expect(ms).toBeLessThan(100);
  });
});
