import { ContactCreated, ContactUpdated, type EventEnvelope } from '@flow-crm/contracts';
import { envelope, eventually, expectError, expectOk, fieldsOf } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { customPipeline } from './deal-helpers';
import { type Json, type PipelineCaller, usePipeline } from './pipeline-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A lead with every field the conversion carries over. */
const PROSPECT = {
  email: 'ada@engines.example.com',
  phone: '+44 20 7946 0000',
  company: 'Analytical Engines',
  title: 'CTO',
  source: 'Referral',
  estimatedValue: 4200.5,
};

// The lead-conversion saga as pipeline runs it: one transaction marks the lead converted, opens the
// deal and records pipeline.lead.converted with every id, so the client has them all at once.
describe('lead conversion', () => {
  const app = usePipeline();

  const convert = (caller: PipelineCaller, id: string, body: unknown = {}) =>
    caller.call('POST', `/api/leads/${id}/convert`, { body });
  const getLead = async (caller: PipelineCaller, id: string) =>
    expectOk(await caller.call('GET', `/api/leads/${id}`));
  const getDeal = async (caller: PipelineCaller, id: string) =>
    expectOk(await caller.call('GET', `/api/deals/${id}`));
  const defaultPipeline = async (caller: PipelineCaller): Promise<Json> =>
    (expectOk(await caller.call('GET', '/api/pipelines')) as Json[]).find((pipeline) => pipeline.isDefault);

  /** The outbox rows of pipeline.lead.converted for a lead. */
  const convertedRows = async (leadId: string): Promise<{ envelope: EventEnvelope<Json> }[]> =>
    (
      await app.db.query(
        "SELECT envelope FROM outbox_events WHERE type = 'pipeline.lead.converted' AND aggregate_id = $1",
        [leadId],
      )
    ).rows;
  const dealsOf = async (organizationId: string): Promise<Json[]> =>
    (
      await app.db.query(
        'SELECT id, contact_id FROM deals WHERE organization_id = $1 AND deleted_at IS NULL',
        [organizationId],
      )
    ).rows;

  describe('POST /api/leads/:id/convert', () => {
    let admin: PipelineCaller;
    beforeAll(() => {
      admin = app.user('admin');
    });

    it('answers 200 {lead, contactId, customerId, dealId} at once, the lead converted with the three ids', async () => {
      const lead = await admin.createLead({ name: 'Ada Lovelace', ...PROSPECT });
      const res = await convert(admin, lead.id);
      const answer = expectOk(res, 200);
      expect(Object.keys(answer).sort()).toEqual(['contactId', 'customerId', 'dealId', 'lead']);
      const { contactId, customerId, dealId } = answer;
      for (const id of [contactId, customerId, dealId]) expect(id).toMatch(UUID);
      expect(new Set([contactId, customerId, dealId, lead.id]).size).toBe(4);

      expect(answer.lead).toMatchObject({
        ...PROSPECT,
        id: lead.id,
        leadNumber: lead.leadNumber,
        name: 'Ada Lovelace',
        status: 'converted',
        convertedContactId: contactId,
        convertedCustomerId: customerId,
        convertedDealId: dealId,
        ownerId: admin.userId,
      });
      expect(new Date(answer.lead.convertedAt).toISOString()).toBe(answer.lead.convertedAt);
      expect(Math.abs(Date.now() - Date.parse(answer.lead.convertedAt))).toBeLessThan(60_000);
      expect(await getLead(admin, lead.id)).toEqual(answer.lead);

      // At once: pipeline did not wait for contacts, which has not announced the contact yet.
      const replica = await app.db.query('SELECT 1 FROM contact_replicas WHERE id = $1', [contactId]);
      expect(replica.rows).toEqual([]);
      const converted = expectOk(await admin.call('GET', '/api/leads?isConverted=true'));
      expect(converted.map((l: Json) => l.id)).toContain(lead.id);
    });

    it("opens the deal for the coming contact in the default pipeline's first stage, valued at the estimated value", async () => {
      const lead = await admin.createLead({ name: 'Grace Hopper', ...PROSPECT });
      const { contactId, customerId, dealId } = expectOk(await convert(admin, lead.id));
      const pipeline = await defaultPipeline(admin);
      const deal = await getDeal(admin, dealId);
      expect(deal).toMatchObject({
        id: dealId,
        organizationId: admin.organizationId,
        contactId,
        contactName: 'Grace Hopper',
        customerId,
        company: PROSPECT.company,
        value: PROSPECT.estimatedValue,
        pipelineId: pipeline.id,
        stage: pipeline.stages[0].key,
        probability: pipeline.stages[0].probability,
        ownerId: admin.userId,
      });
      expect(deal.stage).toBe('prospect');
      expect(deal.probability).toBe(10);
      expect(deal.title).toContain('Grace Hopper');
      const listed = expectOk(await admin.call('GET', `/api/deals?contactId=${contactId}`));
      expect(listed.map((d: Json) => d.id)).toEqual([dealId]);
      const [created] = await app.events.waitFor(
        (e) => e.type === 'pipeline.deal.created' && e.aggregateId === dealId,
      );
      expect(created.data).toMatchObject({ contactId, customerId, value: PROSPECT.estimatedValue });
    });

    it.each([
      ['dealValue when given', { estimatedValue: 999 }, { dealValue: 1234.5 }, 1234.5],
      ['a dealValue of 0 over the estimated value', { estimatedValue: 500 }, { dealValue: 0 }, 0],
      ['the estimated value without a dealValue', { estimatedValue: 77.25 }, {}, 77.25],
      ['0 without either', {}, {}, 0],
    ])('values the deal at %s', async (_case, leadFields, body, value) => {
      const lead = await admin.createLead(leadFields);
      const { dealId } = expectOk(await convert(admin, lead.id, body));
      expect((await getDeal(admin, dealId)).value).toBe(value);
    });

    it('opens the deal in the first stage of the pipeline given, with the title given', async () => {
      const pipeline = await customPipeline(admin);
      const lead = await admin.createLead({ company: 'Initech' });
      const { dealId } = expectOk(
        await convert(admin, lead.id, { pipelineId: pipeline.id, dealTitle: 'Initech pilot' }),
      );
      expect(await getDeal(admin, dealId)).toMatchObject({
        title: 'Initech pilot',
        pipelineId: pipeline.id,
        stage: 'discovery',
        probability: 20,
      });
    });

    it('creates no deal with createDeal: false', async () => {
      const sales = app.user('sales');
      const lead = await sales.createLead({ ...PROSPECT, name: 'No Deal' });
      const answer = expectOk(await convert(sales, lead.id, { createDeal: false }));
      expect(answer).toMatchObject({ dealId: null, customerId: expect.stringMatching(UUID) });
      expect(answer.contactId).toMatch(UUID);
      expect(answer.lead).toMatchObject({ status: 'converted', convertedDealId: null });
      expect(await dealsOf(sales.organizationId)).toEqual([]);
      expect(expectOk(await sales.call('GET', '/api/deals'))).toEqual([]);
      const [row] = await convertedRows(lead.id);
      expect(row!.envelope.data.dealId).toBeNull();
      const dealEvents = await app.db.query(
        "SELECT count(*)::int AS n FROM outbox_events WHERE type = 'pipeline.deal.created' AND envelope->>'organizationId' = $1",
        [sales.organizationId],
      );
      expect(dealEvents.rows[0].n).toBe(0);
    });

    it('gives no customer to a lead without a company', async () => {
      const lead = await admin.createLead({ name: 'Solo Trader', email: 'solo@example.com' });
      const answer = expectOk(await convert(admin, lead.id));
      expect(answer.customerId).toBeNull();
      expect(answer.dealId).toMatch(UUID);
      expect(answer.lead).toMatchObject({ convertedCustomerId: null, convertedContactId: answer.contactId });
      expect(await getDeal(admin, answer.dealId)).toMatchObject({
        contactId: answer.contactId,
        contactName: 'Solo Trader',
        customerId: null,
        company: null,
        title: 'Solo Trader',
      });
      const [event] = await app.events.waitFor(
        (e) => e.type === 'pipeline.lead.converted' && e.aggregateId === lead.id,
      );
      expect(event.data.customer).toBeNull();
      expect(event.data.contact).toMatchObject({ id: answer.contactId, company: null });
    });
  });

  describe('pipeline.lead.converted', () => {
    it('is published once with exactly the contract payload and the ids of the answer', async () => {
      const admin = app.user('admin');
      const sales = admin.colleague('sales');
      const lead = await sales.createLead({ name: 'Katherine Johnson', ...PROSPECT });
      const answer = expectOk(await convert(sales, lead.id));
      const expected = {
        leadId: lead.id,
        organizationId: sales.organizationId,
        ownerId: sales.userId,
        contact: {
          id: answer.contactId,
          name: 'Katherine Johnson',
          email: PROSPECT.email,
          phone: PROSPECT.phone,
          company: PROSPECT.company,
          title: PROSPECT.title,
        },
        customer: { id: answer.customerId, name: PROSPECT.company },
        dealId: answer.dealId,
      };

      const rows = await convertedRows(lead.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.envelope.data).toEqual(expected);
      expect(rows[0]!.envelope).toMatchObject({
        type: 'pipeline.lead.converted',
        version: 1,
        source: 'pipeline',
        organizationId: sales.organizationId,
        aggregateId: lead.id,
        actorId: sales.userId,
      });

      const captured = await app.events.waitFor(
        (e) => e.type === 'pipeline.lead.converted' && e.aggregateId === lead.id,
      );
      expect(captured).toHaveLength(1);
      expect(captured[0]).toEqual(rows[0]!.envelope);
      expect(app.events.routingKeys.get(captured[0]!.id)).toBe('pipeline.lead.converted');
      // The deal belongs to the lead's owner.
      expect((await getDeal(admin, answer.dealId)).ownerId).toBe(sales.userId);
    });

    it('is recorded in the same transaction as the lead change and the deal', async () => {
      const admin = app.user('admin');
      const lead = await admin.createLead({ company: 'Hooli' });
      const { dealId } = expectOk(await convert(admin, lead.id));
      // now() is the transaction's start: rows written in one transaction share it.
      const { rows } = await app.db.query(
        `SELECT l.updated_at = o.created_at AS lead_same, d.created_at = o.created_at AS deal_same
         FROM outbox_events o
         JOIN leads l ON l.id = o.aggregate_id
         JOIN deals d ON d.id = $2
         WHERE o.type = 'pipeline.lead.converted' AND o.aggregate_id = $1`,
        [lead.id, dealId],
      );
      expect(rows).toEqual([{ lead_same: true, deal_same: true }]);
      const other = await app.db.query(
        `SELECT count(*)::int AS n FROM outbox_events
         WHERE type = 'pipeline.lead.created' AND aggregate_id = $1
           AND created_at = (SELECT created_at FROM outbox_events WHERE type = 'pipeline.lead.converted' AND aggregate_id = $1)`,
        [lead.id],
      );
      expect(other.rows[0].n).toBe(0);
    });
  });

  describe('converting twice', () => {
    it('answers 409 the second time, with no second event or deal', async () => {
      const admin = app.user('admin');
      const lead = await admin.createLead({ ...PROSPECT });
      const first = expectOk(await convert(admin, lead.id));
      expectError(await convert(admin, lead.id), 409);
      expectError(await convert(admin, lead.id, { createDeal: false }), 409);
      expect(await getLead(admin, lead.id)).toEqual(first.lead);
      expect(await convertedRows(lead.id)).toHaveLength(1);
      expect((await dealsOf(admin.organizationId)).map((d) => d.id)).toEqual([first.dealId]);
      await app.events.waitFor((e) => e.type === 'pipeline.lead.converted' && e.aggregateId === lead.id);
      expect(
        app.events.matching((e) => e.type === 'pipeline.lead.converted' && e.aggregateId === lead.id),
      ).toHaveLength(1);
    });

    it('lets exactly one of two concurrent converts of the same lead win; the other gets 409', async () => {
      const admin = app.user('admin');
      const leads = await Promise.all([1, 2, 3].map(() => admin.createLead({ ...PROSPECT })));
      for (const lead of leads) {
        const answers = await Promise.all([convert(admin, lead.id), convert(admin, lead.id)]);
        expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
        const winner = answers.find((res) => res.status === 200)!;
        expectError(
          answers.find((res) => res.status === 409)!,
          409,
        );
        const { dealId, contactId } = expectOk(winner);
        expect(await convertedRows(lead.id)).toHaveLength(1);
        expect(await getLead(admin, lead.id)).toMatchObject({
          convertedDealId: dealId,
          convertedContactId: contactId,
        });
      }
      expect(await dealsOf(admin.organizationId)).toHaveLength(3);
    });
  });

  describe('refusals', () => {
    let admin: PipelineCaller;
    beforeAll(() => {
      admin = app.user('admin');
    });

    it.each([
      ['a createDeal that is no boolean', { createDeal: 'yes' }, 'createDeal'],
      ['a negative dealValue', { dealValue: -1 }, 'dealValue'],
      ['a dealValue with three decimals', { dealValue: 1.234 }, 'dealValue'],
      ['a blank dealTitle', { dealTitle: '  ' }, 'dealTitle'],
      ['a pipelineId that is no UUID', { pipelineId: 'sales' }, 'pipelineId'],
      ['an unknown pipelineId', { pipelineId: randomUUID() }, 'pipelineId'],
    ])('refuses %s with 422 and converts nothing', async (_case, body, field) => {
      const lead = await admin.createLead({ ...PROSPECT });
      expect(fieldsOf(expectError(await convert(admin, lead.id, body), 422))).toContain(field);
      expect(await getLead(admin, lead.id)).toMatchObject({
        status: 'new',
        convertedAt: null,
        convertedDealId: null,
      });
      expect(await convertedRows(lead.id)).toEqual([]);
    });

    it("refuses another organization's pipeline with 422", async () => {
      const stranger = app.user('admin');
      const theirs = await defaultPipeline(stranger);
      const lead = await admin.createLead();
      expect(fieldsOf(expectError(await convert(admin, lead.id, { pipelineId: theirs.id }), 422))).toContain(
        'pipelineId',
      );
      expect((await getLead(admin, lead.id)).status).toBe('new');
      expect(await dealsOf(stranger.organizationId)).toEqual([]);
    });

    it("answers 404 to another organization's lead and to a sales user's colleague's lead", async () => {
      const lead = await admin.createLead({ ...PROSPECT });
      expectError(await convert(app.user('admin'), lead.id), 404);
      expectError(await convert(admin.colleague('sales'), lead.id), 404);
      expectError(await convert(admin, randomUUID()), 404);
      expect((await getLead(admin, lead.id)).status).toBe('new');
      expect(await convertedRows(lead.id)).toEqual([]);
    });
  });

  describe('when contacts announces the contact', () => {
    it("the deal's contactName follows the contact's name", async () => {
      const admin = app.user('admin');
      const lead = await admin.createLead({ name: 'Lead Name', ...PROSPECT });
      const { contactId, customerId, dealId } = expectOk(await convert(admin, lead.id));
      expect((await getDeal(admin, dealId)).contactName).toBe('Lead Name');

      const contact = {
        id: contactId,
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        name: 'Ada King, Countess of Lovelace',
        email: PROSPECT.email,
        company: PROSPECT.company,
        customerId,
      };
      await app.inject.publish(
        envelope(ContactCreated.type, contact, {
          organizationId: admin.organizationId,
          aggregateId: contactId,
          aggregateVersion: 1,
        }),
      );
      await eventually(async () =>
        expect(await getDeal(admin, dealId)).toMatchObject({
          contactId,
          contactName: 'Ada King, Countess of Lovelace',
        }),
      );

      await app.inject.publish(
        envelope(
          ContactUpdated.type,
          { ...contact, name: 'Ada Lovelace' },
          { organizationId: admin.organizationId, aggregateId: contactId, aggregateVersion: 2 },
        ),
      );
      await eventually(async () => expect((await getDeal(admin, dealId)).contactName).toBe('Ada Lovelace'));
      const listed = expectOk(
        await admin.call('GET', `/api/deals?search=${encodeURIComponent('Ada Lovelace')}`),
      );
      expect(listed.map((d: Json) => d.id)).toContain(dealId);
    });
  });
});
