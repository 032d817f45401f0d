import {
  LEAD_STATUSES,
  TagDeleted,
  TagRenamed,
  UserCreated,
  UserDeactivated,
  UserUpdated,
  type EventEnvelope,
} from '@flow-crm/contracts';
import { envelope, eventually, expectError, expectOk, fieldsOf } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import {
  announcedUser,
  announceUser,
  type Json,
  type PipelineCaller,
  type PipelineFixture,
  usePipeline,
  word,
} from './pipeline-app';

/** Every field of a lead the contract names. */
const LEAD_FIELDS = [
  'id',
  'leadNumber',
  'name',
  'email',
  'phone',
  'company',
  'title',
  'source',
  'status',
  'score',
  'rating',
  'budget',
  'authority',
  'need',
  'timeline',
  'estimatedValue',
  'ownerId',
  'lastContactAt',
  'convertedAt',
  'convertedContactId',
  'convertedCustomerId',
  'convertedDealId',
  'tags',
  'createdAt',
  'updatedAt',
];

/** Every field a client may write on a lead, with a value other than its default. */
const FULL_LEAD = {
  name: 'Grace Hopper',
  email: 'grace@navy.example.com',
  phone: '+1 555 0100',
  company: 'US Navy',
  title: 'Rear Admiral',
  source: 'Conference',
  score: 85,
  rating: 'hot',
  budget: 250000.5,
  authority: 'CIO',
  need: 'A compiler for business',
  timeline: 'Q3',
  estimatedValue: 120000.75,
  tags: ['vip', 'navy'],
};

type Page = { data: Json[]; meta: { total: number; page: number; limit: number; totalPages: number } };

const numberOf = (leadNumber: string) => Number(leadNumber.replace(/^LEAD-/, ''));
const ids = (leads: Json[]) => leads.map((lead) => lead.id);
const names = (leads: Json[]) => leads.map((lead) => lead.name);
const sorted = (values: string[]) => [...values].sort();

async function listPage(caller: PipelineCaller, query = ''): Promise<Page> {
  const res = await caller.call('GET', `/api/leads${query ? `?${query}` : ''}`);
  expectOk(res);
  return res.body as Page;
}

/** Publishes an event as another service would and waits until pipeline's consumer has handled it. */
async function deliver(app: PipelineFixture, event: EventEnvelope): Promise<void> {
  await app.inject.publish(event);
  await eventually(async () => {
    const { rows } = await app.db.query('SELECT 1 FROM inbox_events WHERE event_id = $1', [event.id]);
    expect(rows).toHaveLength(1);
  }, 10_000);
}

/** A user event of identity, as `type` at `version`. */
function userEvent(
  type: string,
  organizationId: string,
  user: { id: string; isActive: boolean; role?: string },
  version: number,
): EventEnvelope {
  const data = {
    id: user.id,
    organizationId,
    email: `${word()}@example.com`,
    name: `User ${word()}`,
    role: user.role ?? 'sales',
    isActive: user.isActive,
    avatarUrl: null,
    ...(type === UserUpdated.type ? { changedFields: ['isActive'] } : {}),
  };
  return envelope(type, data, { organizationId, aggregateId: user.id, aggregateVersion: version });
}

describe('leads', () => {
  const app = usePipeline();

  const get = (caller: PipelineCaller, id: string) => caller.call('GET', `/api/leads/${id}`);
  const patch = (caller: PipelineCaller, id: string, body: unknown) =>
    caller.call('PATCH', `/api/leads/${id}`, { body });
  const setStatus = (caller: PipelineCaller, id: string, status: unknown) =>
    caller.call('PATCH', `/api/leads/${id}/status`, { body: { status } });
  const assign = (caller: PipelineCaller, id: string, ownerId: string) =>
    caller.call('PATCH', `/api/leads/${id}/assign`, { body: { ownerId } });
  const bulkAssign = (caller: PipelineCaller, leadIds: string[], ownerId: string) =>
    caller.call('POST', '/api/leads/bulk/assign', { body: { leadIds, ownerId } });
  const convert = (caller: PipelineCaller, id: string, body: unknown = {}) =>
    caller.call('POST', `/api/leads/${id}/convert`, { body });
  const outboxCount = async (aggregateId: string, type: string): Promise<number> => {
    const { rows } = await app.db.query(
      'SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = $1 AND type = $2',
      [aggregateId, type],
    );
    return rows[0].n as number;
  };

  describe('lead numbers', () => {
    it('numbers the leads of an organization LEAD-000001 upward', async () => {
      const admin = app.user('admin');
      const first = await admin.createLead();
      const second = await admin.createLead();
      const third = await admin.createLead();
      expect([first.leadNumber, second.leadNumber, third.leadNumber]).toEqual([
        'LEAD-000001',
        'LEAD-000002',
        'LEAD-000003',
      ]);
      expect(expectOk(await get(admin, second.id)).leadNumber).toBe('LEAD-000002');
    });

    it('keeps a separate sequence for each organization', async () => {
      const one = app.user('admin');
      const two = app.user('admin');
      await one.createLead();
      await one.createLead();
      expect((await two.createLead()).leadNumber).toBe('LEAD-000001');
      expect((await one.createLead()).leadNumber).toBe('LEAD-000003');
      expect((await two.createLead()).leadNumber).toBe('LEAD-000002');
      const { rows } = await app.db.query(
        'SELECT organization_id, last_number::int AS last FROM lead_numbers WHERE organization_id = ANY($1) ORDER BY last',
        [[one.organizationId, two.organizationId]],
      );
      expect(rows).toEqual([
        { organization_id: two.organizationId, last: 2 },
        { organization_id: one.organizationId, last: 3 },
      ]);
    });

    it('gives 30 concurrent creates of one organization 30 distinct consecutive numbers', async () => {
      const admin = app.user('admin');
      const colleague = admin.colleague('manager');
      const created = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? admin : colleague).createLead({ name: `Burst ${i}` })),
      );
      const numbers = created.map((lead) => numberOf(lead.leadNumber)).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(new Set(created.map((lead) => lead.leadNumber)).size).toBe(30);
      const { rows } = await app.db.query(
        'SELECT last_number::int AS last FROM lead_numbers WHERE organization_id = $1',
        [admin.organizationId],
      );
      expect(rows).toEqual([{ last: 30 }]);
      const stored = await app.db.query(
        'SELECT count(DISTINCT lead_number)::int AS n FROM leads WHERE organization_id = $1',
        [admin.organizationId],
      );
      expect(stored.rows[0].n).toBe(30);
      expect((await admin.createLead()).leadNumber).toBe('LEAD-000031');
    });

    it('never reuses the number of a deleted lead, and ignores a number sent by the client', async () => {
      const admin = app.user('admin');
      const first = await admin.createLead({ leadNumber: 'LEAD-999999' });
      expect(first.leadNumber).toBe('LEAD-000001');
      expectOk(await admin.call('DELETE', `/api/leads/${first.id}`));
      expect((await admin.createLead()).leadNumber).toBe('LEAD-000002');
      const renumbered = expectOk(
        await patch(admin, (await admin.createLead()).id, { leadNumber: 'LEAD-000001' }),
      );
      expect(renumbered.leadNumber).toBe('LEAD-000003');
    });
  });

  describe('create, read, update, delete', () => {
    let admin: PipelineCaller;
    beforeAll(() => {
      admin = app.user('admin');
    });

    it('stores every writable field, answers every field of the contract and publishes pipeline.lead.created', async () => {
      const created = expectOk(await admin.call('POST', '/api/leads', { body: FULL_LEAD }), 201);
      for (const field of LEAD_FIELDS) expect(created).toHaveProperty(field);
      expect(created).toMatchObject({
        ...FULL_LEAD,
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        status: 'new',
        lastContactAt: null,
        convertedAt: null,
        convertedContactId: null,
        convertedCustomerId: null,
        convertedDealId: null,
      });
      expect(created.leadNumber).toMatch(/^LEAD-\d{6}$/);
      expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
      expect(created.updatedAt).toBe(created.createdAt);
      expect(expectOk(await get(admin, created.id))).toEqual(created);

      const [event] = await app.events.waitFor(
        (e) => e.type === 'pipeline.lead.created' && e.aggregateId === created.id,
      );
      expect(event).toMatchObject({
        source: 'pipeline',
        organizationId: admin.organizationId,
        actorId: admin.userId,
        aggregateVersion: 1,
      });
      expect(event.data).toEqual({
        id: created.id,
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        leadNumber: created.leadNumber,
        name: FULL_LEAD.name,
        email: FULL_LEAD.email,
        phone: FULL_LEAD.phone,
        company: FULL_LEAD.company,
        source: FULL_LEAD.source,
        status: 'new',
        score: FULL_LEAD.score,
        estimatedValue: FULL_LEAD.estimatedValue,
      });
    });

    it('fills the defaults when only a name is given, trimmed', async () => {
      const created = await admin.createLead({ name: '  Ada Lovelace  ' });
      expect(created).toMatchObject({
        name: 'Ada Lovelace',
        email: null,
        phone: null,
        company: null,
        title: null,
        source: null,
        status: 'new',
        score: 0,
        rating: null,
        budget: null,
        authority: null,
        need: null,
        timeline: null,
        estimatedValue: null,
        tags: [],
        ownerId: admin.userId,
      });
    });

    it('keeps money as JSON numbers with cents, zero included', async () => {
      const created = await admin.createLead({ budget: 0, estimatedValue: 1234.56 });
      expect(created).toMatchObject({ budget: 0, estimatedValue: 1234.56 });
      const raw = (await get(admin, created.id)).text;
      expect(raw).toContain('"estimatedValue":1234.56');
      expect(raw).toContain('"budget":0');
    });

    it.each([
      ['no name', { name: undefined }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['a name that is not a string', { name: 42 }, 'name'],
      ['a name over 200 characters', { name: 'x'.repeat(201) }, 'name'],
      ['an invalid email', { email: 'not-an-email' }, 'email'],
      ['an email without a domain', { email: 'grace@' }, 'email'],
      ['a score above 100', { score: 101 }, 'score'],
      ['a negative score', { score: -1 }, 'score'],
      ['a fractional score', { score: 50.5 }, 'score'],
      ['a score as a string', { score: '50' }, 'score'],
      ['an unknown rating', { rating: 'lukewarm' }, 'rating'],
      ['a rating in capitals', { rating: 'HOT' }, 'rating'],
      ['a negative budget', { budget: -1 }, 'budget'],
      ['a budget with three decimals', { budget: 10.123 }, 'budget'],
      ['a budget as a string', { budget: '100' }, 'budget'],
      ['a budget beyond numeric(15,2)', { budget: 1e14 }, 'budget'],
      ['a negative estimatedValue', { estimatedValue: -0.01 }, 'estimatedValue'],
      ['an estimatedValue with three decimals', { estimatedValue: 99.999 }, 'estimatedValue'],
      ['tags that are not a list', { tags: 'vip' }, 'tags'],
      ['an ownerId that is no UUID', { ownerId: 'boss' }, 'ownerId'],
    ])('refuses %s with 422 naming the field, and creates nothing', async (_case, fields, field) => {
      const marker = word();
      const res = await admin.call('POST', '/api/leads', { body: { name: `Bad ${marker}`, ...fields } });
      expect(fieldsOf(expectError(res, 422))).toContain(field);
      const found = expectOk(await admin.call('GET', `/api/leads?search=${marker}`));
      expect(found).toEqual([]);
    });

    it('names every invalid field in one 422', async () => {
      const error = expectError(
        await admin.call('POST', '/api/leads', {
          body: { email: 'nope', score: 500, rating: 'boiling', budget: -5, estimatedValue: 1.001 },
        }),
        422,
      );
      expect(sorted(fieldsOf(error))).toEqual(
        sorted(['name', 'email', 'score', 'rating', 'budget', 'estimatedValue']),
      );
    });

    it('ignores id, organizationId, status, conversion fields and timestamps in the body', async () => {
      const id = randomUUID();
      const created = await admin.createLead({
        id,
        organizationId: randomUUID(),
        status: 'converted',
        convertedAt: '2020-01-01T00:00:00.000Z',
        convertedContactId: randomUUID(),
        convertedDealId: randomUUID(),
        lastContactAt: '2020-01-01T00:00:00.000Z',
        createdAt: '2000-01-01T00:00:00.000Z',
        version: 40,
      });
      expect(created.id).not.toBe(id);
      expect(created).toMatchObject({
        organizationId: admin.organizationId,
        status: 'new',
        convertedAt: null,
        convertedContactId: null,
        convertedDealId: null,
        lastContactAt: null,
      });
      expect(Date.now() - Date.parse(created.createdAt)).toBeLessThan(60_000);
      expectError(await get(admin, id), 404);

      const updated = expectOk(
        await patch(admin, created.id, {
          status: 'qualified',
          convertedDealId: randomUUID(),
          title: 'Changed',
        }),
      );
      expect(updated).toMatchObject({ status: 'new', convertedDealId: null, title: 'Changed' });
    });

    it('answers 404 to an unknown or malformed id and 401 without a token', async () => {
      expectError(await get(admin, randomUUID()), 404);
      expectError(await get(admin, 'not-a-uuid'), 404);
      expectError(await patch(admin, randomUUID(), { name: 'x' }), 404);
      expectError(await admin.call('DELETE', `/api/leads/${randomUUID()}`), 404);
      expectError(await app.call('GET', '/api/leads'), 401);
      expectError(await app.call('POST', '/api/leads', { body: { name: 'Anonymous' } }), 401);
    });

    describe('PUT and PATCH', () => {
      it.each(['PUT', 'PATCH'])('%s changes only the fields sent', async (method) => {
        const created = await admin.createLead({ ...FULL_LEAD, name: `Partial ${word()}` });
        const updated = expectOk(
          await admin.call(method, `/api/leads/${created.id}`, { body: { title: 'Commodore', score: 40 } }),
        );
        const { updatedAt: before, ...unchanged } = created;
        expect(updated).toEqual({
          ...unchanged,
          title: 'Commodore',
          score: 40,
          updatedAt: updated.updatedAt,
        });
        expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before));
        expect(expectOk(await get(admin, created.id))).toEqual(updated);
      });

      it('clears optional fields with null or an empty string, and replaces the tags', async () => {
        const created = await admin.createLead(FULL_LEAD);
        const updated = expectOk(
          await admin.call('PUT', `/api/leads/${created.id}`, {
            body: {
              email: null,
              company: '',
              rating: null,
              budget: null,
              estimatedValue: null,
              tags: ['solo'],
            },
          }),
        );
        expect(updated).toMatchObject({
          name: FULL_LEAD.name,
          email: null,
          company: null,
          rating: null,
          budget: null,
          estimatedValue: null,
          tags: ['solo'],
          score: FULL_LEAD.score,
        });
      });

      it.each([
        ['a null name', { name: null }, 'name'],
        ['a blank name', { name: ' ' }, 'name'],
        ['a null score', { score: null }, 'score'],
        ['a score above 100', { score: 101 }, 'score'],
        ['an invalid email', { email: 'grace.navy' }, 'email'],
        ['an unknown rating', { rating: 'tepid' }, 'rating'],
        ['a negative budget', { budget: -0.5 }, 'budget'],
        ['an estimatedValue with three decimals', { estimatedValue: 5.555 }, 'estimatedValue'],
      ])('refuses %s with 422 and changes nothing', async (_case, body, field) => {
        const created = await admin.createLead(FULL_LEAD);
        expect(fieldsOf(expectError(await patch(admin, created.id, body), 422))).toContain(field);
        expect(expectOk(await get(admin, created.id))).toEqual(created);
      });

      it('publishes pipeline.lead.updated with the new snapshot and a higher aggregateVersion', async () => {
        const created = await admin.createLead();
        expectOk(await patch(admin, created.id, { company: 'Initech', estimatedValue: 99.5 }));
        const [event] = await app.events.waitFor(
          (e) => e.type === 'pipeline.lead.updated' && e.aggregateId === created.id,
        );
        expect(event.aggregateVersion).toBe(2);
        expect(event.data).toMatchObject({ id: created.id, company: 'Initech', estimatedValue: 99.5 });
      });
    });

    describe('DELETE', () => {
      it('soft deletes: success, then 404 on every route, never listed, pipeline.lead.deleted published', async () => {
        const created = await admin.createLead({ name: `Doomed ${word()}` });
        const res = await admin.call('DELETE', `/api/leads/${created.id}`);
        expect(expectOk(res)).toEqual({ success: true });
        expectError(await get(admin, created.id), 404);
        expectError(await patch(admin, created.id, { title: 'Ghost' }), 404);
        expectError(await admin.call('PUT', `/api/leads/${created.id}`, { body: { title: 'Ghost' } }), 404);
        expectError(await setStatus(admin, created.id, 'contacted'), 404);
        expectError(await convert(admin, created.id), 404);
        expectError(await admin.call('DELETE', `/api/leads/${created.id}`), 404);
        expect(expectOk(await admin.call('GET', `/api/leads?search=${created.name.split(' ')[1]}`))).toEqual(
          [],
        );

        const { rows } = await app.db.query('SELECT deleted_at FROM leads WHERE id = $1', [created.id]);
        expect(rows).toHaveLength(1);
        expect(rows[0].deleted_at).toBeInstanceOf(Date);
        const [event] = await app.events.waitFor(
          (e) => e.type === 'pipeline.lead.deleted' && e.aggregateId === created.id,
        );
        expect(event.data).toMatchObject({ id: created.id, name: created.name });
      });
    });
  });

  describe('GET /api/leads: filters, search, sort, pagination', () => {
    let admin: PipelineCaller;
    let sales: PipelineCaller;
    const l: Record<string, Json> = {};
    beforeAll(async () => {
      admin = app.user('admin');
      sales = admin.colleague('sales');
      l.alpha = await admin.createLead({
        name: 'Alpha Anderson',
        email: 'alpha@acme.example.com',
        company: 'Acme Rockets',
        source: 'Website',
        rating: 'hot',
        score: 90,
        estimatedValue: 5000,
      });
      l.bravo = await sales.createLead({
        name: 'Bravo Brown',
        email: 'bravo@globex.example.com',
        company: 'Globex',
        source: 'Referral',
        rating: 'warm',
        score: 60,
      });
      l.charlie = await admin.createLead({
        name: 'charlie Chen',
        company: 'Initech',
        source: 'website',
        rating: 'cold',
        score: 30,
        estimatedValue: 100,
      });
      l.delta = await admin.createLead({
        name: 'Delta Diaz',
        email: 'delta@acme.example.com',
        source: 'Trade show',
        score: 75,
        estimatedValue: 20000,
      });
      l.echo = await sales.createLead({ name: 'Echo Evans', rating: 'hot' });
      l.foxtrot = await admin.createLead({ name: 'Foxtrot Fisher', rating: 'hot', score: 99 });
      expectOk(await setStatus(admin, l.alpha.id, 'contacted'));
      expectOk(await setStatus(sales, l.bravo.id, 'qualified'));
      expectOk(await setStatus(sales, l.echo.id, 'unqualified'));
      expectOk(await convert(admin, l.delta.id, { createDeal: false }));
      expectOk(await admin.call('DELETE', `/api/leads/${l.foxtrot.id}`));
    });

    const listNames = async (query: string, caller = admin) =>
      sorted(names((await listPage(caller, query)).data));

    it('lists the live leads of the organization, newest first by default, with the totals', async () => {
      const page = await listPage(admin);
      expect(ids(page.data)).toEqual([l.echo.id, l.delta.id, l.charlie.id, l.bravo.id, l.alpha.id]);
      expect(page.meta).toEqual({ total: 5, page: 1, limit: 25, totalPages: 1 });
    });

    it.each([
      ['status=qualified', ['bravo']],
      ['status=new', ['charlie']],
      ['status=converted', ['delta']],
      ['source=Referral', ['bravo']],
      ['source=Trade%20show', ['delta']],
      ['rating=hot', ['alpha', 'echo']],
      ['rating=cold', ['charlie']],
      ['minScore=60', ['alpha', 'bravo', 'delta']],
      ['minScore=90', ['alpha']],
      ['minScore=0', ['alpha', 'bravo', 'charlie', 'delta', 'echo']],
      ['isConverted=true', ['delta']],
      ['isConverted=false', ['alpha', 'bravo', 'charlie', 'echo']],
      ['rating=hot&minScore=50', ['alpha']],
      ['status=unqualified&rating=hot', ['echo']],
      ['rating=warm&status=new', []],
    ])('filters by %s', async (query, keys) => {
      const page = await listPage(admin, query);
      expect(sorted(ids(page.data))).toEqual(sorted(keys.map((key) => l[key].id)));
      expect(page.meta.total).toBe(keys.length);
    });

    it('filters by source whatever its case', async () => {
      expect(await listNames('source=website')).toEqual(sorted([l.alpha.name, l.charlie.name]));
      expect(await listNames('source=WEBSITE')).toEqual(sorted([l.alpha.name, l.charlie.name]));
    });

    it('filters by ownerId', async () => {
      expect(await listNames(`ownerId=${sales.userId}`)).toEqual(['Bravo Brown', 'Echo Evans']);
      expect(await listNames(`ownerId=${admin.userId}`)).toEqual(
        sorted([l.alpha.name, 'charlie Chen', 'Delta Diaz']),
      );
      expect(await listNames(`ownerId=${randomUUID()}`)).toEqual([]);
    });

    it.each([
      ['a word of the name', 'anderson', ['alpha']],
      ['the name in other case', 'CHARLIE chen', ['charlie']],
      ['an email', 'bravo@globex', ['bravo']],
      ['an email domain shared by two', 'acme.example', ['alpha', 'delta']],
      ['a company', 'initech', ['charlie']],
      ['a company or an email', 'ACME', ['alpha', 'delta']],
      ['nothing known', 'zzzzzz', []],
      ['a LIKE wildcard taken literally', '%', []],
    ])('searches %s', async (_case, search, keys) => {
      expect(await listNames(`search=${encodeURIComponent(search)}`)).toEqual(
        sorted(keys.map((key) => l[key].name)),
      );
    });

    it('searches the lead number, whatever its case', async () => {
      expect(await listNames(`search=${l.charlie.leadNumber}`)).toEqual(['charlie Chen']);
      expect(await listNames(`search=${l.bravo.leadNumber.toLowerCase()}`)).toEqual(['Bravo Brown']);
    });

    it('sorts by name, score and estimated value, both ways', async () => {
      const order = async (sort: string) => ids((await listPage(admin, `sort=${sort}`)).data);
      const byName = [l.alpha.id, l.bravo.id, l.charlie.id, l.delta.id, l.echo.id];
      expect(await order('name')).toEqual(byName);
      expect(await order('-name')).toEqual([...byName].reverse());
      expect(await order('-score')).toEqual([l.alpha.id, l.delta.id, l.bravo.id, l.charlie.id, l.echo.id]);
      expect(await order('score')).toEqual([l.echo.id, l.charlie.id, l.bravo.id, l.delta.id, l.alpha.id]);
      const ascending = await order('estimatedValue');
      expect(sorted(ascending.slice(0, 2))).toEqual(sorted([l.bravo.id, l.echo.id]));
      expect(ascending.slice(2)).toEqual([l.charlie.id, l.alpha.id, l.delta.id]);
      const descending = await order('-estimatedValue');
      expect(descending.slice(0, 3)).toEqual([l.delta.id, l.alpha.id, l.charlie.id]);
      expect(sorted(descending.slice(3))).toEqual(sorted([l.bravo.id, l.echo.id]));
      expect(await order('createdAt')).toEqual([l.alpha.id, l.bravo.id, l.charlie.id, l.delta.id, l.echo.id]);
    });

    it('pages through the list with its totals, each lead once', async () => {
      const pages = await Promise.all(
        [1, 2, 3].map((page) => listPage(admin, `sort=name&limit=2&page=${page}`)),
      );
      expect(pages.map((page) => page.meta)).toEqual([
        { total: 5, page: 1, limit: 2, totalPages: 3 },
        { total: 5, page: 2, limit: 2, totalPages: 3 },
        { total: 5, page: 3, limit: 2, totalPages: 3 },
      ]);
      expect(pages.flatMap((page) => ids(page.data))).toEqual([
        l.alpha.id,
        l.bravo.id,
        l.charlie.id,
        l.delta.id,
        l.echo.id,
      ]);
      const past = await listPage(admin, 'limit=2&page=4');
      expect(past.data).toEqual([]);
      expect(past.meta).toEqual({ total: 5, page: 4, limit: 2, totalPages: 3 });
      const filtered = await listPage(admin, 'rating=hot&limit=1');
      expect(filtered.data).toHaveLength(1);
      expect(filtered.meta).toEqual({ total: 2, page: 1, limit: 1, totalPages: 2 });
      expect((await listPage(admin, 'limit=500')).meta.limit).toBe(100);
    });

    it('keeps the totals right as leads come and go', async () => {
      const other = app.user('admin');
      expect((await listPage(other)).meta.total).toBe(0);
      const one = await other.createLead({ rating: 'warm' });
      expect((await listPage(other)).meta.total).toBe(1);
      expect((await listPage(other, 'rating=warm')).meta.total).toBe(1);
      await other.createLead();
      expect((await listPage(other)).meta.total).toBe(2);
      expectOk(await patch(other, one.id, { rating: 'cold' }));
      expect((await listPage(other, 'rating=warm')).meta.total).toBe(0);
      expectOk(await other.call('DELETE', `/api/leads/${one.id}`));
      expect((await listPage(other)).meta.total).toBe(1);
    });

    it.each([
      'status=bogus',
      'rating=lukewarm',
      'minScore=101',
      'minScore=-1',
      'minScore=abc',
      'isConverted=maybe',
      'ownerId=not-a-uuid',
      'sort=bogus',
      'sort=-email',
      'page=0',
      'limit=0',
      'limit=abc',
    ])('refuses %s with 422', async (query) => {
      expectError(await admin.call('GET', `/api/leads?${query}`), 422);
    });

    it('shows a sales user only its own leads, with its own totals and filters', async () => {
      const page = await listPage(sales);
      expect(sorted(ids(page.data))).toEqual(sorted([l.bravo.id, l.echo.id]));
      expect(page.meta.total).toBe(2);
      expect(await listNames(`ownerId=${admin.userId}`, sales)).toEqual([]);
      expect(await listNames('rating=hot', sales)).toEqual(['Echo Evans']);
      expect(await listNames('search=acme', sales)).toEqual([]);
    });

    it('counts every status in GET /api/leads/stats, deleted leads left out', async () => {
      expect(expectOk(await admin.call('GET', '/api/leads/stats'))).toEqual({
        total: 5,
        byStatus: { new: 1, contacted: 1, qualified: 1, unqualified: 1, converted: 1 },
      });
      expect(expectOk(await sales.call('GET', '/api/leads/stats'))).toEqual({
        total: 2,
        byStatus: { new: 0, contacted: 0, qualified: 1, unqualified: 1, converted: 0 },
      });
      const empty = expectOk(await app.user('manager').call('GET', '/api/leads/stats'));
      expect(empty).toEqual({ total: 0, byStatus: Object.fromEntries(LEAD_STATUSES.map((s) => [s, 0])) });
    });
  });

  describe('tenancy', () => {
    it("answers 404 to another organization's lead on every route, and never lists or counts it", async () => {
      const owner = app.user('admin');
      const stranger = app.user('admin');
      await announcedUser(app, stranger);
      const lead = await owner.createLead({ name: `Private ${word()}`, company: 'Secret Co' });
      const before = expectOk(await get(owner, lead.id));

      expectError(await get(stranger, lead.id), 404);
      expectError(await stranger.call('PUT', `/api/leads/${lead.id}`, { body: { name: 'Stolen' } }), 404);
      expectError(await patch(stranger, lead.id, { name: 'Stolen' }), 404);
      expectError(await setStatus(stranger, lead.id, 'qualified'), 404);
      expectError(await assign(stranger, lead.id, stranger.userId), 404);
      expectError(await convert(stranger, lead.id), 404);
      expectError(await stranger.call('DELETE', `/api/leads/${lead.id}`), 404);
      expect(expectOk(await bulkAssign(stranger, [lead.id], stranger.userId))).toEqual({ updated: 0 });

      const listed = await listPage(stranger);
      expect(ids(listed.data)).not.toContain(lead.id);
      expect(listed.meta.total).toBe(0);
      expect(expectOk(await stranger.call('GET', `/api/leads?search=${lead.name.split(' ')[1]}`))).toEqual(
        [],
      );
      expect(expectOk(await stranger.call('GET', `/api/leads?search=${lead.leadNumber}`))).toEqual([]);
      expect(expectOk(await stranger.call('GET', '/api/leads/stats')).total).toBe(0);

      expect(expectOk(await get(owner, lead.id))).toEqual(before);
      const { rows } = await app.db.query(
        'SELECT count(*)::int AS n FROM deals WHERE organization_id = ANY($1)',
        [[owner.organizationId, stranger.organizationId]],
      );
      expect(rows[0].n).toBe(0);
      expect(await outboxCount(lead.id, 'pipeline.lead.converted')).toBe(0);
    });
  });

  describe('sales users', () => {
    let admin: PipelineCaller;
    let sales: PipelineCaller;
    beforeAll(async () => {
      admin = app.user('admin');
      sales = await announcedUser(app, admin.colleague('sales'));
    });

    it("see, change and delete only their own leads: others' are 404", async () => {
      const theirs = await admin.createLead();
      const mine = await sales.createLead();
      expect(mine.ownerId).toBe(sales.userId);
      expectOk(await get(sales, mine.id));
      expectError(await get(sales, theirs.id), 404);
      expectError(await patch(sales, theirs.id, { title: 'Mine now' }), 404);
      expectError(await setStatus(sales, theirs.id, 'contacted'), 404);
      expectError(await convert(sales, theirs.id), 404);
      expectError(await sales.call('DELETE', `/api/leads/${theirs.id}`), 404);
      expect(ids((await listPage(sales)).data)).toEqual([mine.id]);
      expect(expectOk(await get(admin, theirs.id))).toEqual(theirs);
      expect(expectOk(await get(admin, mine.id)).ownerId).toBe(sales.userId);
    });

    it('cannot give their leads to someone else: ownerId in a body is ignored', async () => {
      const created = await sales.createLead({ ownerId: admin.userId });
      expect(created.ownerId).toBe(sales.userId);
      const updated = expectOk(await patch(sales, created.id, { ownerId: admin.userId, title: 'Kept' }));
      expect(updated).toMatchObject({ ownerId: sales.userId, title: 'Kept' });
    });

    it('cannot assign (403) or bulk assign (403), even their own leads', async () => {
      const mine = await sales.createLead();
      expectError(await assign(sales, mine.id, admin.userId), 403);
      expectError(await bulkAssign(sales, [mine.id], admin.userId), 403);
      expect(expectOk(await get(sales, mine.id)).ownerId).toBe(sales.userId);
    });
  });

  describe('PATCH /api/leads/:id/status', () => {
    let admin: PipelineCaller;
    beforeAll(() => {
      admin = app.user('admin');
    });

    it('moves the lead through the statuses and publishes pipeline.lead.status_changed', async () => {
      const lead = await admin.createLead({ company: 'Hooli', estimatedValue: 10 });
      const contacted = expectOk(await setStatus(admin, lead.id, 'contacted'));
      expect(contacted).toMatchObject({ id: lead.id, status: 'contacted', company: 'Hooli' });
      expect(expectOk(await get(admin, lead.id)).status).toBe('contacted');
      expect(expectOk(await setStatus(admin, lead.id, 'qualified')).status).toBe('qualified');
      expect(expectOk(await setStatus(admin, lead.id, 'unqualified')).status).toBe('unqualified');
      expect(expectOk(await setStatus(admin, lead.id, 'new')).status).toBe('new');

      const events = await app.events.waitFor(
        (e) => e.type === 'pipeline.lead.status_changed' && e.aggregateId === lead.id,
        4,
      );
      expect(events.map((e) => [e.data.fromStatus, e.data.toStatus])).toEqual([
        ['new', 'contacted'],
        ['contacted', 'qualified'],
        ['qualified', 'unqualified'],
        ['unqualified', 'new'],
      ]);
      expect(events[0]!.data).toMatchObject({
        id: lead.id,
        organizationId: admin.organizationId,
        leadNumber: lead.leadNumber,
        status: 'contacted',
        company: 'Hooli',
      });
      expect(events[0]!.actorId).toBe(admin.userId);
    });

    it.each([
      ['converted', 'converted'],
      ['an unknown status', 'won'],
      ['no status', undefined],
      ['a null status', null],
    ])('refuses %s with 422 naming status, and leaves the lead as it was', async (_case, status) => {
      const lead = await admin.createLead();
      expect(fieldsOf(expectError(await setStatus(admin, lead.id, status), 422))).toContain('status');
      expect(expectOk(await get(admin, lead.id))).toMatchObject({ status: 'new', convertedAt: null });
    });

    it('refuses to change the status of a converted lead with 409', async () => {
      const lead = await admin.createLead();
      expectOk(await convert(admin, lead.id, { createDeal: false }));
      for (const status of ['new', 'contacted', 'qualified', 'unqualified'])
        expectError(await setStatus(admin, lead.id, status), 409);
      expect(expectOk(await get(admin, lead.id)).status).toBe('converted');
    });
  });

  describe('assignment', () => {
    let admin: PipelineCaller;
    beforeAll(() => {
      admin = app.user('admin');
    });

    it('assigns to a user identity announced, publishing pipeline.lead.assigned with previousOwnerId', async () => {
      const sales = admin.colleague('sales');
      const lead = await admin.createLead();
      await announceUser(app, admin.organizationId, { id: sales.userId, role: 'sales' });
      const assigned = await eventually(async () => expectOk(await assign(admin, lead.id, sales.userId)));
      expect(assigned).toMatchObject({ id: lead.id, ownerId: sales.userId, leadNumber: lead.leadNumber });
      expect(expectOk(await get(admin, lead.id)).ownerId).toBe(sales.userId);
      expect(ids((await listPage(sales)).data)).toEqual([lead.id]);

      const [event] = await app.events.waitFor(
        (e) => e.type === 'pipeline.lead.assigned' && e.aggregateId === lead.id,
      );
      expect(event).toMatchObject({ organizationId: admin.organizationId, actorId: admin.userId });
      expect(event.data).toMatchObject({
        id: lead.id,
        ownerId: sales.userId,
        previousOwnerId: admin.userId,
        leadNumber: lead.leadNumber,
      });
    });

    it('lets a manager assign, and an uppercase id names the same user', async () => {
      const manager = admin.colleague('manager');
      const target = await announcedUser(app, admin.colleague('sales'));
      const lead = await admin.createLead();
      const assigned = expectOk(await assign(manager, lead.id, target.userId.toUpperCase()));
      expect(assigned.ownerId).toBe(target.userId);
    });

    it('lets an admin name an active owner on create and update, and refuses an unknown one with 422', async () => {
      const target = await announcedUser(app, admin.colleague('sales'));
      const created = await admin.createLead({ ownerId: target.userId });
      expect(created.ownerId).toBe(target.userId);
      const ghost = randomUUID();
      expect(
        fieldsOf(
          expectError(
            await admin.call('POST', '/api/leads', { body: { name: 'Ghost', ownerId: ghost } }),
            422,
          ),
        ),
      ).toContain('ownerId');
      const mine = await admin.createLead();
      expect(fieldsOf(expectError(await patch(admin, mine.id, { ownerId: ghost }), 422))).toContain(
        'ownerId',
      );
      expect(expectOk(await patch(admin, mine.id, { ownerId: target.userId })).ownerId).toBe(target.userId);
      const [event] = await app.events.waitFor(
        (e) => e.type === 'pipeline.lead.assigned' && e.aggregateId === mine.id,
      );
      expect(event.data).toMatchObject({ ownerId: target.userId, previousOwnerId: admin.userId });
    });

    it('refuses with 422 a user pipeline does not know, and a user of another organization', async () => {
      const lead = await admin.createLead();
      const unknown = expectError(await assign(admin, lead.id, randomUUID()), 422);
      expect(fieldsOf(unknown)).toEqual(['ownerId']);

      const elsewhere = randomUUID();
      await deliver(app, userEvent(UserCreated.type, randomUUID(), { id: elsewhere, isActive: true }, 1));
      expect(fieldsOf(expectError(await assign(admin, lead.id, elsewhere), 422))).toEqual(['ownerId']);
      expect(fieldsOf(expectError(await assign(admin, lead.id, 'someone'), 422))).toEqual(['ownerId']);
      expect(expectOk(await get(admin, lead.id)).ownerId).toBe(admin.userId);
      expect(await outboxCount(lead.id, 'pipeline.lead.assigned')).toBe(0);
    });

    it('refuses with 422 a user identity deactivated later (a higher version)', async () => {
      const userId = randomUUID();
      const lead = await admin.createLead();
      await deliver(
        app,
        userEvent(UserCreated.type, admin.organizationId, { id: userId, isActive: true }, 1),
      );
      expectOk(await assign(admin, lead.id, userId));
      const other = await admin.createLead();

      await deliver(
        app,
        userEvent(UserDeactivated.type, admin.organizationId, { id: userId, isActive: false }, 2),
      );
      expect(fieldsOf(expectError(await assign(admin, other.id, userId), 422))).toEqual(['ownerId']);
      expectError(await bulkAssign(admin, [other.id], userId), 422);
      expect(expectOk(await get(admin, other.id)).ownerId).toBe(admin.userId);
    });

    it('ignores an older user event delivered after a newer one', async () => {
      const userId = randomUUID();
      const lead = await admin.createLead();
      await deliver(
        app,
        userEvent(UserCreated.type, admin.organizationId, { id: userId, isActive: true }, 1),
      );
      await deliver(
        app,
        userEvent(UserDeactivated.type, admin.organizationId, { id: userId, isActive: false }, 3),
      );
      expectError(await assign(admin, lead.id, userId), 422);
      // A stale "active again" (version 2) arrives late: it must change nothing.
      await deliver(
        app,
        userEvent(UserUpdated.type, admin.organizationId, { id: userId, isActive: true }, 2),
      );
      expect(fieldsOf(expectError(await assign(admin, lead.id, userId), 422))).toEqual(['ownerId']);
      const { rows } = await app.db.query(
        'SELECT is_active, aggregate_version FROM user_replicas WHERE id = $1',
        [userId],
      );
      expect(rows).toEqual([{ is_active: false, aggregate_version: 3 }]);
      // A newer one does apply.
      await deliver(
        app,
        userEvent(UserUpdated.type, admin.organizationId, { id: userId, isActive: true }, 4),
      );
      expect(expectOk(await assign(admin, lead.id, userId)).ownerId).toBe(userId);
    });

    it('answers the lead unchanged, without an event, when it already has that owner', async () => {
      const target = await announcedUser(app, admin.colleague('sales'));
      const lead = await admin.createLead({ ownerId: target.userId });
      expect(expectOk(await assign(admin, lead.id, target.userId)).ownerId).toBe(target.userId);
      expect(await outboxCount(lead.id, 'pipeline.lead.assigned')).toBe(0);
    });
  });

  describe('POST /api/leads/bulk/assign', () => {
    it("assigns the organization's listed leads, skips other organizations' ids, and publishes one event per lead", async () => {
      const admin = app.user('admin');
      const manager = admin.colleague('manager');
      const target = await announcedUser(app, admin.colleague('sales'));
      const stranger = app.user('admin');
      const mine = [await admin.createLead(), await manager.createLead(), await admin.createLead()];
      const untouched = await admin.createLead();
      const deleted = await admin.createLead();
      expectOk(await admin.call('DELETE', `/api/leads/${deleted.id}`));
      const foreign = await stranger.createLead();

      const res = await bulkAssign(
        manager,
        [...ids(mine), mine[0]!.id.toUpperCase(), foreign.id, deleted.id, randomUUID()],
        target.userId,
      );
      expect(res.status).toBe(200);
      expect(expectOk(res)).toEqual({ updated: 3 });

      for (const lead of mine) expect(expectOk(await get(admin, lead.id)).ownerId).toBe(target.userId);
      expect(expectOk(await get(admin, untouched.id)).ownerId).toBe(admin.userId);
      expect(expectOk(await get(stranger, foreign.id))).toMatchObject({ ownerId: stranger.userId });
      expect(sorted(ids((await listPage(target)).data))).toEqual(sorted(ids(mine)));

      const events = await app.events.waitFor(
        (e) => e.type === 'pipeline.lead.assigned' && ids(mine).includes(e.aggregateId),
        3,
      );
      expect(events).toHaveLength(3);
      expect(
        Object.fromEntries(events.map((e) => [e.aggregateId, [e.data.ownerId, e.data.previousOwnerId]])),
      ).toEqual({
        [mine[0]!.id]: [target.userId, admin.userId],
        [mine[1]!.id]: [target.userId, manager.userId],
        [mine[2]!.id]: [target.userId, admin.userId],
      });
      expect(await outboxCount(foreign.id, 'pipeline.lead.assigned')).toBe(0);
      expect(await outboxCount(deleted.id, 'pipeline.lead.assigned')).toBe(0);
    });

    it.each([
      ['an empty list', { leadIds: [] }, 'leadIds'],
      ['ids that are not UUIDs', { leadIds: ['abc'] }, 'leadIds'],
      ['no list', { leadIds: undefined }, 'leadIds'],
      ['no ownerId', { ownerId: undefined }, 'ownerId'],
    ])('refuses %s with 422', async (_case, body, field) => {
      const admin = app.user('admin');
      const lead = await admin.createLead();
      const res = await admin.call('POST', '/api/leads/bulk/assign', {
        body: { leadIds: [lead.id], ownerId: admin.userId, ...body },
      });
      expect(fieldsOf(expectError(res, 422))).toContain(field);
    });

    it('refuses an owner who is not an active user of the organization with 422, changing nothing', async () => {
      const admin = app.user('admin');
      const leads = [await admin.createLead(), await admin.createLead()];
      expect(fieldsOf(expectError(await bulkAssign(admin, ids(leads), randomUUID()), 422))).toEqual([
        'ownerId',
      ]);
      for (const lead of leads) expect(expectOk(await get(admin, lead.id)).ownerId).toBe(admin.userId);
    });
  });

  describe('lead sources', () => {
    it('creates sources and lists them sorted by name, per organization', async () => {
      const admin = app.user('admin');
      const sales = admin.colleague('sales');
      const created = expectOk(
        await admin.call('POST', '/api/leads/sources', { body: { name: '  Webinar ' } }),
        201,
      );
      expect(created).toEqual({ id: expect.any(String), name: 'Webinar', createdAt: expect.any(String) });
      for (const name of ['Referral', 'Cold call', 'Trade show'])
        expectOk(await sales.call('POST', '/api/leads/sources', { body: { name } }), 201);
      const listed = expectOk(await admin.call('GET', '/api/leads/sources'));
      expect(listed.map((source: Json) => source.name)).toEqual([
        'Cold call',
        'Referral',
        'Trade show',
        'Webinar',
      ]);
      expect(listed.find((source: Json) => source.name === 'Webinar')).toEqual(created);

      const other = app.user('admin');
      expect(expectOk(await other.call('GET', '/api/leads/sources'))).toEqual([]);
      expectOk(await other.call('POST', '/api/leads/sources', { body: { name: 'Webinar' } }), 201);
      expect(expectOk(await other.call('GET', '/api/leads/sources')).map((s: Json) => s.name)).toEqual([
        'Webinar',
      ]);
      expect(expectOk(await admin.call('GET', '/api/leads/sources'))).toHaveLength(4);
    });

    it('refuses a name the organization already has, in any case, with 409', async () => {
      const admin = app.user('admin');
      expectOk(await admin.call('POST', '/api/leads/sources', { body: { name: 'Partner' } }), 201);
      expectError(await admin.call('POST', '/api/leads/sources', { body: { name: 'Partner' } }), 409);
      expectError(await admin.call('POST', '/api/leads/sources', { body: { name: 'PARTNER' } }), 409);
      expectError(await admin.call('POST', '/api/leads/sources', { body: { name: ' partner ' } }), 409);
      expect(expectOk(await admin.call('GET', '/api/leads/sources'))).toHaveLength(1);
    });

    it.each([
      ['no name', {}],
      ['a blank name', { name: '  ' }],
      ['a name over 100 characters', { name: 's'.repeat(101) }],
    ])('refuses %s with 422', async (_case, body) => {
      const admin = app.user('admin');
      expect(fieldsOf(expectError(await admin.call('POST', '/api/leads/sources', { body }), 422))).toEqual([
        'name',
      ]);
    });
  });

  describe('tags from the contacts catalog', () => {
    const tagEvent = (type: string, organizationId: string, data: Record<string, string>) =>
      envelope(
        type,
        { id: randomUUID(), organizationId, ...data },
        {
          organizationId,
          aggregateId: randomUUID(),
          aggregateVersion: 2,
        },
      );

    it('removes a deleted tag from the leads of that organization only', async () => {
      const admin = app.user('admin');
      const other = app.user('admin');
      const tagged = await admin.createLead({ tags: ['vip', 'newsletter', 'keep'] });
      const untagged = await admin.createLead({ tags: ['keep'] });
      const elsewhere = await other.createLead({ tags: ['vip'] });
      expect((await listPage(admin, 'tag=vip')).meta.total).toBe(1);
      await app.inject.publish(tagEvent(TagDeleted.type, admin.organizationId, { name: 'vip' }));
      await eventually(async () =>
        expect(expectOk(await get(admin, tagged.id)).tags).toEqual(['newsletter', 'keep']),
      );
      expect(await listPage(admin, 'tag=vip')).toMatchObject({ data: [], meta: { total: 0 } });
      expect((await listPage(other, 'tag=vip')).meta.total).toBe(1);
      expect(expectOk(await get(admin, untagged.id)).tags).toEqual(['keep']);
      expect(expectOk(await get(other, elsewhere.id)).tags).toEqual(['vip']);
    });

    it('renames a tag on the leads of that organization, keeping one copy where both were present', async () => {
      const admin = app.user('admin');
      const other = app.user('admin');
      const tagged = await admin.createLead({ tags: ['alpha', 'newsletter', 'omega'] });
      const both = await admin.createLead({ tags: ['newsletter', 'subscriber'] });
      const elsewhere = await other.createLead({ tags: ['newsletter'] });
      await deliver(
        app,
        tagEvent(TagRenamed.type, admin.organizationId, { previousName: 'newsletter', name: 'subscriber' }),
      );
      expect(expectOk(await get(admin, tagged.id)).tags).toEqual(['alpha', 'subscriber', 'omega']);
      expect(expectOk(await get(admin, both.id)).tags).toEqual(['subscriber']);
      expect(expectOk(await get(other, elsewhere.id)).tags).toEqual(['newsletter']);
      expect(await listPage(admin, 'tag=newsletter')).toMatchObject({ data: [], meta: { total: 0 } });
    });
  });
});
