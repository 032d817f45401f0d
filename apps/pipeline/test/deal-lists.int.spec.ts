import { expectError, expectOk, fieldsOf } from '@flow-crm/testing';
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
  utcMonth,
} from './deal-helpers';
import { type Json, type PipelineCaller, usePipeline, word } from './pipeline-app';

// Deal lists (filters, search, sort, pagination) and the aggregates over them (forecast, stage
// statistics, board). The deals' own routes are in deals.int.spec.ts.
describe('deal lists', () => {
  const app = usePipeline();

  describe('GET /api/deals: filters', () => {
    let admin: PipelineCaller;
    let sales: PipelineCaller;
    const d: Record<string, Json> = {};
    let custom: Json;
    let contact: { id: string; name: string };
    const customerId = randomUUID();

    beforeAll(async () => {
      admin = app.user('admin');
      sales = admin.colleague('sales');
      contact = await knownContact(app, admin);
      custom = await customPipeline(admin);
      const create = async (key: string, body: Record<string, unknown> = {}, caller = admin) => {
        d[key] = await caller.createDeal({ title: key, ...body });
      };
      await create('hot75', { stage: 'negotiation' });
      await create('hot71', { probability: 71 });
      await create('edge70', { stage: 'proposal', probability: 70 });
      await create('won', { stage: 'closed_won' });
      await create('lost', { stage: 'closed_lost' });
      await create('risk10', { contactId: contact.id });
      await create('risk29', { stage: 'qualified', probability: 29, customerId });
      await create('edge30', { stage: 'qualified', probability: 30, tags: ['vip', 'q3'] });
      await create('soonToday', { stage: 'proposal', expectedCloseDate: utcDay(0) });
      await create('soon30', { stage: 'proposal', expectedCloseDate: utcDay(30) });
      await create('late31', { stage: 'proposal', expectedCloseDate: utcDay(31) });
      await create('pastYesterday', { stage: 'proposal', expectedCloseDate: utcDay(-1) });
      await create('wonSoon', { stage: 'closed_won', expectedCloseDate: utcDay(1) });
      await create('lostSoon', { stage: 'closed_lost', expectedCloseDate: utcDay(2), tags: ['vip'] });
      await create('custom', { pipelineId: custom.id, stage: 'trial' });
      await create('ofSales', { stage: 'negotiation' }, sales);
    });

    const keysOf = async (query: string) => {
      const deals = await listDeals(admin, `${query}&limit=100`);
      const byId = new Map(Object.entries(d).map(([key, deal]) => [deal.id, key]));
      return sorted(deals.map((deal) => byId.get(deal.id)!));
    };

    it('hot: a probability above 70', async () => {
      expect(await keysOf('filter=hot')).toEqual(sorted(['hot75', 'hot71', 'won', 'wonSoon', 'ofSales']));
    });

    it('at-risk: an open deal below 30', async () => {
      expect(await keysOf('filter=at-risk')).toEqual(sorted(['risk10', 'risk29']));
    });

    it('closing-soon: an open deal expected from today to 30 days ahead (UTC)', async () => {
      expect(await keysOf('filter=closing-soon')).toEqual(sorted(['soonToday', 'soon30']));
    });

    it('open, won and lost: the status of the deal', async () => {
      expect(await keysOf('filter=won')).toEqual(sorted(['won', 'wonSoon']));
      expect(await keysOf('filter=lost')).toEqual(sorted(['lost', 'lostSoon']));
      expect(await keysOf('filter=open')).toEqual(
        sorted(Object.keys(d).filter((key) => !['won', 'wonSoon', 'lost', 'lostSoon'].includes(key))),
      );
    });

    it('stage, pipelineId, contactId, customerId, ownerId and tag', async () => {
      expect(await keysOf('stage=qualified')).toEqual(sorted(['risk29', 'edge30']));
      expect(await keysOf(`pipelineId=${custom.id}`)).toEqual(['custom']);
      expect(await keysOf(`pipelineId=${d.hot75.pipelineId}&filter=lost`)).toEqual(
        sorted(['lost', 'lostSoon']),
      );
      expect(await keysOf(`contactId=${contact.id}`)).toEqual(['risk10']);
      expect(await keysOf(`customerId=${customerId}`)).toEqual(['risk29']);
      expect(await keysOf(`ownerId=${sales.userId}`)).toEqual(['ofSales']);
      expect(await keysOf('tag=vip')).toEqual(sorted(['edge30', 'lostSoon']));
      expect(await keysOf('tag=vip&filter=open')).toEqual(['edge30']);
      expect(await keysOf(`ownerId=${randomUUID()}`)).toEqual([]);
    });

    it('applies a sales user scope on top of the filters', async () => {
      expect(ids(await listDeals(sales, 'filter=hot'))).toEqual([d.ofSales.id]);
      expect(await listDeals(sales, 'filter=won')).toEqual([]);
    });

    it.each([
      ['filter=soon', 'filter'],
      ['sort=amount', 'sort'],
      ['sort=-contactName', 'sort'],
      ['ownerId=boss', 'ownerId'],
      ['pipelineId=sales', 'pipelineId'],
      ['page=0', 'page'],
      ['limit=0', 'limit'],
      ['page=x', 'page'],
      [`search=${'x'.repeat(201)}`, 'search'],
    ])('refuses %s with 422 naming the parameter', async (query, field) => {
      expect(fieldsOf(expectError(await admin.call('GET', `/api/deals?${query}`), 422))).toEqual([field]);
    });
  });

  describe('GET /api/deals: search', () => {
    let admin: PipelineCaller;
    const w = Array.from({ length: 6 }, () => word());
    const d: Record<string, Json> = {};
    beforeAll(async () => {
      admin = app.user('admin');
      const contact = await knownContact(app, admin, { name: `Zed ${w[2]} Quill` });
      d.byTitle = await admin.createDeal({ title: `Renewal ${w[0]} Deal` });
      d.byCompany = await admin.createDeal({ title: 'Plain', company: `${w[1]} Holdings` });
      d.byContact = await admin.createDeal({ title: 'Other', contactId: contact.id });
      d.percent = await admin.createDeal({ title: `100% ${w[3]}` });
      d.notPercent = await admin.createDeal({ title: `100x ${w[3]}` });
      d.split = await admin.createDeal({ title: `Split ${w[4]}`, company: `${w[5]} Ltd` });
    });

    it('finds title, company and contact name substrings in any case', async () => {
      expect(ids(await listDeals(admin, `search=${w[0]!.toUpperCase()}`))).toEqual([d.byTitle.id]);
      expect(ids(await listDeals(admin, `search=${encodeURIComponent(`renewal ${w[0]} DEAL`)}`))).toEqual([
        d.byTitle.id,
      ]);
      expect(ids(await listDeals(admin, `search=${encodeURIComponent(`${w[1]} hold`)}`))).toEqual([
        d.byCompany.id,
      ]);
      expect(ids(await listDeals(admin, `search=${encodeURIComponent(`zed ${w[2]}`)}`))).toEqual([
        d.byContact.id,
      ]);
      expect(ids(await listDeals(admin, `search=${encodeURIComponent(`  ${w[0]}  `)}`))).toEqual([
        d.byTitle.id,
      ]);
    });

    it('takes % and _ literally and never matches across two fields', async () => {
      expect(ids(await listDeals(admin, `search=${encodeURIComponent(`0% ${w[3]}`)}`))).toEqual([
        d.percent.id,
      ]);
      expect(ids(await listDeals(admin, `search=${encodeURIComponent('%')}`))).toEqual([d.percent.id]);
      expect(await listDeals(admin, 'search=_')).toEqual([]);
      expect(ids(await listDeals(admin, `search=${w[5]}`))).toEqual([d.split.id]);
      expect(await listDeals(admin, `search=${encodeURIComponent(`${w[4]}${w[5]}`)}`)).toEqual([]);
      expect(await listDeals(admin, `search=${encodeURIComponent(`${w[4]} ${w[5]}`)}`)).toEqual([]);
    });

    it('lists everything for a blank search', async () => {
      expect(await listDeals(admin, 'search=%20%20')).toHaveLength(Object.keys(d).length);
    });
  });

  describe('GET /api/deals: sort and pagination', () => {
    let admin: PipelineCaller;
    const created: Json[] = [];
    beforeAll(async () => {
      admin = app.user('admin');
      for (const [title, value, probability, expectedCloseDate] of [
        ['delta', 300, 40, utcDay(5)],
        ['Alpha', 100.5, 90, null],
        ['charlie', 200, 10, utcDay(1)],
        ['Bravo', 0, 55, utcDay(9)],
        ['echo', 999.99, 25, null],
      ] as const)
        created.push(await admin.createDeal({ title, value, probability, expectedCloseDate }));
    });

    const titles = async (query: string) => (await listDeals(admin, query)).map((deal) => deal.title);

    it('sorts the newest first by default', async () => {
      expect(ids(await listDeals(admin))).toEqual(ids([...created].reverse()));
      expect(ids(await listDeals(admin, 'sort=createdAt'))).toEqual(ids(created));
    });

    it('sorts by value, title (in any case), probability and expected close date, both ways', async () => {
      expect(await titles('sort=value')).toEqual(['Bravo', 'Alpha', 'charlie', 'delta', 'echo']);
      expect(await titles('sort=-value')).toEqual(['echo', 'delta', 'charlie', 'Alpha', 'Bravo']);
      expect(await titles('sort=title')).toEqual(['Alpha', 'Bravo', 'charlie', 'delta', 'echo']);
      expect(await titles('sort=-title')).toEqual(['echo', 'delta', 'charlie', 'Bravo', 'Alpha']);
      expect(await titles('sort=probability')).toEqual(['charlie', 'echo', 'delta', 'Bravo', 'Alpha']);
      expect(await titles('sort=-probability')).toEqual(['Alpha', 'Bravo', 'delta', 'echo', 'charlie']);
      const noDate = sorted([created[1].id, created[4].id]);
      const ascending = await listDeals(admin, 'sort=expectedCloseDate');
      expect(sorted(ids(ascending.slice(0, 2)))).toEqual(noDate);
      expect(ascending.slice(2).map((deal) => deal.title)).toEqual(['charlie', 'delta', 'Bravo']);
      const descending = await listDeals(admin, 'sort=-expectedCloseDate');
      expect(descending.slice(0, 3).map((deal) => deal.title)).toEqual(['Bravo', 'delta', 'charlie']);
      expect(sorted(ids(descending.slice(3)))).toEqual(noDate);
    });

    it('pages through the list with its meta, and clamps the limit to 100', async () => {
      const all = await titles('sort=title');
      const second = await listDealsPage(admin, 'sort=title&page=2&limit=2');
      expect(second.data.map((deal) => deal.title)).toEqual(all.slice(2, 4));
      expect(second.meta).toEqual({ total: 5, page: 2, limit: 2, totalPages: 3 });
      const last = await listDealsPage(admin, 'sort=title&page=3&limit=2');
      expect(last.data.map((deal) => deal.title)).toEqual(all.slice(4));
      const beyond = await listDealsPage(admin, 'sort=title&page=9&limit=2');
      expect(beyond.data).toEqual([]);
      expect(beyond.meta.total).toBe(5);
      expect((await listDealsPage(admin, 'limit=500')).meta).toEqual({
        total: 5,
        page: 1,
        limit: 100,
        totalPages: 1,
      });
      expect((await listDealsPage(admin, '')).meta).toEqual({ total: 5, page: 1, limit: 25, totalPages: 1 });
    });

    it('counts the total of a filtered list', async () => {
      const page = await listDealsPage(admin, 'filter=at-risk&limit=1');
      expect(page.meta).toEqual({ total: 2, page: 1, limit: 1, totalPages: 2 });
    });
  });

  describe('forecast, stage statistics and board', () => {
    let admin: PipelineCaller;
    let sales: PipelineCaller;
    let custom: Json;
    const d: Record<string, Json> = {};
    beforeAll(async () => {
      admin = app.user('admin');
      sales = admin.colleague('sales');
      custom = await customPipeline(admin);
      const create = async (key: string, body: Record<string, unknown>, caller = admin) => {
        d[key] = await caller.createDeal({ title: key, ...body });
      };
      const mid = (offset: number) => `${utcMonth(offset)}-15`;
      await create('thisMonth', { stage: 'prospect', value: 1000, expectedCloseDate: mid(0) });
      await create('nextMonth', { stage: 'negotiation', value: 2500.55, expectedCloseDate: mid(1) });
      await create('sixthMonth', { stage: 'proposal', value: 999.98, expectedCloseDate: mid(5) });
      await create('seventhMonth', { stage: 'qualified', value: 400, expectedCloseDate: mid(6) });
      await create('undated', { stage: 'prospect', value: 300 });
      await create('overdue', { stage: 'prospect', value: 100, expectedCloseDate: mid(-1) });
      await create('won', { stage: 'closed_won', value: 5000, expectedCloseDate: mid(0) });
      await create('lost', { stage: 'closed_lost', value: 700, expectedCloseDate: mid(0) });
      await create('deleted', { stage: 'negotiation', value: 10_000, expectedCloseDate: mid(0) });
      expectOk(await admin.call('DELETE', `/api/deals/${d.deleted.id}`));
      await create('ofSales', { stage: 'qualified', value: 200, expectedCloseDate: mid(0) }, sales);
      // Deals of another pipeline count in the forecast (open ones), not in the default pipeline's stages.
      await create('customTrial', { pipelineId: custom.id, stage: 'trial', value: 10.01 });
      await create('customSigned', {
        pipelineId: custom.id,
        stage: 'signed',
        value: 5,
        expectedCloseDate: mid(0),
      });
    });

    const emptyMonths = () =>
      Array.from({ length: 6 }, (_, offset) => ({
        month: utcMonth(offset),
        count: 0,
        value: 0,
        weightedValue: 0,
      }));

    it('are all zero for an organization without deals', async () => {
      const fresh = app.user('admin');
      expect(expectOk(await fresh.call('GET', '/api/deals/forecast'))).toEqual({
        totalPipeline: 0,
        weightedForecast: 0,
        dealsClosingThisMonth: 0,
        monthlyForecast: emptyMonths(),
      });
      expect(expectOk(await fresh.call('GET', '/api/deals/stage-stats'))).toEqual(
        ['prospect', 'qualified', 'proposal', 'negotiation', 'closed_won', 'closed_lost'].map((stage) => ({
          stage,
          count: 0,
          totalValue: 0,
          weightedValue: 0,
        })),
      );
      const board = expectOk(await fresh.call('GET', '/api/deals/board'));
      expect(board.stages).toEqual([
        { key: 'prospect', name: 'Prospect', probability: 10, count: 0, totalValue: 0, deals: [] },
        { key: 'qualified', name: 'Qualified', probability: 25, count: 0, totalValue: 0, deals: [] },
        { key: 'proposal', name: 'Proposal', probability: 50, count: 0, totalValue: 0, deals: [] },
        { key: 'negotiation', name: 'Negotiation', probability: 75, count: 0, totalValue: 0, deals: [] },
        { key: 'closed_won', name: 'Closed won', probability: 100, count: 0, totalValue: 0, deals: [] },
        { key: 'closed_lost', name: 'Closed lost', probability: 0, count: 0, totalValue: 0, deals: [] },
      ]);
    });

    it('forecast: sums the open deals, by month of the expected close date for this month and the next five', async () => {
      const months = emptyMonths();
      months[0] = { month: utcMonth(0), count: 2, value: 1200, weightedValue: 150 };
      months[1] = { month: utcMonth(1), count: 1, value: 2500.55, weightedValue: 1875.41 };
      months[5] = { month: utcMonth(5), count: 1, value: 999.98, weightedValue: 499.99 };
      expect(expectOk(await admin.call('GET', '/api/deals/forecast'))).toEqual({
        // 1000 + 2500.55 + 999.98 + 400 + 300 + 100 + 200 + 10.01: undated, overdue and later deals too.
        totalPipeline: 5510.54,
        // 100 + 1875.4125 + 499.99 + 100 + 30 + 10 + 50 + 6.006
        weightedForecast: 2671.41,
        dealsClosingThisMonth: 2,
        monthlyForecast: months,
      });
      expect(
        expectOk(await admin.colleague('manager').call('GET', '/api/deals/forecast')).totalPipeline,
      ).toBe(5510.54);
    });

    it("forecast: a sales user's counts its own deals only", async () => {
      const months = emptyMonths();
      months[0] = { month: utcMonth(0), count: 1, value: 200, weightedValue: 50 };
      expect(expectOk(await sales.call('GET', '/api/deals/forecast'))).toEqual({
        totalPipeline: 200,
        weightedForecast: 50,
        dealsClosingThisMonth: 1,
        monthlyForecast: months,
      });
    });

    it('stage-stats: every stage of the default pipeline in order, closed ones included, deleted deals not', async () => {
      expect(expectOk(await admin.call('GET', '/api/deals/stage-stats'))).toEqual([
        { stage: 'prospect', count: 3, totalValue: 1400, weightedValue: 140 },
        { stage: 'qualified', count: 2, totalValue: 600, weightedValue: 150 },
        { stage: 'proposal', count: 1, totalValue: 999.98, weightedValue: 499.99 },
        { stage: 'negotiation', count: 1, totalValue: 2500.55, weightedValue: 1875.41 },
        { stage: 'closed_won', count: 1, totalValue: 5000, weightedValue: 5000 },
        { stage: 'closed_lost', count: 1, totalValue: 700, weightedValue: 0 },
      ]);
      const pipeline = await defaultPipeline(admin);
      expect(expectOk(await admin.call('GET', `/api/deals/stage-stats?pipelineId=${pipeline.id}`))).toEqual(
        expectOk(await admin.call('GET', '/api/deals/stage-stats')),
      );
    });

    it("stage-stats: a sales user's count its own deals only; another pipeline has its own stages", async () => {
      const stats = expectOk(await sales.call('GET', '/api/deals/stage-stats'));
      expect(stats.map((row: Json) => [row.stage, row.count, row.totalValue, row.weightedValue])).toEqual([
        ['prospect', 0, 0, 0],
        ['qualified', 1, 200, 50],
        ['proposal', 0, 0, 0],
        ['negotiation', 0, 0, 0],
        ['closed_won', 0, 0, 0],
        ['closed_lost', 0, 0, 0],
      ]);
      expect(expectOk(await admin.call('GET', `/api/deals/stage-stats?pipelineId=${custom.id}`))).toEqual([
        { stage: 'discovery', count: 0, totalValue: 0, weightedValue: 0 },
        { stage: 'trial', count: 1, totalValue: 10.01, weightedValue: 6.01 },
        { stage: 'signed', count: 1, totalValue: 5, weightedValue: 5 },
        { stage: 'dropped', count: 0, totalValue: 0, weightedValue: 0 },
      ]);
      expect(expectOk(await sales.call('GET', `/api/deals/stage-stats?pipelineId=${custom.id}`))).toEqual(
        ['discovery', 'trial', 'signed', 'dropped'].map((stage) => ({
          stage,
          count: 0,
          totalValue: 0,
          weightedValue: 0,
        })),
      );
    });

    it('board: the stages with their counts, totals and deals, the most valuable first', async () => {
      const board = expectOk(await admin.call('GET', '/api/deals/board'));
      const pipeline = await defaultPipeline(admin);
      expect(board.pipelineId).toBe(pipeline.id);
      expect(
        board.stages.map((stage: Json) => [
          stage.key,
          stage.name,
          stage.probability,
          stage.count,
          stage.totalValue,
        ]),
      ).toEqual([
        ['prospect', 'Prospect', 10, 3, 1400],
        ['qualified', 'Qualified', 25, 2, 600],
        ['proposal', 'Proposal', 50, 1, 999.98],
        ['negotiation', 'Negotiation', 75, 1, 2500.55],
        ['closed_won', 'Closed won', 100, 1, 5000],
        ['closed_lost', 'Closed lost', 0, 1, 700],
      ]);
      expect(board.stages.map((stage: Json) => stage.deals.map((deal: Json) => deal.title))).toEqual([
        ['thisMonth', 'undated', 'overdue'],
        ['seventhMonth', 'ofSales'],
        ['sixthMonth'],
        ['nextMonth'],
        ['won'],
        ['lost'],
      ]);
      expect(board.stages[0].deals[0]).toEqual(d.thisMonth);
    });

    it("board: a sales user's shows its own deals only; another pipeline's by pipelineId", async () => {
      const board = expectOk(await sales.call('GET', '/api/deals/board'));
      expect(board.stages.map((stage: Json) => [stage.key, stage.count, ids(stage.deals)])).toEqual([
        ['prospect', 0, []],
        ['qualified', 1, [d.ofSales.id]],
        ['proposal', 0, []],
        ['negotiation', 0, []],
        ['closed_won', 0, []],
        ['closed_lost', 0, []],
      ]);
      const customBoard = expectOk(await admin.call('GET', `/api/deals/board?pipelineId=${custom.id}`));
      expect(customBoard.pipelineId).toBe(custom.id);
      expect(customBoard.stages.map((stage: Json) => [stage.key, stage.count, ids(stage.deals)])).toEqual([
        ['discovery', 0, []],
        ['trial', 1, [d.customTrial.id]],
        ['signed', 1, [d.customSigned.id]],
        ['dropped', 0, []],
      ]);
    });
  });
});
