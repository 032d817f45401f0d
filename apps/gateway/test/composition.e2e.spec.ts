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
  const down = new Set<string>();

  const fake = (service: string) =>
    FakeUpstream.start((req, res) => {
      if (req.url === '/health/ready') return sendJson(res, 200, { status: 'ok' });
      if (down.has(service))
        return sendJson(res, 500, { error: { code: 'INTERNAL_ERROR', message: 'boom' } });
      const path = (req.url ?? '').split('?')[0]!;
      const answer = answers.get(path);
      if (answer === undefined) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: path } });
      sendJson(res, 200, { data: answer, meta: { total: 1, page: 1, limit: 10, totalPages: 1 } });
    });

  beforeAll(async () => {
    contacts = await fake('contacts');
    pipeline = await fake('pipeline');
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
    answers.set('/api/contacts', [{ id: 'c1', name: 'Ada' }]);
    answers.set('/api/customers', [{ id: 'k1', name: 'Ada Co' }]);
    answers.set('/api/deals', [{ id: 'd1', title: 'Ada deal' }]);
    answers.set('/api/leads', [{ id: 'l1', name: 'Ada lead' }]);
    answers.set('/api/contacts/stats', { total: 3, highValue: 1, atRisk: 1, needsFollowUp: 0 });
    answers.set('/api/deals/forecast', { totalPipeline: 100, weightedForecast: 10 });
    answers.set('/api/deals/stage-stats', [{ stage: 'prospect', count: 1 }]);
    answers.set('/api/leads/stats', { total: 1, byStatus: { new: 1 } });
  });
  const arrivedAt = (upstream: FakeUpstream, path: string) =>
    upstream.arrivals.filter((arrival) => arrival.url.split('?')[0] === path);

  it("searches each service's own list with the caller's token and merges the answers", async () => {
    const before = arrivedAt(contacts, '/api/contacts').length;
    const res = await stack.http.get('/api/search?q=Ada%20L', {
      token: admin.token,
      headers: { 'x-request-id': 'search-1' },
    });
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
    const arrival = arrivedAt(contacts, '/api/contacts')[before]!;
    expect(new URL(arrival.url, 'http://x').searchParams.get('search')).toBe('Ada L');
    expect(new URL(arrival.url, 'http://x').searchParams.get('limit')).toBe('10');
    expect(arrival.headers.authorization).toBe(`Bearer ${admin.token}`);
    expect(arrival.headers['x-request-id']).toBe('search-1');
  });

  it('asks only the types named, and answers the others empty', async () => {
    const contactsBefore = arrivedAt(contacts, '/api/contacts').length;
    const res = expectOk(await stack.http.get('/api/search?q=ada&types=deals,leads', { token: admin.token }));
    expect(res).toEqual({
      contacts: [],
      customers: [],
      deals: [{ id: 'd1', title: 'Ada deal' }],
      leads: [{ id: 'l1', name: 'Ada lead' }],
    });
    expect(arrivedAt(contacts, '/api/contacts')).toHaveLength(contactsBefore);
  });

  it('refuses a missing q or an unknown type (422) and a missing token (401)', async () => {
    expectError(await stack.http.get('/api/search', { token: admin.token }), 422);
    expectError(await stack.http.get('/api/search?q=%20', { token: admin.token }), 422);
    expectError(await stack.http.get('/api/search?q=a&types=deals,planets', { token: admin.token }), 422);
    expectError(await stack.http.get('/api/search?q=a'), 401);
    expectError(await stack.http.get('/api/dashboard/summary'), 401);
  });

  it('answers what the others found, naming the service that failed', async () => {
    down.add('pipeline');
    const res = await stack.http.get('/api/search?q=ada', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.meta.degraded).toEqual(['pipeline']);
    expect(res.body.data.contacts).toEqual([{ id: 'c1', name: 'Ada' }]);
    expect(res.body.data.deals).toEqual([]);
    expect(res.body.data.leads).toEqual([]);
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
