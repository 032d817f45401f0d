import { expectError, expectOk, fieldsOf, uniqueEmail } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

const DAY_MS = 86_400_000;
const SORT_FIELDS = [
  'name',
  'createdAt',
  'updatedAt',
  'healthScore',
  'churnRisk',
  'lastContactAt',
  'totalDealsValue',
] as const;

/** The end of the current UTC day, as the needs-follow-up filter defines it. */
function endOfUtcDay(): number {
  return Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
}

const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
const ids = (contacts: Json[]) => contacts.map((contact) => contact.id);
const sorted = (values: string[]) => [...values].sort();

describe('contacts: list, search, filters, sort, pagination, stats, insights', () => {
  const app = useContacts();

  const list = async (caller: Caller, query = ''): Promise<Json[]> =>
    expectOk(await caller.call('GET', `/api/contacts${query ? `?${query}` : ''}`));
  const listPage = async (caller: Caller, query: string) => {
    const res = await caller.call('GET', `/api/contacts?${query}`);
    expectOk(res);
    return res.body as {
      data: Json[];
      meta: { total: number; page: number; limit: number; totalPages: number };
    };
  };
  const setColumns = (id: string, columns: Record<string, unknown>) => {
    const names = Object.keys(columns);
    return app.db.query(
      `UPDATE contacts SET ${names.map((name, i) => `${name} = $${i + 2}`).join(', ')} WHERE id = $1`,
      [id, ...Object.values(columns)],
    );
  };

  describe('search', () => {
    let admin: Caller;
    const w = Array.from({ length: 8 }, () => word());
    const c: Record<string, Json> = {};
    beforeAll(async () => {
      admin = app.user('admin');
      c.byName = await admin.createContact({ name: `Zora ${w[0]} Quill` });
      c.byEmail = await admin.createContact({ name: 'Plain Person', email: `${w[1]}@example.com` });
      c.byCompany = await admin.createContact({ name: 'Other Person', company: `${w[2]} Holdings` });
      c.percent = await admin.createContact({ name: `100% ${w[3]}` });
      c.notPercent = await admin.createContact({ name: `100x ${w[3]}` });
      c.underscore = await admin.createContact({ name: `a_b${w[4]}` });
      c.notUnderscore = await admin.createContact({ name: `axb${w[4]}` });
      c.backslash = await admin.createContact({ name: `back\\slash ${w[5]}` });
      c.split = await admin.createContact({ name: `Split ${w[6]}`, company: `${w[7]} Ltd` });
    });

    it('finds name, email and company substrings in any case', async () => {
      expect(ids(await list(admin, `search=${w[0]!.toUpperCase()}`))).toEqual([c.byName.id]);
      expect(ids(await list(admin, `search=${encodeURIComponent(`${w[0]} quILL`)}`))).toEqual([c.byName.id]);
      expect(ids(await list(admin, `search=${w[1]}%40EXAMPLE`))).toEqual([c.byEmail.id]);
      expect(ids(await list(admin, `search=${encodeURIComponent(`${w[2]} HOLD`)}`))).toEqual([
        c.byCompany.id,
      ]);
      expect(ids(await list(admin, `search=${encodeURIComponent(`  ${w[0]}  `)}`))).toEqual([c.byName.id]);
    });

    it('takes % and _ and \\ literally', async () => {
      expect(ids(await list(admin, `search=${encodeURIComponent('%')}`))).toEqual([c.percent.id]);
      expect(ids(await list(admin, `search=${encodeURIComponent(`0% ${w[3]}`)}`))).toEqual([c.percent.id]);
      expect(ids(await list(admin, `search=${encodeURIComponent(`a_b${w[4]}`)}`))).toEqual([c.underscore.id]);
      expect(ids(await list(admin, 'search=_'))).toEqual([c.underscore.id]);
      expect(ids(await list(admin, `search=${encodeURIComponent('\\')}`))).toEqual([c.backslash.id]);
    });

    it('never matches across two fields', async () => {
      expect(ids(await list(admin, `search=${w[7]}`))).toEqual([c.split.id]);
      expect(await list(admin, `search=${encodeURIComponent(`${w[6]}${w[7]}`)}`)).toEqual([]);
      expect(await list(admin, `search=${encodeURIComponent(`${w[6]} ${w[7]}`)}`)).toEqual([]);
    });

    it('lists everything for a blank search and refuses one over 200 characters', async () => {
      expect(await list(admin, 'search=%20%20')).toHaveLength(Object.keys(c).length);
      expect(
        fieldsOf(expectError(await admin.call('GET', `/api/contacts?search=${'x'.repeat(201)}`), 422)),
      ).toEqual(['search']);
    });
  });

  describe('filters and stats', () => {
    let admin: Caller;
    let sales: Caller;
    const c: Record<string, Json> = {};
    let customer: Json;
    beforeAll(async () => {
      admin = app.user('admin');
      sales = admin.colleague('sales');
      customer = await admin.createCustomer();
      const endOfDay = endOfUtcDay();
      const create = async (key: string, body: Record<string, unknown> = {}) => {
        c[key] = await admin.createContact({ name: key, ...body });
      };
      await create('valueAtLimit');
      await create('valueAbove');
      await create('valueHigh');
      await create('churnAtLimit', { churnRisk: 60 });
      await create('churnAbove', { churnRisk: 61 });
      await create('churnMax', { churnRisk: 100 });
      await create('contacted6DaysAgo');
      await create('contacted8DaysAgo');
      await create('contactedNow');
      await create('followUpLateToday', { nextFollowUpAt: new Date(endOfDay - 1000).toISOString() });
      await create('followUpYesterday', { nextFollowUpAt: new Date(endOfDay - 1.5 * DAY_MS).toISOString() });
      await create('followUpMidnight', { nextFollowUpAt: new Date(endOfDay).toISOString() });
      await create('followUpTomorrow', { nextFollowUpAt: new Date(endOfDay + 3_600_000).toISOString() });
      await create('taggedVip', { tags: ['Vip', 'emea'] });
      await create('taggedVipToo', { tags: ['VIP'] });
      await create('taggedVipPlus', { tags: ['vip-plus'] });
      await create('ofCustomer', { customerId: customer.id });
      await create('ofCustomerToo', { customerId: customer.id, churnRisk: 90 });
      await create('ofSales', { ownerId: sales.userId });
      await create('plain');
      await setColumns(c.valueAtLimit.id, { total_deals_value: 50_000 });
      await setColumns(c.valueAbove.id, { total_deals_value: 50_000.01 });
      await setColumns(c.valueHigh.id, { total_deals_value: 1_250_000.5 });
      await setColumns(c.contacted6DaysAgo.id, { last_contact_at: ago(6) });
      await setColumns(c.contacted8DaysAgo.id, { last_contact_at: ago(8) });
      expectOk(
        await admin.call('POST', `/api/contacts/${c.contactedNow.id}/communication`, {
          body: { type: 'email', occurredAt: new Date().toISOString(), summary: 'Hello' },
        }),
        201,
      );
    });

    const filtered = async (query: string) => sorted(ids(await list(admin, `limit=100&${query}`)));
    const keys = (...names: string[]) => sorted(names.map((name) => c[name].id));

    it('high-value: totalDealsValue above 50000', async () => {
      expect(await filtered('filter=high-value')).toEqual(keys('valueAbove', 'valueHigh'));
      const [high] = await list(admin, `filter=high-value&search=valueHigh`);
      expect(high.totalDealsValue).toBe(1_250_000.5);
    });

    it('at-risk: churnRisk above 60', async () => {
      expect(await filtered('filter=at-risk')).toEqual(keys('churnAbove', 'churnMax', 'ofCustomerToo'));
    });

    it('recent: a last contact in the last 7 days', async () => {
      expect(await filtered('filter=recent')).toEqual(keys('contacted6DaysAgo', 'contactedNow'));
    });

    it('needs-follow-up: a follow-up before the end of the current UTC day', async () => {
      expect(await filtered('filter=needs-follow-up')).toEqual(
        keys('followUpLateToday', 'followUpYesterday'),
      );
    });

    it('tag: exact tag in any case, through the catalog spelling', async () => {
      expect(c.taggedVipToo.tags).toEqual(['Vip']);
      for (const tag of ['vip', 'VIP', 'vIp', '%20Vip%20'])
        expect(await filtered(`tag=${tag}`)).toEqual(keys('taggedVip', 'taggedVipToo'));
      expect(await filtered('tag=EMEA')).toEqual(keys('taggedVip'));
      expect(await filtered('tag=vi')).toEqual([]);
      expect(await filtered('tag=unknown-tag')).toEqual([]);
    });

    it('customerId and ownerId', async () => {
      expect(await filtered(`customerId=${customer.id}`)).toEqual(keys('ofCustomer', 'ofCustomerToo'));
      expect(await filtered(`customerId=${randomUUID()}`)).toEqual([]);
      expect(await filtered(`ownerId=${sales.userId}`)).toEqual(keys('ofSales'));
      expect((await filtered(`ownerId=${admin.userId}`)).length).toBe(Object.keys(c).length - 1);
    });

    it('combines filters, tag, search and ids with AND', async () => {
      expect(await filtered(`customerId=${customer.id}&filter=at-risk`)).toEqual(keys('ofCustomerToo'));
      expect(await filtered(`customerId=${customer.id}&filter=high-value`)).toEqual([]);
      expect(await filtered('tag=vip&search=TOO')).toEqual(keys('taggedVipToo'));
      expect(await filtered('filter=at-risk&search=churn')).toEqual(keys('churnAbove', 'churnMax'));
    });

    it('stats counts with the same definitions', async () => {
      expect(expectOk(await admin.call('GET', '/api/contacts/stats'))).toEqual({
        total: Object.keys(c).length,
        highValue: 2,
        atRisk: 3,
        needsFollowUp: 2,
      });
      expect(expectOk(await sales.call('GET', '/api/contacts/stats'))).toEqual({
        total: 1,
        highValue: 0,
        atRisk: 0,
        needsFollowUp: 0,
      });
      expect(expectOk(await app.user('manager').call('GET', '/api/contacts/stats'))).toEqual({
        total: 0,
        highValue: 0,
        atRisk: 0,
        needsFollowUp: 0,
      });
    });

    it('stats leave deleted contacts out', async () => {
      const gone = await admin.createContact({ churnRisk: 99, nextFollowUpAt: ago(3).toISOString() });
      await setColumns(gone.id, { total_deals_value: 99_999 });
      const before = expectOk(await admin.call('GET', '/api/contacts/stats'));
      expectOk(await admin.call('DELETE', `/api/contacts/${gone.id}`));
      const after = expectOk(await admin.call('GET', '/api/contacts/stats'));
      expect(after).toEqual({
        total: before.total - 1,
        highValue: before.highValue - 1,
        atRisk: before.atRisk - 1,
        needsFollowUp: before.needsFollowUp - 1,
      });
    });
  });

  describe('sort', () => {
    let admin: Caller;
    let all: Json[];
    beforeAll(async () => {
      admin = app.user('admin');
      // Names that order the same under any collation; "bob" and "BOB" tie on lower(name).
      const rows: [string, number, number, number | null, number, number, number][] = [
        // name, healthScore, churnRisk, lastContact (days ago), dealsValue, created (days ago), updated (days ago)
        ['carol', 50, 10, null, 0, 5, 1],
        ['alice', 90, 10, 3, 100, 9, 9],
        ['bob', 20, 70, null, 100, 2, 4],
        ['Dave', 50, 30, 1, 2_500.5, 7, 2],
        ['BOB', 70, 70, 3, 0, 2, 4],
        ['eve', 5, 0, 10, 75_000, 1, 0.5],
        ['Frank', 50, 95, 1, 0, 7, 6],
      ];
      const base = Date.now();
      for (const [name, healthScore, churnRisk, lastContact, value, created, updated] of rows) {
        const contact = await admin.createContact({ name, healthScore, churnRisk });
        await setColumns(contact.id, {
          last_contact_at: lastContact === null ? null : new Date(base - lastContact * DAY_MS),
          total_deals_value: value,
          created_at: new Date(base - created * DAY_MS),
          updated_at: new Date(base - updated * DAY_MS),
        });
      }
      all = await list(admin, 'limit=100');
      expect(all).toHaveLength(rows.length);
    });

    /** The contract's order: the field (missing values lowest), then the id, both in the same direction. */
    function expected(field: (typeof SORT_FIELDS)[number], descending: boolean): string[] {
      const value = (contact: Json) => (field === 'name' ? contact.name.toLowerCase() : contact[field]);
      const ascending = [...all].sort((a, b) => {
        const [x, y] = [value(a), value(b)];
        if (x !== y) {
          if (x === null) return -1;
          if (y === null) return 1;
          return x < y ? -1 : 1;
        }
        return a.id < b.id ? -1 : 1;
      });
      return ids(descending ? ascending.reverse() : ascending);
    }

    it.each(SORT_FIELDS.flatMap((field) => [field, `-${field}`]))(
      'sort=%s orders every page the same way, without overlaps or gaps',
      async (sort) => {
        const descending = sort.startsWith('-');
        const field = (descending ? sort.slice(1) : sort) as (typeof SORT_FIELDS)[number];
        const seen: string[] = [];
        for (let page = 1; page <= 4; page++) {
          const { data, meta } = await listPage(admin, `sort=${sort}&limit=2&page=${page}`);
          expect(meta).toEqual({ total: all.length, page, limit: 2, totalPages: 4 });
          seen.push(...ids(data));
        }
        expect(seen).toEqual(expected(field, descending));
        expect(ids(await list(admin, `sort=${sort}`))).toEqual(seen);
      },
    );

    it('sorts by -createdAt by default', async () => {
      expect(ids(await list(admin))).toEqual(expected('createdAt', true));
    });

    it('puts contacts never contacted last when sorting by -lastContactAt and first by lastContactAt', async () => {
      const descending = await list(admin, 'sort=-lastContactAt');
      expect(descending.slice(-2).map((contact) => contact.lastContactAt)).toEqual([null, null]);
      const ascending = await list(admin, 'sort=lastContactAt');
      expect(ascending.slice(0, 2).map((contact) => contact.lastContactAt)).toEqual([null, null]);
    });

    it.each(['email', '-email', 'name,createdAt', '--name', '+name', 'Name', 'id'])(
      'refuses sort=%s with 422',
      async (sort) => {
        const res = await admin.call('GET', `/api/contacts?sort=${encodeURIComponent(sort)}`);
        expect(fieldsOf(expectError(res, 422))).toEqual(['sort']);
      },
    );
  });

  describe('pagination', () => {
    let admin: Caller;
    const COUNT = 105;
    beforeAll(async () => {
      admin = app.user('admin');
      const csv = [
        'name,email',
        ...Array.from({ length: COUNT }, (_, i) => `Paged ${i},${uniqueEmail(`p${i}`)}`),
      ];
      const report = expectOk(
        await admin.call('POST', '/api/contacts/import', { raw: csv.join('\n'), contentType: 'text/csv' }),
      );
      expect(report).toMatchObject({ imported: COUNT, failed: [] });
    });

    it('answers 25 by default with the meta of the whole list', async () => {
      const { data, meta } = await listPage(admin, '');
      expect(data).toHaveLength(25);
      expect(meta).toEqual({ total: COUNT, page: 1, limit: 25, totalPages: 5 });
    });

    it('clamps limit to 100', async () => {
      const { data, meta } = await listPage(admin, 'limit=500');
      expect(data).toHaveLength(100);
      expect(meta).toEqual({ total: COUNT, page: 1, limit: 100, totalPages: 2 });
      const last = await listPage(admin, 'limit=1000&page=2');
      expect(last.data).toHaveLength(5);
    });

    it('walks every contact once across pages', async () => {
      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const { data, meta } = await listPage(admin, `limit=40&page=${page}`);
        expect(meta).toEqual({ total: COUNT, page, limit: 40, totalPages: 3 });
        seen.push(...ids(data));
      }
      expect(new Set(seen).size).toBe(COUNT);
      expect(seen).toEqual(
        ids(await list(admin, 'limit=100')).concat(ids(await list(admin, 'limit=100&page=2'))),
      );
    });

    it('answers an empty page beyond the end', async () => {
      const { data, meta } = await listPage(admin, 'page=6');
      expect(data).toEqual([]);
      expect(meta).toEqual({ total: COUNT, page: 6, limit: 25, totalPages: 5 });
      expect((await listPage(admin, 'page=1000000')).data).toEqual([]);
    });

    it('ignores unknown query parameters', async () => {
      const { meta } = await listPage(admin, 'limit=10&foo=bar&organizationId=' + randomUUID());
      expect(meta.total).toBe(COUNT);
    });

    it.each([
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=abc', 'page'],
      ['page=1.5', 'page'],
      ['page=1000001', 'page'],
      ['limit=0', 'limit'],
      ['limit=-5', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=2.5', 'limit'],
      ['filter=cold', 'filter'],
      ['filter=HIGH-VALUE', 'filter'],
      ['customerId=acme', 'customerId'],
      ['ownerId=me', 'ownerId'],
      [`tag=${'t'.repeat(51)}`, 'tag'],
    ])('refuses %s with 422', async (query, field) => {
      expect(fieldsOf(expectError(await admin.call('GET', `/api/contacts?${query}`), 422))).toEqual([field]);
    });
  });

  describe('GET /api/contacts/:id/ai-insights', () => {
    let admin: Caller;
    beforeAll(() => {
      admin = app.user('admin');
    });
    const insights = async (id: string): Promise<Json[]> =>
      expectOk(await admin.call('GET', `/api/contacts/${id}/ai-insights`));

    it('is empty for a healthy, recently added contact', async () => {
      expect(await insights((await admin.createContact()).id)).toEqual([]);
    });

    it('warns of churn risk and an overdue follow-up, most urgent first', async () => {
      const contact = await admin.createContact({
        churnRisk: 75,
        sentiment: 'negative',
        healthScore: 30,
        nextFollowUpAt: ago(5).toISOString(),
      });
      await setColumns(contact.id, { total_deals_value: 60_000 });
      const found = await insights(contact.id);
      expect(found.map((insight) => insight.type).sort()).toEqual(
        ['churn_risk', 'follow_up_overdue', 'high_value', 'low_health', 'negative_sentiment'].sort(),
      );
      for (const insight of found) {
        expect(typeof insight.title).toBe('string');
        expect(typeof insight.description).toBe('string');
      }
      expect(found.find((insight) => insight.type === 'churn_risk')).toMatchObject({ priority: 'high' });
      expect(found.find((insight) => insight.type === 'follow_up_overdue')).toMatchObject({
        priority: 'high',
        description: expect.stringContaining('5 days'),
      });
      const order = { high: 0, medium: 1, low: 2 } as Record<string, number>;
      const priorities = found.map((insight) => order[insight.priority]!);
      expect(priorities).toEqual([...priorities].sort());
    });

    it('marks a follow-up overdue by a day as medium and one still ahead as nothing', async () => {
      const late = await admin.createContact({ nextFollowUpAt: ago(1).toISOString() });
      expect(await insights(late.id)).toEqual([
        expect.objectContaining({ type: 'follow_up_overdue', priority: 'medium' }),
      ]);
      const ahead = await admin.createContact({
        nextFollowUpAt: new Date(Date.now() + DAY_MS).toISOString(),
      });
      expect(await insights(ahead.id)).toEqual([]);
    });

    it('notices a relationship going cold', async () => {
      const silent = await admin.createContact();
      await setColumns(silent.id, { created_at: ago(40) });
      expect(await insights(silent.id)).toEqual([expect.objectContaining({ type: 'going_cold' })]);
      expectOk(
        await admin.call('POST', `/api/contacts/${silent.id}/communication`, {
          body: { type: 'call', occurredAt: new Date().toISOString(), summary: 'Caught up' },
        }),
        201,
      );
      expect(await insights(silent.id)).toEqual([]);
    });

    it('answers 404 for an unknown, a non-UUID or a deleted contact', async () => {
      const deleted = await admin.createContact();
      expectOk(await admin.call('DELETE', `/api/contacts/${deleted.id}`));
      for (const id of [randomUUID(), 'nope', deleted.id])
        expectError(await admin.call('GET', `/api/contacts/${id}/ai-insights`), 404);
    });
  });
});
