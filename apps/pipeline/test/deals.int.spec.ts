import {
  DealActivityLogged,
  DealCreated,
  DealDeleted,
  DealStageChanged,
  DealUpdated,
} from '@flow-crm/contracts';
import { eventually, expectError, expectOk, fieldsOf } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import {
  customPipeline,
  defaultPipeline,
  ids,
  knownContact,
  listDeals,
  listDealsPage,
  sorted,
  utcDay,
} from './deal-helpers';
import {
  announcedUser,
  announceUser,
  type Json,
  type PipelineCaller,
  usePipeline,
  word,
} from './pipeline-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The fields of a deal response (GET /api/deals/:id adds activities, history, insights, signals). */
const DEAL_FIELDS = [
  'id',
  'organizationId',
  'ownerId',
  'title',
  'contactId',
  'contactName',
  'customerId',
  'company',
  'value',
  'currency',
  'pipelineId',
  'stage',
  'status',
  'probability',
  'confidence',
  'expectedCloseDate',
  'closedDate',
  'description',
  'priority',
  'competitorMentioned',
  'lossReason',
  'lastActivityAt',
  'tags',
  'createdAt',
  'updatedAt',
];
const dealOf = (detail: Json) => Object.fromEntries(DEAL_FIELDS.map((field) => [field, detail[field]]));

describe('deals', () => {
  const app = usePipeline();

  const get = (caller: PipelineCaller, id: string) => caller.call('GET', `/api/deals/${id}`);
  const detail = async (caller: PipelineCaller, id: string): Promise<Json> => expectOk(await get(caller, id));
  const patch = (caller: PipelineCaller, id: string, body: unknown, method = 'PATCH') =>
    caller.call(method, `/api/deals/${id}`, { body });
  const move = (caller: PipelineCaller, id: string, body: unknown) =>
    caller.call('PATCH', `/api/deals/${id}/stage`, { body });
  const logActivity = (caller: PipelineCaller, id: string, body: unknown) =>
    caller.call('POST', `/api/deals/${id}/activities`, { body });
  const dealCount = async (organizationId: string): Promise<number> =>
    (await app.db.query('SELECT count(*)::int AS n FROM deals WHERE organization_id = $1', [organizationId]))
      .rows[0].n;
  describe('POST /api/deals', () => {
    it('fills the defaults when only a title is given: the default pipeline, its first stage and probability', async () => {
      const admin = app.user('admin');
      const created = expectOk(
        await admin.call('POST', '/api/deals', { body: { title: '  Annual licence  ' } }),
        201,
      );
      const pipeline = await defaultPipeline(admin);
      expect(created).toEqual({
        id: expect.stringMatching(UUID),
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        title: 'Annual licence',
        contactId: null,
        contactName: null,
        customerId: null,
        company: null,
        value: 0,
        currency: 'USD',
        pipelineId: pipeline.id,
        stage: 'prospect',
        status: 'open',
        probability: 10,
        confidence: 'medium',
        expectedCloseDate: null,
        closedDate: null,
        description: null,
        priority: 'medium',
        competitorMentioned: null,
        lossReason: null,
        lastActivityAt: null,
        tags: [],
        createdAt: expect.any(String),
        updatedAt: created.createdAt,
      });
      expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
      expect(Date.now() - Date.parse(created.createdAt)).toBeLessThan(60_000);

      expect(await detail(admin, created.id)).toEqual({
        ...created,
        activities: [],
        stageHistory: [
          { fromStage: null, toStage: 'prospect', changedAt: created.updatedAt, changedBy: admin.userId },
        ],
        insights: [],
        signals: { risks: ['Low probability (10%)'], positives: [] },
      });
    });

    it('stores every field a client may write, and answers them as GET does', async () => {
      const admin = app.user('admin');
      const body = {
        title: 'Fleet renewal',
        value: 12500.5,
        currency: 'EUR',
        stage: 'proposal',
        confidence: 'high',
        priority: 'low',
        customerId: randomUUID(),
        company: 'Acme Fleet',
        expectedCloseDate: utcDay(20),
        description: 'Forty vans, three years.',
        competitorMentioned: 'Globex',
        tags: ['vip', ' VIP ', 'q3'],
      };
      const created = expectOk(await admin.call('POST', '/api/deals', { body }), 201);
      expect(created).toMatchObject({
        ...body,
        tags: ['vip', 'q3'],
        probability: 50,
        status: 'open',
        closedDate: null,
        lossReason: null,
        ownerId: admin.userId,
      });
      const got = await detail(admin, created.id);
      expect(dealOf(got)).toEqual(created);
      expect(got.signals).toEqual({ risks: ['Competitor in play: Globex'], positives: [] });
      expect(got.insights.map((insight: Json) => insight.type)).toEqual(['competitor']);
      expect((await get(admin, created.id)).text).toContain('"value":12500.5');
    });

    it('takes the probability of the stage unless one is given', async () => {
      const admin = app.user('admin');
      const probabilities: Record<string, number> = {
        prospect: 10,
        qualified: 25,
        proposal: 50,
        negotiation: 75,
        closed_won: 100,
        closed_lost: 0,
      };
      for (const [stage, probability] of Object.entries(probabilities))
        expect(await admin.createDeal({ stage })).toMatchObject({ stage, probability });
      expect(await admin.createDeal({ stage: 'negotiation', probability: 60 })).toMatchObject({
        stage: 'negotiation',
        probability: 60,
      });
      expect(await admin.createDeal({ stage: 'prospect', probability: 0 })).toMatchObject({ probability: 0 });
    });

    it('closes a deal created in a closed stage: today (UTC) unless a date is given, a loss reason when lost', async () => {
      const admin = app.user('admin');
      const before = utcDay();
      const won = await admin.createDeal({ stage: 'closed_won', lossReason: 'not for a won deal' });
      expect([before, utcDay()]).toContain(won.closedDate);
      expect(won).toMatchObject({ status: 'won', lossReason: null });
      const lost = await admin.createDeal({
        stage: 'closed_lost',
        closedDate: '2025-03-01',
        lossReason: 'Price',
      });
      expect(lost).toMatchObject({ status: 'lost', closedDate: '2025-03-01', lossReason: 'Price' });
      const open = await admin.createDeal({
        stage: 'proposal',
        closedDate: '2025-03-01',
        lossReason: 'Price',
      });
      expect(open).toMatchObject({ status: 'open', closedDate: null, lossReason: null });
    });

    it('keeps value 0 and cents, as JSON numbers', async () => {
      const admin = app.user('admin');
      expect((await admin.createDeal({ value: 0 })).value).toBe(0);
      const cents = await admin.createDeal({ value: 1234.56 });
      expect(cents.value).toBe(1234.56);
      expect((await get(admin, cents.id)).text).toContain('"value":1234.56');
      expect((await admin.createDeal({ value: 9_999_999_999_999.99 })).value).toBe(9_999_999_999_999.99);
    });

    it('creates a deal in a custom pipeline, in its first stage unless one of its stages is given', async () => {
      const admin = app.user('admin');
      const pipeline = await customPipeline(admin);
      expect(await admin.createDeal({ pipelineId: pipeline.id })).toMatchObject({
        pipelineId: pipeline.id,
        stage: 'discovery',
        probability: 20,
      });
      expect(await admin.createDeal({ pipelineId: pipeline.id.toUpperCase(), stage: 'trial' })).toMatchObject(
        {
          pipelineId: pipeline.id,
          stage: 'trial',
          probability: 60,
        },
      );
      expect(await admin.createDeal({ pipelineId: pipeline.id, stage: 'signed' })).toMatchObject({
        status: 'won',
        closedDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
    });

    it('refuses a stage the pipeline does not have with 422, and creates nothing', async () => {
      const admin = app.user('admin');
      const custom = await customPipeline(admin);
      const before = await dealCount(admin.organizationId);
      for (const body of [
        { stage: 'won' },
        { stage: 'PROSPECT' },
        { stage: 'discovery' }, // a stage of the custom pipeline, not of the default
        { stage: 'prospect', pipelineId: custom.id },
      ]) {
        const error = expectError(
          await admin.call('POST', '/api/deals', { body: { title: 'X', ...body } }),
          422,
        );
        expect(fieldsOf(error)).toEqual(['stage']);
        expect(error.details![0]!.message).toMatch(/^stage must be one of /);
      }
      expect(await dealCount(admin.organizationId)).toBe(before);
    });

    it('refuses an unknown pipeline with 422 on pipelineId', async () => {
      const admin = app.user('admin');
      const error = expectError(
        await admin.call('POST', '/api/deals', { body: { title: 'X', pipelineId: randomUUID() } }),
        422,
      );
      expect(fieldsOf(error)).toEqual(['pipelineId']);
      expect(await dealCount(admin.organizationId)).toBe(0);
    });

    describe('validation', () => {
      let admin: PipelineCaller;
      beforeAll(() => {
        admin = app.user('admin');
      });

      it.each([
        ['no title', { title: undefined }, 'title'],
        ['a blank title', { title: '   ' }, 'title'],
        ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
        ['a title that is not a string', { title: 42 }, 'title'],
        ['a negative value', { value: -1 }, 'value'],
        ['a value with three decimals', { value: 10.005 }, 'value'],
        ['a value as a string', { value: '100' }, 'value'],
        ['a value above what numeric(15,2) holds', { value: 10_000_000_000_000 }, 'value'],
        ['a lower-case currency', { currency: 'usd' }, 'currency'],
        ['a four-letter currency', { currency: 'EURO' }, 'currency'],
        ['a probability above 100', { probability: 101 }, 'probability'],
        ['a negative probability', { probability: -1 }, 'probability'],
        ['a fractional probability', { probability: 50.5 }, 'probability'],
        ['an unknown confidence', { confidence: 'certain' }, 'confidence'],
        ['an unknown priority', { priority: 'urgent' }, 'priority'],
        ['a blank stage', { stage: ' ' }, 'stage'],
        [
          'an expectedCloseDate that is no real day',
          { expectedCloseDate: '2025-02-30' },
          'expectedCloseDate',
        ],
        ['an expectedCloseDate in another format', { expectedCloseDate: '15/06/2025' }, 'expectedCloseDate'],
        [
          'an expectedCloseDate with a time',
          { expectedCloseDate: '2025-06-15T00:00:00Z' },
          'expectedCloseDate',
        ],
        ['a closedDate that is no date', { closedDate: 'yesterday' }, 'closedDate'],
        ['a contactId that is no UUID', { contactId: 'bob' }, 'contactId'],
        ['a customerId that is no UUID', { customerId: 'acme' }, 'customerId'],
        ['a pipelineId that is no UUID', { pipelineId: 'sales' }, 'pipelineId'],
        ['an ownerId that is no UUID', { ownerId: 'boss' }, 'ownerId'],
        ['tags that are not a list', { tags: 'vip' }, 'tags'],
        ['a tag that is not a string', { tags: ['vip', 7] }, 'tags'],
        ['a tag over 50 characters', { tags: ['t'.repeat(51)] }, 'tags'],
        ['a company over 200 characters', { company: 'c'.repeat(201) }, 'company'],
        ['a competitor over 200 characters', { competitorMentioned: 'c'.repeat(201) }, 'competitorMentioned'],
        ['a lossReason over 500 characters', { lossReason: 'r'.repeat(501) }, 'lossReason'],
        ['a NUL character', { description: 'a\u0000b' }, 'description'],
      ])('refuses %s with 422 naming the field, and creates nothing', async (_case, fields, field) => {
        const before = await dealCount(admin.organizationId);
        const error = expectError(
          await admin.call('POST', '/api/deals', { body: { title: `Bad ${word()}`, ...fields } }),
          422,
        );
        expect(fieldsOf(error)).toContain(field);
        expect(await dealCount(admin.organizationId)).toBe(before);
      });

      it('answers 400 to a malformed JSON body and 401 without a valid token', async () => {
        expectError(
          await admin.call('POST', '/api/deals', {
            raw: '{"title": "Broken",',
            contentType: 'application/json',
          }),
          400,
        );
        expectError(await app.call('POST', '/api/deals', { body: { title: 'Anonymous' } }), 401);
        for (const path of [
          '/api/deals',
          `/api/deals/${randomUUID()}`,
          '/api/deals/forecast',
          '/api/deals/board',
        ])
          expectError(await app.call('GET', path), 401);
        expectError(await app.call('GET', '/api/deals', { token: 'not.a.token' }), 401);
      });
    });

    it('ignores id, organizationId, status, contactName, lastActivityAt, timestamps and version', async () => {
      const admin = app.user('admin');
      const id = randomUUID();
      const created = await admin.createDeal({
        id,
        organizationId: randomUUID(),
        status: 'won',
        contactName: 'Nobody',
        lastActivityAt: '2020-01-01T00:00:00.000Z',
        createdAt: '2000-01-01T00:00:00.000Z',
        updatedAt: '2000-01-01T00:00:00.000Z',
        deletedAt: '2000-01-01T00:00:00.000Z',
        version: 40,
      });
      expect(created.id).not.toBe(id);
      expect(created).toMatchObject({
        organizationId: admin.organizationId,
        status: 'open',
        contactName: null,
        lastActivityAt: null,
      });
      expect(Date.now() - Date.parse(created.createdAt)).toBeLessThan(60_000);
      expectError(await get(admin, id), 404);
      const { rows } = await app.db.query('SELECT version, deleted_at FROM deals WHERE id = $1', [
        created.id,
      ]);
      expect(rows).toEqual([{ version: 1, deleted_at: null }]);

      const updated = expectOk(
        await patch(admin, created.id, {
          status: 'lost',
          contactName: 'Nobody',
          id: randomUUID(),
          title: 'Kept',
        }),
      );
      expect(updated).toMatchObject({ id: created.id, status: 'open', contactName: null, title: 'Kept' });
    });
  });

  describe('contactId', () => {
    it('links an announced contact and takes its name, company and customer', async () => {
      const admin = app.user('admin');
      const customerId = randomUUID();
      const contact = await knownContact(app, admin, {
        name: 'Ada Lovelace',
        company: 'Engines Ltd',
        customerId,
      });
      const created = await admin.createDeal({ contactId: contact.id.toUpperCase() });
      expect(created).toMatchObject({
        contactId: contact.id,
        contactName: 'Ada Lovelace',
        company: 'Engines Ltd',
        customerId,
      });
      expect(dealOf(await detail(admin, created.id))).toEqual(created);
    });

    it('keeps the company and the customer the body gives', async () => {
      const admin = app.user('admin');
      const contact = await knownContact(app, admin, { company: 'Contact Co', customerId: randomUUID() });
      const customerId = randomUUID();
      const created = await admin.createDeal({ contactId: contact.id, company: 'Given Co', customerId });
      expect(created).toMatchObject({ contactName: contact.name, company: 'Given Co', customerId });
      const cleared = await admin.createDeal({ contactId: contact.id, company: null, customerId: null });
      expect(cleared).toMatchObject({ contactName: contact.name, company: null, customerId: null });
    });

    it('refuses an unknown contact and a contact of another organization with 422, creating nothing', async () => {
      const admin = app.user('admin');
      const foreign = await knownContact(app, app.user('admin'));
      for (const contactId of [randomUUID(), foreign.id]) {
        const error = expectError(
          await admin.call('POST', '/api/deals', { body: { title: 'X', contactId } }),
          422,
        );
        expect(fieldsOf(error)).toEqual(['contactId']);
      }
      expect(await dealCount(admin.organizationId)).toBe(0);
    });

    it('links, relinks and unlinks on update', async () => {
      const admin = app.user('admin');
      const first = await knownContact(app, admin, { name: 'First Person' });
      const second = await knownContact(app, admin, { name: 'Second Person' });
      const deal = await admin.createDeal();
      expect(expectOk(await patch(admin, deal.id, { contactId: first.id }))).toMatchObject({
        contactId: first.id,
        contactName: 'First Person',
      });
      expect(expectOk(await patch(admin, deal.id, { contactId: second.id }))).toMatchObject({
        contactId: second.id,
        contactName: 'Second Person',
      });
      const error = expectError(
        await patch(admin, deal.id, { contactId: randomUUID(), title: 'Changed' }),
        422,
      );
      expect(fieldsOf(error)).toEqual(['contactId']);
      expect(await detail(admin, deal.id)).toMatchObject({ contactId: second.id, title: deal.title });
      expect(expectOk(await patch(admin, deal.id, { contactId: null }))).toMatchObject({
        contactId: null,
        contactName: null,
      });
    });
  });

  describe('ownerId', () => {
    it('may name an active user of the organization, who then sees the deal', async () => {
      const admin = app.user('admin');
      const sales = await announcedUser(app, admin.colleague('sales'));
      const created = await admin.createDeal({ ownerId: sales.userId.toUpperCase() });
      expect(created.ownerId).toBe(sales.userId);
      expect(ids(await listDeals(sales))).toEqual([created.id]);
      expect(expectOk(await get(sales, created.id)).ownerId).toBe(sales.userId);

      const manager = admin.colleague('manager');
      const byManager = await manager.createDeal({ ownerId: sales.userId });
      expect(byManager.ownerId).toBe(sales.userId);
    });

    it('refuses with 422 a user the replica does not know, an inactive one and one of another organization', async () => {
      const admin = app.user('admin');
      const manager = admin.colleague('manager');
      const unknown = admin.colleague('sales');
      const inactive = await announcedUser(app, admin.colleague('sales'), false);
      const elsewhere = app.user('sales');
      await announceUser(app, elsewhere.organizationId, { id: elsewhere.userId });
      await eventually(async () => {
        const { rows } = await app.db.query('SELECT 1 FROM user_replicas WHERE id = $1', [elsewhere.userId]);
        expect(rows).toHaveLength(1);
      });
      for (const ownerId of [unknown.userId, inactive.userId, elsewhere.userId, randomUUID()]) {
        for (const caller of [admin, manager]) {
          const error = expectError(
            await caller.call('POST', '/api/deals', { body: { title: 'X', ownerId } }),
            422,
          );
          expect(fieldsOf(error)).toEqual(['ownerId']);
        }
      }
      expect(await dealCount(admin.organizationId)).toBe(0);
    });

    it('refuses a user deactivated since, on create and on update', async () => {
      const admin = app.user('admin');
      const sales = await announcedUser(app, admin.colleague('sales'));
      const deal = await admin.createDeal();
      await announceUser(app, admin.organizationId, { id: sales.userId, isActive: false }, 2);
      await eventually(async () => {
        const { rows } = await app.db.query('SELECT is_active FROM user_replicas WHERE id = $1', [
          sales.userId,
        ]);
        expect(rows).toEqual([{ is_active: false }]);
      });
      expect(
        fieldsOf(
          expectError(
            await admin.call('POST', '/api/deals', { body: { title: 'X', ownerId: sales.userId } }),
            422,
          ),
        ),
      ).toEqual(['ownerId']);
      expect(fieldsOf(expectError(await patch(admin, deal.id, { ownerId: sales.userId }), 422))).toEqual([
        'ownerId',
      ]);
      expect((await detail(admin, deal.id)).ownerId).toBe(admin.userId);
    });

    it('lets an admin or manager name themselves without the replica', async () => {
      const manager = app.user('manager');
      expect((await manager.createDeal({ ownerId: manager.userId })).ownerId).toBe(manager.userId);
    });

    it('is reassigned by a manager on update, and refused (422, nothing changed) for an unknown user', async () => {
      const admin = app.user('admin');
      const manager = admin.colleague('manager');
      const sales = await announcedUser(app, admin.colleague('sales'));
      const deal = await admin.createDeal();
      const error = expectError(
        await patch(manager, deal.id, { ownerId: randomUUID(), title: 'Changed' }),
        422,
      );
      expect(fieldsOf(error)).toEqual(['ownerId']);
      expect(await detail(admin, deal.id)).toMatchObject({ ownerId: admin.userId, title: deal.title });

      const reassigned = expectOk(await patch(manager, deal.id, { ownerId: sales.userId }));
      expect(reassigned.ownerId).toBe(sales.userId);
      expect(ids(await listDeals(sales))).toEqual([deal.id]);
    });

    it('is ignored when a sales user sends it, on create and on update', async () => {
      const admin = app.user('admin');
      const sales = admin.colleague('sales');
      const created = await sales.createDeal({ ownerId: admin.userId });
      expect(created.ownerId).toBe(sales.userId);
      const updated = expectOk(await patch(sales, created.id, { ownerId: admin.userId, title: 'Kept' }));
      expect(updated).toMatchObject({ ownerId: sales.userId, title: 'Kept' });
      expect((await detail(sales, created.id)).ownerId).toBe(sales.userId);
    });
  });

  describe('visibility', () => {
    let admin: PipelineCaller;
    let sales: PipelineCaller;
    let otherSales: PipelineCaller;
    let adminDeal: Json;
    let salesDeal: Json;
    let otherDeal: Json;
    beforeAll(async () => {
      admin = app.user('admin');
      sales = admin.colleague('sales');
      otherSales = admin.colleague('sales');
      adminDeal = await admin.createDeal({ title: `Admin ${word()}` });
      salesDeal = await sales.createDeal({ title: `Sales ${word()}` });
      otherDeal = await otherSales.createDeal({ title: `Other ${word()}` });
    });

    it('shows admins and managers every deal of the organization', async () => {
      for (const caller of [admin, admin.colleague('manager'), admin.colleague('admin')]) {
        const page = await listDealsPage(caller, 'sort=createdAt');
        expect(ids(page.data)).toEqual([adminDeal.id, salesDeal.id, otherDeal.id]);
        expect(page.meta.total).toBe(3);
        for (const deal of [adminDeal, salesDeal, otherDeal]) expectOk(await get(caller, deal.id));
      }
    });

    it('shows a sales user its own deals only, in lists and totals', async () => {
      const page = await listDealsPage(sales, '');
      expect(ids(page.data)).toEqual([salesDeal.id]);
      expect(page.meta).toEqual({ total: 1, page: 1, limit: 25, totalPages: 1 });
      expect(ids(await listDeals(sales, `search=${adminDeal.title.split(' ')[1]}`))).toEqual([]);
      expect(ids(await listDeals(sales, `ownerId=${admin.userId}`))).toEqual([]);
    });

    it("answers 404 to a sales user on every route of another user's deal, and changes nothing", async () => {
      for (const deal of [adminDeal, otherDeal]) {
        expectError(await get(sales, deal.id), 404);
        expectError(await patch(sales, deal.id, { title: 'Taken' }), 404);
        expectError(await patch(sales, deal.id, { title: 'Taken' }, 'PUT'), 404);
        expectError(await move(sales, deal.id, { stage: 'closed_won' }), 404);
        expectError(await logActivity(sales, deal.id, { type: 'call', description: 'x' }), 404);
        expectError(await sales.call('DELETE', `/api/deals/${deal.id}`), 404);
        const after = await detail(admin, deal.id);
        expect(dealOf(after)).toEqual(deal);
        expect(after.activities).toEqual([]);
      }
    });

    it('lets a sales user change its own deal, and a manager any deal', async () => {
      const own = expectOk(await move(sales, salesDeal.id, { stage: 'qualified' }));
      expect(own.stage).toBe('qualified');
      const manager = admin.colleague('manager');
      const other = expectOk(await patch(manager, otherDeal.id, { priority: 'high' }));
      expect(other).toMatchObject({ priority: 'high', ownerId: otherSales.userId });
      expectOk(await logActivity(sales, salesDeal.id, { type: 'note', description: 'mine' }), 201);
    });
  });

  describe('another organization', () => {
    it('answers 404 for its deals, unknown ids and non-UUID ids on every route, and changes nothing', async () => {
      const admin = app.user('admin');
      const foreignAdmin = app.user('admin');
      const foreign = await foreignAdmin.createDeal();
      for (const id of [foreign.id, randomUUID(), 'not-a-uuid', '123']) {
        for (const caller of [admin, admin.colleague('manager')]) {
          expectError(await get(caller, id), 404);
          expectError(await patch(caller, id, { title: 'Taken' }), 404);
          expectError(await patch(caller, id, { title: 'Taken' }, 'PUT'), 404);
          expectError(await move(caller, id, { stage: 'closed_won' }), 404);
          expectError(await logActivity(caller, id, { type: 'call', description: 'x' }), 404);
          expectError(await caller.call('DELETE', `/api/deals/${id}`), 404);
        }
      }
      const after = await detail(foreignAdmin, foreign.id);
      expect(dealOf(after)).toEqual(foreign);
      expect(after.activities).toEqual([]);
      expect(after.stageHistory).toHaveLength(1);
      expect(await listDeals(admin, `contactId=${randomUUID()}`)).toEqual([]);
      expect(ids(await listDeals(admin))).toEqual([]);
    });

    it('accepts a deal id in upper case', async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      expect((await detail(admin, deal.id.toUpperCase())).id).toBe(deal.id);
    });
  });

  describe('PUT and PATCH /api/deals/:id', () => {
    it.each(['PUT', 'PATCH'])('%s is a partial update', async (method) => {
      const admin = app.user('admin');
      const created = await admin.createDeal({
        title: 'Before',
        value: 500,
        currency: 'GBP',
        stage: 'qualified',
        company: 'Initech',
        description: 'Kept',
        expectedCloseDate: utcDay(10),
        tags: ['a'],
      });
      const updated = expectOk(
        await patch(admin, created.id, { title: 'After', value: 99.99, tags: ['b', 'B', 'c'] }, method),
      );
      expect(updated).toEqual({
        ...created,
        title: 'After',
        value: 99.99,
        tags: ['b', 'c'],
        updatedAt: expect.any(String),
      });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      expect(dealOf(await detail(admin, created.id))).toEqual(updated);
      // An empty body changes nothing but is accepted.
      expect(expectOk(await patch(admin, created.id, {}, method))).toMatchObject({
        title: 'After',
        value: 99.99,
      });
    });

    it('clears the optional fields with null', async () => {
      const admin = app.user('admin');
      const created = await admin.createDeal({
        customerId: randomUUID(),
        company: 'Initech',
        description: 'Something',
        expectedCloseDate: utcDay(10),
        competitorMentioned: 'Globex',
      });
      const cleared = expectOk(
        await patch(admin, created.id, {
          customerId: null,
          company: null,
          description: '',
          expectedCloseDate: null,
          competitorMentioned: null,
        }),
      );
      expect(cleared).toMatchObject({
        customerId: null,
        company: null,
        description: null,
        expectedCloseDate: null,
        competitorMentioned: null,
      });
    });

    it.each([
      ['a null title', { title: null }, 'title'],
      ['a blank title', { title: '' }, 'title'],
      ['a null value', { value: null }, 'value'],
      ['a negative value', { value: -0.01 }, 'value'],
      ['a null currency', { currency: null }, 'currency'],
      ['a null stage', { stage: null }, 'stage'],
      ['an unknown stage', { stage: 'closed' }, 'stage'],
      ['a null probability', { probability: null }, 'probability'],
      ['a probability of 101', { probability: 101 }, 'probability'],
      ['an expectedCloseDate that is no date', { expectedCloseDate: '2025-1-1' }, 'expectedCloseDate'],
      ['a null ownerId', { ownerId: null }, 'ownerId'],
    ])('refuses %s with 422 naming the field, changing nothing', async (_case, body, field) => {
      const admin = app.user('admin');
      const created = await admin.createDeal();
      const error = expectError(await patch(admin, created.id, { title: 'Changed', ...body }), 422);
      expect(fieldsOf(error)).toContain(field);
      const after = await detail(admin, created.id);
      expect(dealOf(after)).toEqual(created);
      expect(after.stageHistory).toHaveLength(1);
    });

    it('sets the probability alone without moving the deal; a later move takes the stage probability again', async () => {
      const admin = app.user('admin');
      const created = await admin.createDeal({ stage: 'proposal' });
      const tuned = expectOk(await patch(admin, created.id, { probability: 65 }));
      expect(tuned).toMatchObject({ stage: 'proposal', probability: 65, status: 'open' });
      expect((await detail(admin, created.id)).stageHistory).toHaveLength(1);
      // Another change keeps it.
      expect(expectOk(await patch(admin, created.id, { title: 'Retitled' })).probability).toBe(65);
      expect(expectOk(await patch(admin, created.id, { stage: 'negotiation' })).probability).toBe(75);
      expect(
        expectOk(await patch(admin, created.id, { stage: 'qualified', probability: 40 })).probability,
      ).toBe(40);
    });

    it('moves the deal when the stage changes, as PATCH /stage does', async () => {
      const admin = app.user('admin');
      const created = await admin.createDeal();
      const today = utcDay();
      const won = expectOk(await patch(admin, created.id, { stage: 'closed_won', title: 'Won it' }));
      expect(won).toMatchObject({ stage: 'closed_won', status: 'won', probability: 100, title: 'Won it' });
      expect([today, utcDay()]).toContain(won.closedDate);
      const lost = expectOk(
        await patch(admin, created.id, {
          stage: 'closed_lost',
          lossReason: 'Went silent',
          closedDate: '2025-01-15',
        }),
      );
      expect(lost).toMatchObject({
        status: 'lost',
        closedDate: '2025-01-15',
        lossReason: 'Went silent',
        probability: 0,
      });
      const reopened = expectOk(await patch(admin, created.id, { stage: 'proposal' }, 'PUT'));
      expect(reopened).toMatchObject({ status: 'open', closedDate: null, lossReason: null, probability: 50 });
      const history = (await detail(admin, created.id)).stageHistory;
      expect(history.map((entry: Json) => [entry.fromStage, entry.toStage, entry.changedBy])).toEqual([
        [null, 'prospect', admin.userId],
        ['prospect', 'closed_won', admin.userId],
        ['closed_won', 'closed_lost', admin.userId],
        ['closed_lost', 'proposal', admin.userId],
      ]);
    });

    it('changes the closed date or the loss reason of a closed deal without moving it', async () => {
      const admin = app.user('admin');
      const created = await admin.createDeal({ stage: 'closed_lost', closedDate: '2025-02-01' });
      const changed = expectOk(
        await patch(admin, created.id, { closedDate: '2025-02-03', lossReason: 'Timing' }),
      );
      expect(changed).toMatchObject({
        stage: 'closed_lost',
        closedDate: '2025-02-03',
        lossReason: 'Timing',
        probability: 0,
      });
      const kept = expectOk(await patch(admin, created.id, { lossReason: 'Budget' }));
      expect(kept).toMatchObject({ closedDate: '2025-02-03', lossReason: 'Budget' });
      expect((await detail(admin, created.id)).stageHistory).toHaveLength(1);
    });

    it('ignores a closed date and a loss reason on an open deal', async () => {
      const admin = app.user('admin');
      const created = await admin.createDeal({ stage: 'negotiation' });
      const updated = expectOk(
        await patch(admin, created.id, { closedDate: '2025-02-03', lossReason: 'Timing' }),
      );
      expect(updated).toMatchObject({ status: 'open', closedDate: null, lossReason: null, probability: 75 });
    });

    it("moves a deal into another pipeline's first stage, or the stage given", async () => {
      const admin = app.user('admin');
      const custom = await customPipeline(admin);
      const created = await admin.createDeal({ stage: 'proposal' });
      const moved = expectOk(await patch(admin, created.id, { pipelineId: custom.id }));
      expect(moved).toMatchObject({
        pipelineId: custom.id,
        stage: 'discovery',
        probability: 20,
        status: 'open',
      });
      const back = await defaultPipeline(admin);
      expect(
        expectOk(await patch(admin, created.id, { pipelineId: back.id, stage: 'closed_won' })),
      ).toMatchObject({ pipelineId: back.id, stage: 'closed_won', status: 'won' });
      expect(
        fieldsOf(
          expectError(await patch(admin, created.id, { pipelineId: custom.id, stage: 'prospect' }), 422),
        ),
      ).toEqual(['stage']);
      expect((await detail(admin, created.id)).stageHistory.map((entry: Json) => entry.toStage)).toEqual([
        'proposal',
        'discovery',
        'closed_won',
      ]);
    });
  });

  describe('DELETE /api/deals/:id', () => {
    it('deletes softly: success, then 404 everywhere, out of lists, the row kept', async () => {
      const admin = app.user('admin');
      const kept = await admin.createDeal();
      const deal = await admin.createDeal({ title: `Doomed ${word()}` });
      expect(expectOk(await admin.call('DELETE', `/api/deals/${deal.id}`))).toEqual({ success: true });

      expectError(await get(admin, deal.id), 404);
      expectError(await patch(admin, deal.id, { title: 'Back' }), 404);
      expectError(await move(admin, deal.id, { stage: 'qualified' }), 404);
      expectError(await logActivity(admin, deal.id, { type: 'call', description: 'x' }), 404);
      expectError(await admin.call('DELETE', `/api/deals/${deal.id}`), 404);
      expect(ids(await listDeals(admin))).toEqual([kept.id]);
      expect(await listDeals(admin, `search=${deal.title.split(' ')[1]}`)).toEqual([]);
      expect((await listDealsPage(admin, '')).meta.total).toBe(1);

      const { rows } = await app.db.query('SELECT deleted_at, title FROM deals WHERE id = $1', [deal.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].deleted_at).toBeInstanceOf(Date);
      expect(rows[0].title).toBe(deal.title);
    });
  });

  describe('PATCH /api/deals/:id/stage', () => {
    it("moves a deal, takes the stage's probability and records who moved it from where", async () => {
      const admin = app.user('admin');
      const manager = admin.colleague('manager');
      const created = await admin.createDeal({ probability: 5 });
      const qualified = expectOk(await move(manager, created.id, { stage: 'qualified' }));
      expect(qualified).toMatchObject({
        stage: 'qualified',
        probability: 25,
        status: 'open',
        closedDate: null,
      });
      const proposal = expectOk(await move(admin, created.id, { stage: 'proposal' }));
      expect(proposal.probability).toBe(50);
      expect(dealOf(await detail(admin, created.id))).toEqual(proposal);

      const history = (await detail(admin, created.id)).stageHistory;
      expect(history).toEqual([
        { fromStage: null, toStage: 'prospect', changedAt: created.createdAt, changedBy: admin.userId },
        {
          fromStage: 'prospect',
          toStage: 'qualified',
          changedAt: qualified.updatedAt,
          changedBy: manager.userId,
        },
        {
          fromStage: 'qualified',
          toStage: 'proposal',
          changedAt: proposal.updatedAt,
          changedBy: admin.userId,
        },
      ]);
      expect(Date.parse(history[1].changedAt)).toBeLessThan(Date.parse(history[2].changedAt));
    });

    it('closes a won deal today (UTC) when no date is given, and keeps a given date', async () => {
      const admin = app.user('admin');
      const first = await admin.createDeal({ stage: 'negotiation' });
      const before = utcDay();
      const won = expectOk(await move(admin, first.id, { stage: 'closed_won' }));
      expect(won).toMatchObject({ stage: 'closed_won', status: 'won', probability: 100, lossReason: null });
      expect([before, utcDay()]).toContain(won.closedDate);
      // A closed deal has no risks or positives.
      expect((await detail(admin, first.id)).signals).toEqual({ risks: [], positives: [] });

      const second = await admin.createDeal();
      const dated = expectOk(await move(admin, second.id, { stage: 'closed_won', closedDate: '2024-02-29' }));
      expect(dated.closedDate).toBe('2024-02-29');
    });

    it('records the loss reason of a lost deal, and keeps the closed date of a deal that was already closed', async () => {
      const admin = app.user('admin');
      const created = await admin.createDeal();
      expectOk(await move(admin, created.id, { stage: 'closed_won', closedDate: '2025-04-01' }));
      const lost = expectOk(
        await move(admin, created.id, { stage: 'closed_lost', lossReason: 'Chose a rival' }),
      );
      expect(lost).toMatchObject({
        status: 'lost',
        probability: 0,
        closedDate: '2025-04-01',
        lossReason: 'Chose a rival',
      });
      const wonAgain = expectOk(
        await move(admin, created.id, { stage: 'closed_won', lossReason: 'ignored' }),
      );
      expect(wonAgain).toMatchObject({ status: 'won', closedDate: '2025-04-01', lossReason: null });
    });

    it('clears the closed date and the loss reason when a deal reopens, even if a date is given', async () => {
      const admin = app.user('admin');
      const created = await admin.createDeal();
      expectOk(
        await move(admin, created.id, {
          stage: 'closed_lost',
          lossReason: 'Price',
          closedDate: '2025-05-05',
        }),
      );
      const reopened = expectOk(
        await move(admin, created.id, { stage: 'negotiation', closedDate: '2025-05-06' }),
      );
      expect(reopened).toMatchObject({
        stage: 'negotiation',
        status: 'open',
        probability: 75,
        closedDate: null,
        lossReason: null,
      });
      const history = (await detail(admin, created.id)).stageHistory;
      expect(history.slice(1).map((entry: Json) => [entry.fromStage, entry.toStage])).toEqual([
        ['prospect', 'closed_lost'],
        ['closed_lost', 'negotiation'],
      ]);
    });

    it.each([
      ['an unknown stage', { stage: 'closed' }, 'stage'],
      ['a stage of another pipeline', { stage: 'discovery' }, 'stage'],
      ['no stage', {}, 'stage'],
      ['a blank stage', { stage: '  ' }, 'stage'],
      ['a closedDate that is no real day', { stage: 'closed_won', closedDate: '2025-02-30' }, 'closedDate'],
      [
        'a lossReason over 500 characters',
        { stage: 'closed_lost', lossReason: 'x'.repeat(501) },
        'lossReason',
      ],
    ])('refuses %s with 422 naming the field, changing nothing', async (_case, body, field) => {
      const admin = app.user('admin');
      await customPipeline(admin);
      const created = await admin.createDeal({ stage: 'qualified' });
      const error = expectError(await move(admin, created.id, body), 422);
      expect(fieldsOf(error)).toEqual([field]);
      const after = await detail(admin, created.id);
      expect(dealOf(after)).toEqual(created);
      expect(after.stageHistory).toHaveLength(1);
    });
  });

  describe('POST /api/deals/:id/activities', () => {
    it("answers 201 with the activity and moves the deal's lastActivityAt to it", async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
      const res = await logActivity(admin, deal.id, {
        type: 'demo',
        occurredAt,
        description: 'Showed the fleet dashboard',
        outcome: 'Liked it',
        nextStep: 'Send the proposal',
      });
      const activity = expectOk(res, 201);
      expect(activity).toEqual({
        id: expect.stringMatching(UUID),
        dealId: deal.id,
        userId: admin.userId,
        type: 'demo',
        occurredAt,
        description: 'Showed the fleet dashboard',
        outcome: 'Liked it',
        nextStep: 'Send the proposal',
        createdAt: expect.any(String),
      });
      const got = await detail(admin, deal.id);
      expect(got.lastActivityAt).toBe(occurredAt);
      expect(got.activities).toEqual([activity]);
      expect(got.signals.positives).toContain('Active in the last 7 days');
    });

    it('only ever moves lastActivityAt forward, whatever order activities are logged in', async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
      const latest = at(2);
      expectOk(
        await logActivity(admin, deal.id, { type: 'call', occurredAt: latest, description: 'b' }),
        201,
      );
      expectOk(
        await logActivity(admin, deal.id, { type: 'email', occurredAt: at(48), description: 'a' }),
        201,
      );
      expect((await detail(admin, deal.id)).lastActivityAt).toBe(latest);
      const newer = at(1);
      expectOk(
        await logActivity(admin, deal.id, { type: 'meeting', occurredAt: newer, description: 'c' }),
        201,
      );
      const got = await detail(admin, deal.id);
      expect(got.lastActivityAt).toBe(newer);
      // Newest first.
      expect(got.activities.map((activity: Json) => activity.description)).toEqual(['c', 'b', 'a']);
    });

    it('takes now when occurredAt is left out, and accepts every type of the contract', async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      for (const type of ['call', 'email', 'meeting', 'proposal', 'demo', 'note']) {
        const activity = expectOk(await logActivity(admin, deal.id, { type, description: `a ${type}` }), 201);
        expect(activity).toMatchObject({ type, outcome: null, nextStep: null });
        expect(Math.abs(Date.now() - Date.parse(activity.occurredAt))).toBeLessThan(60_000);
      }
      const got = await detail(admin, deal.id);
      expect(got.activities).toHaveLength(6);
      expect(Math.abs(Date.now() - Date.parse(got.lastActivityAt))).toBeLessThan(60_000);
    });

    it('accepts an offset in occurredAt and answers it in UTC', async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      const activity = expectOk(
        await logActivity(admin, deal.id, {
          type: 'call',
          occurredAt: '2025-06-01T10:00:00+02:00',
          description: 'x',
        }),
        201,
      );
      expect(activity.occurredAt).toBe('2025-06-01T08:00:00.000Z');
    });

    it.each([
      ['an unknown type', { type: 'lunch' }, 'type'],
      ['no type', { type: undefined }, 'type'],
      ['no description', { description: undefined }, 'description'],
      ['a blank description', { description: '  ' }, 'description'],
      ['an occurredAt that is no date-time', { occurredAt: 'yesterday' }, 'occurredAt'],
      ['a date without a time', { occurredAt: '2025-06-01' }, 'occurredAt'],
      ['an impossible date-time', { occurredAt: '2025-13-45T10:00:00Z' }, 'occurredAt'],
      ['an outcome over 2000 characters', { outcome: 'o'.repeat(2001) }, 'outcome'],
    ])('refuses %s with 422 naming the field, storing nothing', async (_case, fields, field) => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      const error = expectError(
        await logActivity(admin, deal.id, { type: 'call', description: 'x', ...fields }),
        422,
      );
      expect(fieldsOf(error)).toEqual([field]);
      const got = await detail(admin, deal.id);
      expect(got.activities).toEqual([]);
      expect(got.lastActivityAt).toBeNull();
    });
  });

  describe('events published through the outbox', () => {
    const SNAPSHOT_FIELDS = sorted(Object.keys(DealCreated.schema.shape));

    const eventsOf = (dealId: string) =>
      app.events
        .matching((event) => event.aggregateId === dealId)
        .sort((a, b) => a.aggregateVersion - b.aggregateVersion);

    it('publishes created, updated, stage_changed, activity_logged and deleted with the contract payloads and increasing versions', async () => {
      const admin = app.user('admin');
      const contact = await knownContact(app, admin, { name: 'Event Contact', company: 'Events Inc' });
      const deal = await admin.createDeal({
        title: 'Evented',
        value: 321.09,
        contactId: contact.id,
        currency: 'CHF',
      });
      const snapshot = {
        id: deal.id,
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        title: 'Evented',
        contactId: contact.id,
        customerId: null,
        company: 'Events Inc',
        value: 321.09,
        currency: 'CHF',
        pipelineId: deal.pipelineId,
        stage: 'prospect',
        probability: 10,
        isWon: false,
        isLost: false,
      };
      const [created] = await app.events.waitFor(
        (e) => e.type === DealCreated.type && e.aggregateId === deal.id,
      );
      expect(created).toMatchObject({
        type: 'pipeline.deal.created',
        version: 1,
        source: 'pipeline',
        organizationId: admin.organizationId,
        actorId: admin.userId,
        aggregateId: deal.id,
        aggregateVersion: 1,
      });
      expect(created!.data).toEqual(snapshot);
      expect(sorted(Object.keys(created!.data))).toEqual(SNAPSHOT_FIELDS);
      expect(app.events.routingKeys.get(created!.id)).toBe('pipeline.deal.created');
      expect(app.events.messageIds.get(created!.id)).toBe(created!.id);

      expectOk(await patch(admin, deal.id, { title: 'Evented again', value: 400 }));
      const [updated] = await app.events.waitFor(
        (e) => e.type === DealUpdated.type && e.aggregateId === deal.id,
      );
      expect(updated!.data).toEqual({ ...snapshot, title: 'Evented again', value: 400 });
      expect(updated!.aggregateVersion).toBeGreaterThan(created!.aggregateVersion);

      expectOk(await move(admin, deal.id, { stage: 'closed_won' }));
      const [stageChanged] = await app.events.waitFor(
        (e) => e.type === DealStageChanged.type && e.aggregateId === deal.id,
      );
      expect(stageChanged!.data).toEqual({
        ...snapshot,
        title: 'Evented again',
        value: 400,
        stage: 'closed_won',
        probability: 100,
        isWon: true,
        fromStage: 'prospect',
        toStage: 'closed_won',
      });
      expect(sorted(Object.keys(stageChanged!.data))).toEqual(
        sorted(Object.keys(DealStageChanged.schema.shape)),
      );
      expect(stageChanged!.aggregateVersion).toBeGreaterThan(updated!.aggregateVersion);

      const activity = expectOk(
        await logActivity(admin, deal.id, {
          type: 'meeting',
          occurredAt: new Date().toISOString(),
          description: 'Kick-off',
          nextStep: 'Invoice',
        }),
        201,
      );
      const [logged] = await app.events.waitFor(
        (e) => e.type === DealActivityLogged.type && e.aggregateId === deal.id,
      );
      expect(logged!.data).toEqual({
        id: activity.id,
        dealId: deal.id,
        organizationId: admin.organizationId,
        userId: admin.userId,
        contactId: contact.id,
        type: 'meeting',
        occurredAt: activity.occurredAt,
        description: 'Kick-off',
        outcome: null,
        nextStep: 'Invoice',
      });
      expect(sorted(Object.keys(logged!.data))).toEqual(sorted(Object.keys(DealActivityLogged.schema.shape)));
      expect(logged!.aggregateVersion).toBeGreaterThan(stageChanged!.aggregateVersion);

      expectOk(await admin.call('DELETE', `/api/deals/${deal.id}`));
      const [deleted] = await app.events.waitFor(
        (e) => e.type === DealDeleted.type && e.aggregateId === deal.id,
      );
      expect(deleted!.data).toEqual({
        ...snapshot,
        title: 'Evented again',
        value: 400,
        stage: 'closed_won',
        probability: 100,
        isWon: true,
      });
      expect(deleted!.aggregateVersion).toBeGreaterThan(logged!.aggregateVersion);

      const all = eventsOf(deal.id);
      expect(all.map((event) => event.type)).toEqual([
        'pipeline.deal.created',
        'pipeline.deal.updated',
        'pipeline.deal.stage_changed',
        'pipeline.deal.activity_logged',
        'pipeline.deal.deleted',
      ]);
      const versions = all.map((event) => event.aggregateVersion);
      expect(new Set(versions).size).toBe(versions.length);
      expect(
        all.every((event) => event.source === 'pipeline' && event.organizationId === admin.organizationId),
      ).toBe(true);
    });

    it('publishes stage_changed for a PATCH that changes the stage, with who moved it', async () => {
      const admin = app.user('admin');
      const manager = admin.colleague('manager');
      const deal = await admin.createDeal({ stage: 'closed_lost', lossReason: 'Price' });
      expectOk(await patch(manager, deal.id, { stage: 'qualified', title: 'Revived' }));
      const [event] = await app.events.waitFor(
        (e) => e.type === DealStageChanged.type && e.aggregateId === deal.id,
      );
      expect(event).toMatchObject({ actorId: manager.userId, aggregateVersion: 2 });
      expect(event!.data).toMatchObject({
        title: 'Revived',
        stage: 'qualified',
        fromStage: 'closed_lost',
        toStage: 'qualified',
        probability: 25,
        isWon: false,
        isLost: false,
      });
      expect(deal).toMatchObject({ status: 'lost' });
    });

    it("carries the request's X-Request-Id as the correlation id", async () => {
      const admin = app.user('admin');
      const correlationId = `req-${randomUUID()}`;
      const res = await admin.call('POST', '/api/deals', {
        body: { title: 'Correlated' },
        headers: { 'x-request-id': correlationId },
      });
      const deal = expectOk(res, 201);
      const [event] = await app.events.waitFor(
        (e) => e.type === DealCreated.type && e.aggregateId === deal.id,
      );
      expect(event!.correlationId).toBe(correlationId);
    });

    it('publishes nothing for a refused change', async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      expectError(await move(admin, deal.id, { stage: 'nowhere' }), 422);
      expectError(await patch(admin, deal.id, { value: -5 }), 422);
      expectError(await patch(admin, deal.id, { ownerId: randomUUID() }), 422);
      expectError(await logActivity(admin, deal.id, { type: 'lunch', description: 'x' }), 422);
      expectOk(await patch(admin, deal.id, { title: 'Only change' }));
      await app.events.waitFor((e) => e.type === DealUpdated.type && e.aggregateId === deal.id);
      expect(eventsOf(deal.id).map((event) => [event.type, event.aggregateVersion])).toEqual([
        ['pipeline.deal.created', 1],
        ['pipeline.deal.updated', 2],
      ]);
    });
  });
});
