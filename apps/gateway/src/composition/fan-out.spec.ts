import { Metrics } from '@flow-crm/observability';
import { freePort } from '@flow-crm/testing';
import { echo, FakeUpstream, sendJson } from '../../test/fakes';
import { loadGatewayConfig } from '../config';
import { GatewayMetrics } from '../gateway-metrics';
import { UpstreamPool } from '../proxy/upstream-pool';
import { RoutingTable } from '../routing/routing-table';
import { FanOut } from './fan-out';

const ROUTES = {
  services: {
    contacts: { port: 1, prefixes: ['/api/contacts', '/api/customers'] },
    pipeline: { port: 2, prefixes: ['/api/deals', '/api/leads'] },
    support: { port: 3, prefixes: ['/api/support'] },
  },
  publicRoutes: [],
  loginRoute: 'POST /api/auth/login',
  largeBodyRoutes: [],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FanOut', () => {
  const fakes: FakeUpstream[] = [];
  let pool: UpstreamPool | undefined;

  afterEach(async () => {
    pool?.shutdown();
    pool = undefined;
    await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  });

  /** A fan-out over services whose instances are the given URLs. */
  function fanOut(urls: Record<'contacts' | 'pipeline' | 'support', string>): FanOut {
    const routing = new RoutingTable(ROUTES, {
      CONTACTS_URLS: urls.contacts,
      PIPELINE_URLS: urls.pipeline,
      SUPPORT_URLS: urls.support,
    });
    const config = loadGatewayConfig({});
    pool = new UpstreamPool(routing, config, new GatewayMetrics(new Metrics('gateway')));
    return new FanOut(routing, pool);
  }

  async function fake(handler = echo): Promise<FakeUpstream> {
    const upstream = await FakeUpstream.start(handler);
    fakes.push(upstream);
    return upstream;
  }

  /** Answers `{data: <its path>}` after `delayMs`. */
  const answering =
    (delayMs = 0) =>
    async (req: { url?: string }, res: Parameters<typeof sendJson>[0]) => {
      await sleep(delayMs);
      sendJson(res, 200, { data: { path: req.url } });
    };

  const context = { authorization: 'Bearer caller.token.signature', requestId: 'req-fan-out-1' };

  it('calls every service in parallel and returns each answer under its key', async () => {
    const contacts = await fake(answering(300));
    const pipeline = await fake(answering(300));
    const support = await fake(answering(300));
    const started = Date.now();
    const result = await fanOut({
      contacts: contacts.url,
      pipeline: pipeline.url,
      support: support.url,
    }).call(
      {
        contacts: { path: '/api/contacts?search=ann&limit=10' },
        deals: { path: '/api/deals?search=ann' },
        tickets: { path: '/api/support/tickets' },
      },
      context,
    );
    expect(Date.now() - started).toBeLessThan(800);
    expect(result).toEqual({
      data: {
        contacts: { path: '/api/contacts?search=ann&limit=10' },
        deals: { path: '/api/deals?search=ann' },
        tickets: { path: '/api/support/tickets' },
      },
      degraded: [],
    });
  });

  it('calls a service by name on a path of its own, outside /api', async () => {
    const contacts = await fake(answering());
    const pipeline = await fake(answering());
    const result = await fanOut({
      contacts: contacts.url,
      pipeline: pipeline.url,
      support: contacts.url,
    }).call(
      {
        people: { service: 'contacts', path: '/search?q=ann&types=contacts,customers' },
        sales: { service: 'pipeline', path: '/search?q=ann&types=deals' },
      },
      context,
    );
    expect(result).toEqual({
      data: {
        people: { path: '/search?q=ann&types=contacts,customers' },
        sales: { path: '/search?q=ann&types=deals' },
      },
      degraded: [],
    });
    expect(contacts.arrivals.map((arrival) => arrival.url)).toEqual([
      '/search?q=ann&types=contacts,customers',
    ]);
    expect(pipeline.arrivals.map((arrival) => arrival.url)).toEqual(['/search?q=ann&types=deals']);
    for (const arrival of [...contacts.arrivals, ...pipeline.arrivals]) {
      expect(arrival.headers.authorization).toBe('Bearer caller.token.signature');
      expect(arrival.headers['x-request-id']).toBe('req-fan-out-1');
    }
  });

  it('names a service called by name that is down in degraded', async () => {
    const contacts = await fake(answering());
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await fanOut({ contacts: contacts.url, pipeline: down, support: contacts.url }).call(
      {
        contacts: { service: 'contacts', path: '/search?q=ann' },
        pipeline: { service: 'pipeline', path: '/search?q=ann' },
      },
      context,
    );
    expect(result).toEqual({ data: { contacts: { path: '/search?q=ann' } }, degraded: ['pipeline'] });
  });

  it('forwards the caller’s Authorization unchanged, the request id, and asks for JSON', async () => {
    const contacts = await fake(answering());
    await fanOut({ contacts: contacts.url, pipeline: contacts.url, support: contacts.url }).call(
      { contacts: { path: '/api/contacts' }, leads: { path: '/api/leads' } },
      context,
    );
    expect(contacts.arrivals).toHaveLength(2);
    for (const arrival of contacts.arrivals) {
      expect(arrival.method).toBe('GET');
      expect(arrival.headers.authorization).toBe('Bearer caller.token.signature');
      expect(arrival.headers['x-request-id']).toBe('req-fan-out-1');
      expect(arrival.headers.accept).toBe('application/json');
    }
  });

  it('sends no Authorization when the caller had none', async () => {
    const contacts = await fake(answering());
    await fanOut({ contacts: contacts.url, pipeline: contacts.url, support: contacts.url }).call(
      { contacts: { path: '/api/contacts' } },
      { requestId: 'req-anonymous' },
    );
    expect(contacts.arrivals[0]!.headers.authorization).toBeUndefined();
  });

  it('returns the other services’ answers and names a service that is down in degraded', async () => {
    const contacts = await fake(answering());
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await fanOut({ contacts: contacts.url, pipeline: down, support: contacts.url }).call(
      { contacts: { path: '/api/contacts' }, deals: { path: '/api/deals' }, leads: { path: '/api/leads' } },
      context,
    );
    expect(result).toEqual({ data: { contacts: { path: '/api/contacts' } }, degraded: ['pipeline'] });
  });

  it('does not wait for a slow service beyond its timeout and names it in degraded', async () => {
    const contacts = await fake(answering());
    // Never answers: it lets go when the fan-out gives up on the request.
    const slow = await fake((req) => new Promise((resolve) => req.on('close', resolve)));
    const started = Date.now();
    const result = await fanOut({ contacts: contacts.url, pipeline: slow.url, support: contacts.url }).call(
      { contacts: { path: '/api/contacts' }, deals: { path: '/api/deals', timeoutMs: 200 } },
      context,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result).toEqual({ data: { contacts: { path: '/api/contacts' } }, degraded: ['pipeline'] });
  });

  it('names a service that answers 5xx in degraded', async () => {
    const contacts = await fake(answering());
    const failing = await fake((_req, res) =>
      sendJson(res, 500, { error: { code: 'INTERNAL_ERROR', message: 'boom' } }),
    );
    const result = await fanOut({
      contacts: contacts.url,
      pipeline: contacts.url,
      support: failing.url,
    }).call({ contacts: { path: '/api/contacts' }, tickets: { path: '/api/support/tickets' } }, context);
    expect(result).toEqual({ data: { contacts: { path: '/api/contacts' } }, degraded: ['support'] });
  });

  it('names a service whose answer is not a success envelope in degraded', async () => {
    const contacts = await fake(answering());
    const odd = await fake((req, res) =>
      req.url?.startsWith('/api/deals')
        ? sendJson(res, 403, { error: { code: 'FORBIDDEN', message: 'no' } })
        : sendJson(res, 200, { items: [] }),
    );
    const result = await fanOut({ contacts: contacts.url, pipeline: odd.url, support: contacts.url }).call(
      { contacts: { path: '/api/contacts' }, deals: { path: '/api/deals' }, leads: { path: '/api/leads' } },
      context,
    );
    expect(result).toEqual({ data: { contacts: { path: '/api/contacts' } }, degraded: ['pipeline'] });
  });

  it('names every failing service once, sorted', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await fanOut({ contacts: down, pipeline: down, support: down }).call(
      {
        tickets: { path: '/api/support/tickets' },
        deals: { path: '/api/deals' },
        leads: { path: '/api/leads' },
        contacts: { path: '/api/contacts' },
      },
      context,
    );
    expect(result).toEqual({ data: {}, degraded: ['contacts', 'pipeline', 'support'] });
  });

  it('refuses a path that no service routes (a programming error, not an outage)', async () => {
    const contacts = await fake(answering());
    await expect(
      fanOut({ contacts: contacts.url, pipeline: contacts.url, support: contacts.url }).call(
        { nothing: { path: '/api/nowhere' } },
        context,
      ),
    ).rejects.toThrow('no service routes /api/nowhere');
  });

  it('refuses a service name that the routing table does not have', async () => {
    const contacts = await fake(answering());
    await expect(
      fanOut({ contacts: contacts.url, pipeline: contacts.url, support: contacts.url }).call(
        { nothing: { service: 'nowhere', path: '/search' } },
        context,
      ),
    ).rejects.toThrow('no service named nowhere');
  });
});
