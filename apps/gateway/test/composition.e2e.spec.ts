import { FakeUpstream, type Json, sendJson } from './fakes';
import { expectError, expectOk, register, type Registered, useStack } from './harness';

/**
 * The gateway's composed answers (/api/search, /api/dashboard/summary) in front of fake contacts and
 * pipeline services that answer by path, with identity real for the tokens.
 */
describe('gateway composition', () => {
  let contacts: FakeUpstream;
  let pipeline: FakeUpstream;
  /** What the fakes answer, by path without query; a status alone makes them fail that way. */
  const answers = new Map<string, unknown>();
  /** What the fakes' /search finds, by kind: each answers the kinds asked of it, as the services do. */
  const found: Record<string, Json[]> = {
    contacts: [{ id: 'c1', name: 'Ada' }],
    customers: [{ id: 'k1', name: 'Ada Co' }],
    deals: [{ id: 'd1', title: 'Ada deal' }],
    leads: [{ id: 'l1', name: 'Ada lead' }],
  };
  const down = new Set<string>();

  const fake = (service: string, kinds: string[]) =>
    FakeUpstream.start((req, res) => {
      if (req.url === '/health/ready') return sendJson(res, 200, { status: 'ok' });
      if (down.has(service))
        return sendJson(res, 500, { error: { code: 'INTERNAL_ERROR', message: 'boom' } });
      const url = new URL(req.url ?? '', 'http://fake');
      if (url.pathname === '/search') {
        const asked = url.searchParams.get('types')?.split(',') ?? kinds;
        return sendJson(res, 200, {
          data: Object.fromEntries(kinds.map((kind) => [kind, asked.includes(kind) ? found[kind] : []])),
        });
      }
      const answer = answers.get(url.pathname);
      if (answer === undefined)
        return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: url.pathname } });
      sendJson(res, 200, { data: answer });
    });

  beforeAll(async () => {
    contacts = await fake('contacts', ['contacts', 'customers']);
    pipeline = await fake('pipeline', ['deals', 'leads']);
  });
  afterAll(async () => {
    await contacts?.close();
    await pipeline?.close();
  });

  const stack = useStack({ upstreams: () => ({ contacts: contacts.url, pipeline: pipeline.url }) });
  let admin: Registered;
  beforeAll(async () => {
    admin = await register(stack.http);
  });
  beforeEach(() => {
    down.clear();
    answers.clear();
    answers.set('/api/contacts/stats', { total: 3, highValue: 1, atRisk: 1, needsFollowUp: 0 });
    answers.set('/api/deals/forecast', { totalPipeline: 100, weightedForecast: 10 });
    answers.set('/api/deals/stage-stats', [{ stage: 'prospect', count: 1 }]);
    answers.set('/api/leads/stats', { total: 1, byStatus: { new: 1 } });
  });
  /** What a search asks of each fake (readiness probes and documents aside): path and parameters. */
  const searchCalls = async (query: string, headers: Record<string, string> = {}) => {
    const before = { contacts: contacts.requests.length, pipeline: pipeline.requests.length };
    const res = await stack.http.get(`/api/search?${query}`, { token: admin.token, headers });
    const asked = (upstream: FakeUpstream, from: number) =>
      upstream.requests.slice(from).map((arrival) => {
        const url = new URL(arrival.url, 'http://fake');
        return { path: url.pathname, params: Object.fromEntries(url.searchParams), headers: arrival.headers };
      });
    return {
      res,
      contacts: asked(contacts, before.contacts),
      pipeline: asked(pipeline, before.pipeline),
    };
  };

  it('asks each service once for all of its kinds, with the caller’s token, and merges the answers', async () => {
    const { res, ...calls } = await searchCalls('q=Ada%20L', { 'x-request-id': 'search-1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        contacts: [{ id: 'c1', name: 'Ada' }],
        customers: [{ id: 'k1', name: 'Ada Co' }],
        deals: [{ id: 'd1', title: 'Ada deal' }],
        leads: [{ id: 'l1', name: 'Ada lead' }],
      },
      meta: { degraded: [] },
    });
    expect(calls.contacts.map(({ path, params }) => ({ path, params }))).toEqual([
      { path: '/search', params: { q: 'Ada L', types: 'contacts,customers', limit: '10' } },
    ]);
    expect(calls.pipeline.map(({ path, params }) => ({ path, params }))).toEqual([
      { path: '/search', params: { q: 'Ada L', types: 'deals,leads', limit: '10' } },
    ]);
    for (const { headers } of [...calls.contacts, ...calls.pipeline]) {
      expect(headers.authorization).toBe(`Bearer ${admin.token}`);
      expect(headers['x-request-id']).toBe('search-1');
    }
  });

  it('asks only the services of the types named, for those types, and answers the others empty', async () => {
    const deals = await searchCalls('q=ada&types=deals');
    expect(expectOk(deals.res)).toEqual({
      contacts: [],
      customers: [],
      deals: [{ id: 'd1', title: 'Ada deal' }],
      leads: [],
    });
    expect(deals.contacts).toEqual([]);
    expect(deals.pipeline.map(({ params }) => params.types)).toEqual(['deals']);

    const mixed = await searchCalls('q=ada&types=leads,customers');
    expect(expectOk(mixed.res)).toEqual({
      contacts: [],
      customers: [{ id: 'k1', name: 'Ada Co' }],
      deals: [],
      leads: [{ id: 'l1', name: 'Ada lead' }],
    });
    expect(mixed.contacts.map(({ params }) => params.types)).toEqual(['customers']);
    expect(mixed.pipeline.map(({ params }) => params.types)).toEqual(['leads']);
  });

  it('refuses a missing q or an unknown type (422) and a missing token (401)', async () => {
    const refused = await searchCalls('q=a&types=deals,planets');
    expectError(refused.res, 422);
    expect([...refused.contacts, ...refused.pipeline]).toEqual([]);
    expectError(await stack.http.get('/api/search', { token: admin.token }), 422);
    expectError(await stack.http.get('/api/search?q=%20', { token: admin.token }), 422);
    expectError(await stack.http.get('/api/search?q=a'), 401);
    expectError(await stack.http.get('/api/dashboard/summary'), 401);
  });

  it('answers what the others found, naming the service that failed', async () => {
    down.add('pipeline');
    const res = await stack.http.get('/api/search?q=ada', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        contacts: [{ id: 'c1', name: 'Ada' }],
        customers: [{ id: 'k1', name: 'Ada Co' }],
        deals: [],
        leads: [],
      },
      meta: { degraded: ['pipeline'] },
    });
  });

  it('answers every list empty and names both services when neither answers', async () => {
    down.add('contacts');
    down.add('pipeline');
    const res = await stack.http.get('/api/search?q=ada', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: { contacts: [], customers: [], deals: [], leads: [] },
      meta: { degraded: ['contacts', 'pipeline'] },
    });
  });

  it('puts the dashboard together from contacts and pipeline', async () => {
    const summary = expectOk(await stack.http.get('/api/dashboard/summary', { token: admin.token }));
    expect(summary).toEqual({
      contacts: { total: 3, highValue: 1, atRisk: 1, needsFollowUp: 0 },
      deals: {
        forecast: { totalPipeline: 100, weightedForecast: 10 },
        stageStats: [{ stage: 'prospect', count: 1 }],
      },
      leads: { total: 1, byStatus: { new: 1 } },
    });
  });

  it('leaves the part of a failed service null in the dashboard and names it', async () => {
    down.add('contacts');
    const res = await stack.http.get('/api/dashboard/summary', { token: admin.token });
    expect(res.status).toBe(200);
    const body: Json = res.body;
    expect(body.meta).toEqual({ degraded: ['contacts'] });
    expect(body.data.contacts).toBeNull();
    expect(body.data.leads).toEqual({ total: 1, byStatus: { new: 1 } });
  });
});
