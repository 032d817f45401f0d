import { type EventEnvelope, OrganizationCreated } from '@flow-crm/contracts';
import { Metrics } from '@flow-crm/observability';
import { deliverAndWait, envelope, expectError, expectOk, fieldsOf } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Json, type PipelineCaller, usePipeline, word } from './pipeline-app';

/** The contract's default pipeline as GET answers it. */
const DEFAULT_STAGES = [
  { key: 'prospect', name: 'Prospect', probability: 10, isWon: false, isLost: false, position: 0 },
  { key: 'qualified', name: 'Qualified', probability: 25, isWon: false, isLost: false, position: 1 },
  { key: 'proposal', name: 'Proposal', probability: 50, isWon: false, isLost: false, position: 2 },
  { key: 'negotiation', name: 'Negotiation', probability: 75, isWon: false, isLost: false, position: 3 },
  { key: 'closed_won', name: 'Closed won', probability: 100, isWon: true, isLost: false, position: 4 },
  { key: 'closed_lost', name: 'Closed lost', probability: 0, isWon: false, isLost: true, position: 5 },
];

/** Stages of a custom pipeline, as a client sends them (flags left out where false). */
const customStages = () => [
  { key: 'discovery', name: 'Discovery', probability: 20 },
  { key: 'trial', name: 'Trial', probability: 60 },
  { key: 'signed', name: 'Signed', probability: 100, isWon: true },
  { key: 'dropped', name: 'Dropped', probability: 0, isLost: true },
];

describe('pipelines', () => {
  const app = usePipeline();

  const list = async (caller: PipelineCaller): Promise<Json[]> =>
    expectOk(await caller.call('GET', '/api/pipelines'));
  const get = (caller: PipelineCaller, id: string) => caller.call('GET', `/api/pipelines/${id}`);
  const create = (caller: PipelineCaller, body: unknown) => caller.call('POST', '/api/pipelines', { body });
  const put = (caller: PipelineCaller, id: string, body: unknown, method = 'PUT') =>
    caller.call(method, `/api/pipelines/${id}`, { body });
  const createPipeline = async (caller: PipelineCaller, body: Record<string, unknown> = {}): Promise<Json> =>
    expectOk(await create(caller, { name: `Pipeline ${word()}`, stages: customStages(), ...body }), 201);
  const defaultOf = async (caller: PipelineCaller): Promise<Json> =>
    (await list(caller)).find((pipeline) => pipeline.isDefault);

  /** The pipelines of an organization as stored, behind the API. */
  const storedPipelines = async (organizationId: string) =>
    (
      await app.db.query<{ id: string; name: string; is_default: boolean }>(
        'SELECT id, name, is_default FROM pipelines WHERE organization_id = $1 ORDER BY created_at, id',
        [organizationId],
      )
    ).rows;

  /**
   * Publishes the events together and waits until the consumer is done with every one of them,
   * so that a test can assert that something did NOT change.
   */
  const deliver = (...events: EventEnvelope[]): Promise<void> =>
    deliverAndWait(app.inject, app.app.get(Metrics), events);

  const organizationCreated = (organizationId: string) =>
    envelope(
      OrganizationCreated.type,
      { id: organizationId, name: `Org ${word()}`, createdAt: new Date().toISOString() },
      { organizationId, aggregateId: organizationId, aggregateVersion: 1 },
    );

  describe('the default pipeline', () => {
    it('is created on the first read, with the six stages and probabilities of the contract', async () => {
      const admin = app.user('admin');
      expect(await storedPipelines(admin.organizationId)).toEqual([]);

      const pipelines = await list(admin);
      expect(pipelines).toHaveLength(1);
      const [pipeline] = pipelines;
      expect(pipeline).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        organizationId: admin.organizationId,
        name: 'Sales pipeline',
        isDefault: true,
        stages: DEFAULT_STAGES,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(pipeline.createdAt).toISOString()).toBe(pipeline.createdAt);
      expect(expectOk(await get(admin, pipeline.id))).toEqual(pipeline);
      expect(await storedPipelines(admin.organizationId)).toEqual([
        { id: pipeline.id, name: 'Sales pipeline', is_default: true },
      ]);
    });

    it('is the same one on every later read, for every role', async () => {
      const admin = app.user('admin');
      const first = await defaultOf(admin);
      for (const role of ['admin', 'manager', 'sales'] as const) {
        const caller = admin.colleague(role);
        expect(await list(caller)).toEqual([first]);
        expect(expectOk(await get(caller, first.id))).toEqual(first);
      }
      expect(await storedPipelines(admin.organizationId)).toHaveLength(1);
    });

    it('is created once when the first reads of an organization come together', async () => {
      const admin = app.user('admin');
      const answers = await Promise.all(Array.from({ length: 6 }, () => list(admin.colleague('sales'))));
      const ids = new Set(answers.map((pipelines) => pipelines.map((pipeline) => pipeline.id).join()));
      expect(ids.size).toBe(1);
      expect(answers[0]).toHaveLength(1);
      expect(await storedPipelines(admin.organizationId)).toHaveLength(1);
    });

    it('is created by the first deal, when nothing read the pipelines before', async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal();
      const stored = await storedPipelines(admin.organizationId);
      expect(stored).toEqual([{ id: deal.pipelineId, name: 'Sales pipeline', is_default: true }]);
      expect(deal.stage).toBe('prospect');
      expect((await defaultOf(admin)).id).toBe(deal.pipelineId);
    });

    it('is created by identity.organization.created, before any request of the organization', async () => {
      const admin = app.user('admin');
      await deliver(organizationCreated(admin.organizationId));
      const stored = await storedPipelines(admin.organizationId);
      expect(stored).toEqual([{ id: expect.any(String), name: 'Sales pipeline', is_default: true }]);
      const pipelines = await list(admin);
      expect(pipelines.map((pipeline) => pipeline.id)).toEqual([stored[0]!.id]);
      expect(pipelines[0].stages).toEqual(DEFAULT_STAGES);
    });

    it('stays one when the event is delivered twice, another copy comes, and a first read races them', async () => {
      const admin = app.user('admin');
      const event = organizationCreated(admin.organizationId);
      const again = organizationCreated(admin.organizationId); // the same news under another event id
      const [, ...reads] = await Promise.all([
        deliver(event, event, again),
        list(admin),
        list(admin.colleague('manager')),
      ]);
      const stored = await storedPipelines(admin.organizationId);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.is_default).toBe(true);
      for (const pipelines of reads)
        expect(pipelines.map((pipeline: Json) => pipeline.id)).toEqual([stored[0]!.id]);

      // And once more after the fact: still the one.
      await deliver(organizationCreated(admin.organizationId), event);
      expect(await storedPipelines(admin.organizationId)).toEqual(stored);
    });

    it('is not touched by the event once the organization has read it', async () => {
      const admin = app.user('admin');
      const before = await defaultOf(admin);
      await deliver(organizationCreated(admin.organizationId));
      expect(await list(admin)).toEqual([before]);
    });

    it('is one per organization', async () => {
      const first = app.user('admin');
      const second = app.user('admin');
      const a = await defaultOf(first);
      const b = await defaultOf(second);
      expect(a.id).not.toBe(b.id);
      expect(b.organizationId).toBe(second.organizationId);
      expectError(await get(first, b.id), 404);
    });

    it('still comes into being when a custom pipeline took its name before the first read', async () => {
      const admin = app.user('admin');
      // No read yet: the organization has no pipeline at all when this arrives.
      const taken = await create(admin, { name: 'Sales pipeline', stages: customStages() });
      expect([201, 409]).toContain(taken.status);

      const res = await admin.call('GET', '/api/pipelines');
      const pipelines = expectOk(res);
      const defaults = pipelines.filter((pipeline: Json) => pipeline.isDefault);
      expect(defaults).toHaveLength(1);
      expect(defaults[0].stages).toEqual(DEFAULT_STAGES);
      // And a deal can be created in it.
      const deal = await admin.createDeal();
      expect(deal).toMatchObject({ pipelineId: defaults[0].id, stage: 'prospect', probability: 10 });
    });
  });

  describe('POST /api/pipelines', () => {
    it('creates a custom pipeline with its stages in the given order, flags defaulting to false', async () => {
      const admin = app.user('admin');
      const name = `Renewals ${word()}`;
      const created = expectOk(await create(admin, { name: `  ${name}  `, stages: customStages() }), 201);
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        organizationId: admin.organizationId,
        name,
        isDefault: false,
        stages: [
          { key: 'discovery', name: 'Discovery', probability: 20, isWon: false, isLost: false, position: 0 },
          { key: 'trial', name: 'Trial', probability: 60, isWon: false, isLost: false, position: 1 },
          { key: 'signed', name: 'Signed', probability: 100, isWon: true, isLost: false, position: 2 },
          { key: 'dropped', name: 'Dropped', probability: 0, isWon: false, isLost: true, position: 3 },
        ],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(expectOk(await get(admin, created.id))).toEqual(created);
    });

    it('lists the default first, then custom pipelines in the order they were created', async () => {
      const admin = app.user('admin');
      const first = await createPipeline(admin, { name: `Zeta ${word()}` });
      const second = await createPipeline(admin, { name: `Alpha ${word()}` });
      const pipelines = await list(admin);
      expect(pipelines.map((pipeline) => [pipeline.name, pipeline.isDefault])).toEqual([
        ['Sales pipeline', true],
        [first.name, false],
        [second.name, false],
      ]);
      expect(await list(admin.colleague('sales'))).toEqual(pipelines);
    });

    it('is open to a manager', async () => {
      const manager = app.user('manager');
      const created = await createPipeline(manager);
      expect(created.organizationId).toBe(manager.organizationId);
    });

    it('is forbidden to a sales user (403) and creates nothing', async () => {
      const sales = app.user('sales');
      const name = `Mine ${word()}`;
      const error = expectError(await create(sales, { name, stages: customStages() }), 403);
      expect(error.code).toBe('FORBIDDEN');
      expect((await list(sales)).map((pipeline) => pipeline.name)).toEqual(['Sales pipeline']);
      expect((await storedPipelines(sales.organizationId)).map((row) => row.name)).toEqual([
        'Sales pipeline',
      ]);
    });

    it('answers 401 without a valid token', async () => {
      expectError(
        await app.call('POST', '/api/pipelines', { body: { name: 'x', stages: customStages() } }),
        401,
      );
      expectError(await app.call('GET', '/api/pipelines'), 401);
      expectError(await app.call('GET', `/api/pipelines/${randomUUID()}`), 401);
      expectError(await app.call('PUT', `/api/pipelines/${randomUUID()}`, { body: { name: 'x' } }), 401);
    });

    it('refuses a name the organization already uses, in any case, with 409', async () => {
      const admin = app.user('admin');
      const existing = await createPipeline(admin, { name: `Partners ${word()}` });
      for (const name of [existing.name, existing.name.toUpperCase(), `  ${existing.name.toLowerCase()} `]) {
        const error = expectError(await create(admin, { name, stages: customStages() }), 409);
        expect(error.code).toBe('CONFLICT');
      }
      // The default pipeline's name is taken too, once it exists.
      await list(admin);
      expectError(await create(admin, { name: 'sales PIPELINE', stages: customStages() }), 409);
      expect((await list(admin)).map((pipeline) => pipeline.name)).toEqual(['Sales pipeline', existing.name]);
    });

    it('lets another organization use the same name', async () => {
      const name = `Shared ${word()}`;
      await createPipeline(app.user('admin'), { name });
      const elsewhere = await createPipeline(app.user('manager'), { name });
      expect(elsewhere.name).toBe(name);
    });

    const stage = (fields: Record<string, unknown> = {}) => ({
      key: 'one',
      name: 'One',
      probability: 10,
      ...fields,
    });
    it.each([
      ['no name', { name: undefined }, ['name']],
      ['a blank name', { name: '   ' }, ['name']],
      ['a name over 100 characters', { name: 'x'.repeat(101) }, ['name']],
      ['no stages', { stages: undefined }, ['stages']],
      ['an empty list of stages', { stages: [] }, ['stages']],
      ['stages that are not a list', { stages: 'prospect' }, ['stages']],
      [
        'more than 30 stages',
        { stages: Array.from({ length: 31 }, (_, i) => stage({ key: `s${i}` })) },
        ['stages'],
      ],
      ['a stage without a key', { stages: [stage({ key: undefined })] }, ['stages.0.key']],
      ['a key with capitals', { stages: [stage(), stage({ key: 'Two' })] }, ['stages.1.key']],
      ['a key with a space', { stages: [stage({ key: 'one two' })] }, ['stages.0.key']],
      ['a key starting with a digit', { stages: [stage({ key: '1st' })] }, ['stages.0.key']],
      ['a key over 50 characters', { stages: [stage({ key: `k${'x'.repeat(50)}` })] }, ['stages.0.key']],
      ['a stage without a name', { stages: [stage({ name: undefined })] }, ['stages.0.name']],
      [
        'a stage without a probability',
        { stages: [stage({ probability: undefined })] },
        ['stages.0.probability'],
      ],
      ['a probability above 100', { stages: [stage({ probability: 101 })] }, ['stages.0.probability']],
      ['a negative probability', { stages: [stage({ probability: -1 })] }, ['stages.0.probability']],
      ['a fractional probability', { stages: [stage({ probability: 12.5 })] }, ['stages.0.probability']],
      ['a probability as a string', { stages: [stage({ probability: '10' })] }, ['stages.0.probability']],
      ['an isWon that is no boolean', { stages: [stage({ isWon: 'yes' })] }, ['stages.0.isWon']],
      ['a stage that is no object', { stages: [stage(), 'two'] }, ['stages.1']],
      ['a repeated key', { stages: [stage(), stage({ name: 'Again' })] }, ['stages.1.key']],
      [
        'a stage both won and lost',
        { stages: [stage(), stage({ key: 'two', isWon: true, isLost: true })] },
        ['stages.1'],
      ],
    ])('refuses %s with 422 naming the field, and creates nothing', async (_case, fields, expected) => {
      const admin = app.user('admin');
      const before = await list(admin);
      const body = { name: `Bad ${word()}`, stages: customStages(), ...fields };
      const error = expectError(await create(admin, body), 422);
      expect(error.code).toBe('VALIDATION_ERROR');
      for (const field of expected) expect(fieldsOf(error)).toContain(field);
      expect(await list(admin)).toEqual(before);
    });

    it('reports every stage problem at once', async () => {
      const admin = app.user('admin');
      const error = expectError(
        await create(admin, {
          name: `Bad ${word()}`,
          stages: [stage(), stage(), stage({ key: 'two', isWon: true, isLost: true })],
        }),
        422,
      );
      expect(fieldsOf(error).sort()).toEqual(['stages.1.key', 'stages.2']);
    });

    it('ignores id, organizationId, isDefault and timestamps in the body', async () => {
      const admin = app.user('admin');
      const id = randomUUID();
      const created = await createPipeline(admin, {
        id,
        organizationId: randomUUID(),
        isDefault: true,
        createdAt: '2000-01-01T00:00:00.000Z',
      });
      expect(created.id).not.toBe(id);
      expect(created).toMatchObject({ organizationId: admin.organizationId, isDefault: false });
      expect(Date.now() - Date.parse(created.createdAt)).toBeLessThan(60_000);
      expect((await list(admin)).filter((pipeline) => pipeline.isDefault)).toHaveLength(1);
    });
  });

  describe('GET /api/pipelines/:id and the pipelines of another organization', () => {
    it('answers 404 for an unknown id, a non-UUID id and another organization pipeline, on every route', async () => {
      const admin = app.user('admin');
      const foreignAdmin = app.user('admin');
      const foreign = await createPipeline(foreignAdmin);
      const foreignDefault = await defaultOf(foreignAdmin);
      for (const id of [randomUUID(), 'not-a-uuid', foreign.id, foreignDefault.id]) {
        expectError(await get(admin, id), 404);
        expectError(await put(admin, id, { name: `Taken over ${word()}` }), 404);
        expectError(await put(admin, id, { name: `Taken over ${word()}` }, 'PATCH'), 404);
        expectError(
          await admin.call('GET', `/api/deals/stage-stats?pipelineId=${id}`),
          id === 'not-a-uuid' ? 422 : 404,
        );
        expectError(
          await admin.call('GET', `/api/deals/board?pipelineId=${id}`),
          id === 'not-a-uuid' ? 422 : 404,
        );
      }
      expect(expectOk(await get(foreignAdmin, foreign.id))).toEqual(foreign);
      expect(await list(admin)).toHaveLength(1);
    });

    it('accepts the id in upper case', async () => {
      const admin = app.user('admin');
      const created = await createPipeline(admin);
      expect(expectOk(await get(admin, created.id.toUpperCase())).id).toBe(created.id);
    });

    it('does not let a deal be created in another organization pipeline', async () => {
      const admin = app.user('admin');
      const foreignAdmin = app.user('admin');
      const foreign = await createPipeline(foreignAdmin);
      const foreignDefault = await defaultOf(foreignAdmin);
      for (const pipelineId of [foreign.id, foreignDefault.id, randomUUID()]) {
        const title = `Intruder ${word()}`;
        const error = expectError(
          await admin.call('POST', '/api/deals', { body: { title, pipelineId, stage: 'discovery' } }),
          422,
        );
        expect(fieldsOf(error)).toEqual(['pipelineId']);
        expect(expectOk(await admin.call('GET', `/api/deals?search=${title.split(' ')[1]}`))).toEqual([]);
      }
      const { rows } = await app.db.query(
        'SELECT count(*)::int AS n FROM deals WHERE pipeline_id = ANY($1)',
        [[foreign.id, foreignDefault.id]],
      );
      expect(rows).toEqual([{ n: 0 }]);
      const stats = expectOk(
        await foreignAdmin.call('GET', `/api/deals/stage-stats?pipelineId=${foreign.id}`),
      );
      expect(stats.every((row: Json) => row.count === 0)).toBe(true);
    });

    it('does not let a deal move into another organization pipeline', async () => {
      const admin = app.user('admin');
      const foreign = await createPipeline(app.user('admin'));
      const deal = await admin.createDeal();
      const error = expectError(
        await admin.call('PATCH', `/api/deals/${deal.id}`, { body: { pipelineId: foreign.id } }),
        422,
      );
      expect(fieldsOf(error)).toEqual(['pipelineId']);
      expect(expectOk(await admin.call('GET', `/api/deals/${deal.id}`))).toMatchObject({
        pipelineId: deal.pipelineId,
        stage: 'prospect',
      });
    });
  });

  describe('PUT and PATCH /api/pipelines/:id', () => {
    it.each(['PUT', 'PATCH'])('%s renames a pipeline and leaves its stages alone', async (method) => {
      const admin = app.user('admin');
      const created = await createPipeline(admin);
      const name = `Renamed ${word()}`;
      const updated = expectOk(await put(admin, created.id, { name }, method));
      expect(updated).toEqual({ ...created, name, updatedAt: expect.any(String) });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      expect(expectOk(await get(admin, created.id))).toEqual(updated);
    });

    it.each(['PUT', 'PATCH'])(
      '%s replaces the stages, in the new order, and keeps the name',
      async (method) => {
        const admin = app.user('admin');
        const created = await createPipeline(admin);
        const stages = [
          { key: 'trial', name: 'Hands-on trial', probability: 65 },
          { key: 'discovery', name: 'Discovery', probability: 15 },
          { key: 'pilot', name: 'Pilot', probability: 80 },
          { key: 'signed', name: 'Signed', probability: 100, isWon: true },
          { key: 'dropped', name: 'Dropped', probability: 0, isLost: true },
        ];
        const updated = expectOk(await put(admin, created.id, { stages }, method));
        expect(updated.name).toBe(created.name);
        expect(updated.stages).toEqual(
          stages.map((stage, position) => ({ isWon: false, isLost: false, ...stage, position })),
        );
        expect(expectOk(await get(admin, created.id)).stages).toEqual(updated.stages);
      },
    );

    it('lets a manager update, and forbids a sales user (403) without changing anything', async () => {
      const manager = app.user('manager');
      const created = await createPipeline(manager);
      const renamed = expectOk(await put(manager, created.id, { name: `By manager ${word()}` }));
      const sales = manager.colleague('sales');
      for (const method of ['PUT', 'PATCH'])
        expectError(await put(sales, created.id, { name: `By sales ${word()}`, stages: [] }, method), 403);
      expect(expectOk(await get(sales, created.id))).toEqual(renamed);
    });

    it('may update the default pipeline too', async () => {
      const admin = app.user('admin');
      const pipeline = await defaultOf(admin);
      const stages = [...DEFAULT_STAGES.map(({ position: _p, ...stage }) => stage)];
      stages.splice(3, 0, { key: 'demo', name: 'Demo', probability: 60, isWon: false, isLost: false });
      const updated = expectOk(await put(admin, pipeline.id, { stages }));
      expect(updated.isDefault).toBe(true);
      expect(updated.stages.map((stage: Json) => stage.key)).toEqual([
        'prospect',
        'qualified',
        'proposal',
        'demo',
        'negotiation',
        'closed_won',
        'closed_lost',
      ]);
      const deal = await admin.createDeal({ stage: 'demo' });
      expect(deal).toMatchObject({ pipelineId: pipeline.id, stage: 'demo', probability: 60 });
    });

    it('refuses a name another pipeline of the organization has with 409, changing nothing', async () => {
      const admin = app.user('admin');
      await list(admin); // the default pipeline exists
      const first = await createPipeline(admin);
      const second = await createPipeline(admin);
      for (const name of [first.name.toUpperCase(), 'Sales Pipeline']) {
        const error = expectError(await put(admin, second.id, { name, stages: [customStages()[0]] }), 409);
        expect(error.code).toBe('CONFLICT');
      }
      expect(expectOk(await get(admin, second.id))).toEqual(second);
      // Its own name, in another case, is no conflict.
      const own = expectOk(await put(admin, second.id, { name: second.name.toUpperCase() }));
      expect(own.name).toBe(second.name.toUpperCase());
    });

    it.each([
      ['a blank name', { name: ' ' }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['an empty list of stages', { stages: [] }, 'stages'],
      ['null stages', { stages: null }, 'stages'],
      [
        'a stage with a bad probability',
        { stages: [{ key: 'a', name: 'A', probability: 120 }] },
        'stages.0.probability',
      ],
      [
        'a repeated key',
        {
          stages: [
            { key: 'a', name: 'A', probability: 1 },
            { key: 'a', name: 'B', probability: 2 },
          ],
        },
        'stages.1.key',
      ],
      [
        'a stage both won and lost',
        { stages: [{ key: 'a', name: 'A', probability: 1, isWon: true, isLost: true }] },
        'stages.0',
      ],
    ])('refuses %s with 422 naming the field, changing nothing', async (_case, body, field) => {
      const admin = app.user('admin');
      const created = await createPipeline(admin);
      const error = expectError(await put(admin, created.id, { name: `Changed ${word()}`, ...body }), 422);
      expect(fieldsOf(error)).toContain(field);
      expect(expectOk(await get(admin, created.id))).toEqual(created);
    });

    it('refuses with 409 to remove a stage that holds a live deal, and changes nothing', async () => {
      const admin = app.user('admin');
      const created = await createPipeline(admin);
      const deal = await admin.createDeal({ pipelineId: created.id, stage: 'trial' });
      const sales = admin.colleague('sales');
      // A deal the admin does not own holds a stage just as well.
      const salesDeal = await sales.createDeal({ pipelineId: created.id, stage: 'signed' });
      const name = `Renamed ${word()}`;
      const error = expectError(
        await put(admin, created.id, {
          name,
          stages: [
            { key: 'discovery', name: 'Discovery', probability: 30 },
            { key: 'dropped', name: 'Dropped', probability: 0, isLost: true },
          ],
        }),
        409,
      );
      expect(error.code).toBe('CONFLICT');
      expect(error.details).toEqual({ stages: ['signed', 'trial'] });
      expect(expectOk(await get(admin, created.id))).toEqual(created);
      expect(expectOk(await admin.call('GET', `/api/deals/${deal.id}`))).toMatchObject({
        pipelineId: created.id,
        stage: 'trial',
        probability: 60,
      });
      expect(expectOk(await admin.call('GET', `/api/deals/${salesDeal.id}`)).stage).toBe('signed');
      expect((await list(admin)).some((pipeline) => pipeline.name === name)).toBe(false);
    });

    it('refuses to remove a stage of the default pipeline that holds a deal', async () => {
      const admin = app.user('admin');
      const deal = await admin.createDeal({ stage: 'negotiation' });
      const pipeline = await defaultOf(admin);
      const stages = DEFAULT_STAGES.filter((stage) => stage.key !== 'negotiation').map(
        ({ position: _p, ...stage }) => stage,
      );
      expect(expectError(await put(admin, pipeline.id, { stages }), 409).details).toEqual({
        stages: ['negotiation'],
      });
      expect(expectOk(await get(admin, pipeline.id)).stages).toEqual(DEFAULT_STAGES);
      expect(expectOk(await admin.call('GET', `/api/deals/${deal.id}`)).stage).toBe('negotiation');
    });

    it('removes a stage that holds no deal, and a stage whose only deals were deleted', async () => {
      const admin = app.user('admin');
      const created = await createPipeline(admin);
      const kept = await admin.createDeal({ pipelineId: created.id, stage: 'discovery' });
      const deleted = await admin.createDeal({ pipelineId: created.id, stage: 'trial' });
      expectOk(await admin.call('DELETE', `/api/deals/${deleted.id}`));
      // A deal of another pipeline in a stage of the same key does not hold this one.
      const pipelineB = await createPipeline(admin);
      await admin.createDeal({ pipelineId: pipelineB.id, stage: 'signed' });

      const stages = [
        { key: 'discovery', name: 'Discovery', probability: 20 },
        { key: 'dropped', name: 'Dropped', probability: 0, isLost: true },
      ];
      const updated = expectOk(await put(admin, created.id, { stages }));
      expect(updated.stages.map((stage: Json) => stage.key)).toEqual(['discovery', 'dropped']);
      expect(expectOk(await admin.call('GET', `/api/deals/${kept.id}`)).stage).toBe('discovery');

      // The removed stages are no longer stages of the pipeline.
      for (const stage of ['trial', 'signed']) {
        const error = expectError(
          await admin.call('POST', '/api/deals', { body: { title: 'Late', pipelineId: created.id, stage } }),
          422,
        );
        expect(fieldsOf(error)).toEqual(['stage']);
      }
      expect(
        expectOk(await admin.call('GET', `/api/deals/stage-stats?pipelineId=${created.id}`)).map(
          (row: Json) => row.stage,
        ),
      ).toEqual(['discovery', 'dropped']);
    });

    it('never leaves a live deal in a removed stage when deals enter it while it is removed', async () => {
      const admin = app.user('admin');
      const created = await createPipeline(admin);
      const withoutTrial = customStages().filter((stage) => stage.key !== 'trial');
      const [update, ...creates] = await Promise.all([
        put(admin, created.id, { stages: withoutTrial }),
        ...Array.from({ length: 6 }, (_, i) =>
          admin.call('POST', '/api/deals', {
            body: { title: `Racer ${i}`, pipelineId: created.id, stage: 'trial' },
          }),
        ),
      ]);
      const { rows } = await app.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM deals WHERE pipeline_id = $1 AND stage = 'trial' AND deleted_at IS NULL",
        [created.id],
      );
      const stages = expectOk(await get(admin, created.id)).stages.map((stage: Json) => stage.key);
      if (update!.status === 200) {
        expect(stages).toEqual(['discovery', 'signed', 'dropped']);
        expect(rows[0]!.n).toBe(0);
        for (const res of creates) expect([201, 422]).toContain(res.status);
        expect(rows[0]!.n).toBe(creates.filter((res) => res.status === 201).length);
      } else {
        expect(expectError(update!, 409).details).toEqual({ stages: ['trial'] });
        expect(stages).toEqual(['discovery', 'trial', 'signed', 'dropped']);
        expect(rows[0]!.n).toBe(creates.filter((res) => res.status === 201).length);
        expect(rows[0]!.n).toBeGreaterThan(0);
      }
    });

    it('refuses to change the kind of a stage that holds deals (409) and lets an empty one change', async () => {
      const admin = app.user('admin');
      const created = await createPipeline(admin);
      const deal = await admin.createDeal({ pipelineId: created.id, stage: 'trial' });
      const trialWon = customStages().map((stage) =>
        stage.key === 'trial' ? { ...stage, isWon: true } : stage,
      );
      const refused = await put(admin, created.id, { stages: trialWon });
      expectError(refused, 409);
      expect(refused.body.error.details).toEqual({ stages: ['trial'] });
      const unchanged = expectOk(await admin.call('GET', `/api/pipelines/${created.id}`));
      expect(unchanged.stages.find((stage: Json) => stage.key === 'trial')).toMatchObject({ isWon: false });
      expect(expectOk(await admin.call('GET', `/api/deals/${deal.id}`)).status).toBe('open');

      expectOk(await admin.call('DELETE', `/api/deals/${deal.id}`));
      const changed = expectOk(await put(admin, created.id, { stages: trialWon }));
      expect(changed.stages.find((stage: Json) => stage.key === 'trial')).toMatchObject({ isWon: true });
      const won = await admin.createDeal({ pipelineId: created.id, stage: 'trial' });
      expect(won).toMatchObject({ status: 'won', closedDate: expect.any(String) });
    });
  });
});
