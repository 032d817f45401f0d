import { DeadLetters } from '@flow-crm/bus';
import {
  DealCreated,
  DealDeleted,
  type DealSnapshot,
  DealStageChanged,
  DealUpdated,
  type EventEnvelope,
  type LeadConversion,
  LeadConverted,
} from '@flow-crm/contracts';
import { Metrics } from '@flow-crm/observability';
import { deliverAndWait, envelope, eventually, expectError, expectOk } from '@flow-crm/testing';
import { type ChannelModel, connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

// contacts as a consumer of pipeline's events: the deal replica behind each contact's totals and
// the contacts half of the lead-conversion saga.
describe('pipeline events consumed by contacts', () => {
  const app = useContacts();
  const pipelineId = randomUUID();
  let admin: Caller;
  let other: Caller;

  beforeAll(() => {
    admin = app.user('admin');
    other = app.user('admin');
  });

  /** What pipeline would publish of a deal: open, in the first stage, owned by the admin. */
  function deal(overrides: Partial<DealSnapshot> = {}): DealSnapshot {
    return {
      id: randomUUID(),
      organizationId: admin.organizationId,
      ownerId: admin.userId,
      title: `Deal ${word()}`,
      contactId: null,
      customerId: null,
      company: null,
      value: 1000,
      currency: 'USD',
      pipelineId,
      stage: 'prospect',
      probability: 10,
      isWon: false,
      isLost: false,
      ...overrides,
    };
  }

  function dealEvent(
    type: string,
    snapshot: DealSnapshot,
    aggregateVersion: number,
    extra: Record<string, unknown> = {},
  ): EventEnvelope {
    return envelope(
      type,
      { ...snapshot, ...extra },
      {
        organizationId: snapshot.organizationId,
        aggregateId: snapshot.id,
        aggregateVersion,
        actorId: snapshot.ownerId,
      },
    );
  }

  function stageChanged(snapshot: DealSnapshot, version: number, fromStage: string): EventEnvelope {
    return dealEvent(DealStageChanged.type, snapshot, version, { fromStage, toStage: snapshot.stage });
  }

  /**
   * Publishes the events together and waits until the consumer is done with every one of them,
   * so that a test can assert that something did NOT change.
   */
  const deliver = (...events: EventEnvelope[]): Promise<void> =>
    deliverAndWait(app.inject, app.app.get(Metrics), events);

  async function totals(contactId: string, caller = admin): Promise<{ count: number; value: number }> {
    const contact = expectOk(await caller.call('GET', `/api/contacts/${contactId}`));
    return { count: contact.totalDealsCount, value: contact.totalDealsValue };
  }

  describe('deal totals', () => {
    it('counts a deal created for a contact, its value a JSON number with cents', async () => {
      const contact = await admin.createContact();
      await deliver(dealEvent(DealCreated.type, deal({ contactId: contact.id, value: 1234.56 }), 1));

      const got = expectOk(await admin.call('GET', `/api/contacts/${contact.id}`));
      expect(got.totalDealsCount).toBe(1);
      expect(got.totalDealsValue).toBe(1234.56);
      expect(typeof got.totalDealsValue).toBe('number');
      const raw = (await admin.call('GET', `/api/contacts/${contact.id}`)).text;
      expect(raw).toContain('"totalDealsValue":1234.56');
    });

    it('adds up several deals of one contact, and leaves other contacts alone', async () => {
      const contact = await admin.createContact();
      const bystander = await admin.createContact();
      await deliver(
        dealEvent(DealCreated.type, deal({ contactId: contact.id, value: 100.1 }), 1),
        dealEvent(DealCreated.type, deal({ contactId: contact.id, value: 200.2 }), 1),
        dealEvent(DealCreated.type, deal({ contactId: contact.id, value: 0.01 }), 1),
      );
      expect(await totals(contact.id)).toEqual({ count: 3, value: 300.31 });
      expect(await totals(bystander.id)).toEqual({ count: 0, value: 0 });
    });

    it('moves the value of a deal that moves to another contact', async () => {
      const first = await admin.createContact();
      const second = await admin.createContact();
      const stays = deal({ contactId: first.id, value: 10 });
      const moves = deal({ contactId: first.id, value: 500.5 });
      await deliver(dealEvent(DealCreated.type, stays, 1), dealEvent(DealCreated.type, moves, 1));
      expect(await totals(first.id)).toEqual({ count: 2, value: 510.5 });

      await deliver(dealEvent(DealUpdated.type, { ...moves, contactId: second.id, value: 600.75 }, 2));
      expect(await totals(first.id)).toEqual({ count: 1, value: 10 });
      expect(await totals(second.id)).toEqual({ count: 1, value: 600.75 });
    });

    it('stops counting a deal that loses its contact', async () => {
      const contact = await admin.createContact();
      const snapshot = deal({ contactId: contact.id, value: 75 });
      await deliver(dealEvent(DealCreated.type, snapshot, 1));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 75 });

      await deliver(dealEvent(DealUpdated.type, { ...snapshot, contactId: null }, 2));
      expect(await totals(contact.id)).toEqual({ count: 0, value: 0 });
    });

    it('stops counting a deal that becomes lost, and counts a won one', async () => {
      const contact = await admin.createContact();
      const lost = deal({ contactId: contact.id, value: 300 });
      const won = deal({ contactId: contact.id, value: 450.25 });
      await deliver(dealEvent(DealCreated.type, lost, 1), dealEvent(DealCreated.type, won, 1));
      expect(await totals(contact.id)).toEqual({ count: 2, value: 750.25 });

      await deliver(
        stageChanged({ ...lost, stage: 'closed_lost', probability: 0, isLost: true }, 2, 'prospect'),
        stageChanged({ ...won, stage: 'closed_won', probability: 100, isWon: true }, 2, 'prospect'),
      );
      expect(await totals(contact.id)).toEqual({ count: 1, value: 450.25 });
    });

    it('counts a lost deal again once it is reopened', async () => {
      const contact = await admin.createContact();
      const snapshot = deal({ contactId: contact.id, value: 42 });
      await deliver(dealEvent(DealCreated.type, snapshot, 1));
      await deliver(
        stageChanged({ ...snapshot, stage: 'closed_lost', probability: 0, isLost: true }, 2, 'prospect'),
      );
      expect(await totals(contact.id)).toEqual({ count: 0, value: 0 });
      await deliver(stageChanged({ ...snapshot, stage: 'qualified', probability: 25 }, 3, 'closed_lost'));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 42 });
    });

    it('leaves the contact row unwritten when a change keeps what the totals count', async () => {
      const contact = await admin.createContact();
      const snapshot = deal({ contactId: contact.id, value: 99.5 });
      await deliver(dealEvent(DealCreated.type, snapshot, 1));
      const rowVersion = async () =>
        (await app.db.query('SELECT xmin::text AS xmin FROM contacts WHERE id = $1', [contact.id])).rows[0]
          .xmin;
      const before = await rowVersion();

      await deliver(
        stageChanged({ ...snapshot, stage: 'qualified', probability: 25 }, 2, 'prospect'),
        dealEvent(DealUpdated.type, { ...snapshot, stage: 'qualified', title: 'Renamed' }, 3),
      );
      expect(await rowVersion()).toBe(before);
      expect(await totals(contact.id)).toEqual({ count: 1, value: 99.5 });
      const { rows } = await app.db.query('SELECT aggregate_version FROM deal_replicas WHERE deal_id = $1', [
        snapshot.id,
      ]);
      expect(rows).toEqual([{ aggregate_version: 3 }]);

      // A change of value is written.
      await deliver(dealEvent(DealUpdated.type, { ...snapshot, value: 100 }, 4));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 100 });
    });

    it('stops counting a deleted deal', async () => {
      const contact = await admin.createContact();
      const kept = deal({ contactId: contact.id, value: 5 });
      const deleted = deal({ contactId: contact.id, value: 95 });
      await deliver(dealEvent(DealCreated.type, kept, 1), dealEvent(DealCreated.type, deleted, 1));
      await deliver(dealEvent(DealUpdated.type, { ...deleted, value: 99.99 }, 2));
      expect(await totals(contact.id)).toEqual({ count: 2, value: 104.99 });

      await deliver(dealEvent(DealDeleted.type, { ...deleted, value: 99.99 }, 3));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 5 });
    });

    it('applies a duplicate delivery (same event id) only once', async () => {
      const contact = await admin.createContact();
      const created = dealEvent(DealCreated.type, deal({ contactId: contact.id, value: 250 }), 1);
      await deliver(created);
      await deliver(created);
      await deliver(created, created);
      expect(await totals(contact.id)).toEqual({ count: 1, value: 250 });
      const inbox = await app.db.query('SELECT count(*)::int AS n FROM inbox_events WHERE event_id = $1', [
        created.id,
      ]);
      expect(inbox.rows[0].n).toBe(1);
    });

    it('ignores a version older than the one it holds (version 3, then version 2)', async () => {
      const contact = await admin.createContact();
      const elsewhere = await admin.createContact();
      const snapshot = deal({ contactId: contact.id, value: 100 });
      await deliver(dealEvent(DealCreated.type, snapshot, 1));
      await deliver(dealEvent(DealUpdated.type, { ...snapshot, value: 300 }, 3));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 300 });

      await deliver(dealEvent(DealUpdated.type, { ...snapshot, value: 200, contactId: elsewhere.id }, 2));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 300 });
      expect(await totals(elsewhere.id)).toEqual({ count: 0, value: 0 });
      // The same version under a new event id (a re-publication) changes nothing either.
      await deliver(dealEvent(DealUpdated.type, { ...snapshot, value: 999 }, 3));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 300 });
    });

    it('keeps a deleted deal deleted when an older update arrives after the deletion', async () => {
      const contact = await admin.createContact();
      const snapshot = deal({ contactId: contact.id, value: 80 });
      await deliver(dealEvent(DealCreated.type, snapshot, 1));
      await deliver(dealEvent(DealDeleted.type, snapshot, 4));
      expect(await totals(contact.id)).toEqual({ count: 0, value: 0 });

      await deliver(dealEvent(DealUpdated.type, { ...snapshot, value: 90 }, 3));
      expect(await totals(contact.id)).toEqual({ count: 0, value: 0 });
    });

    it('never counts a deal whose deletion arrived before its creation', async () => {
      const contact = await admin.createContact();
      const snapshot = deal({ contactId: contact.id, value: 60 });
      await deliver(dealEvent(DealDeleted.type, snapshot, 2));
      await deliver(dealEvent(DealCreated.type, snapshot, 1));
      expect(await totals(contact.id)).toEqual({ count: 0, value: 0 });
    });

    it("ignores a deal of another organization that names this organization's contact", async () => {
      const contact = await admin.createContact();
      const foreign = deal({ contactId: contact.id, organizationId: other.organizationId, value: 7000 });
      await deliver(dealEvent(DealCreated.type, foreign, 1));
      expect(await totals(contact.id)).toEqual({ count: 0, value: 0 });

      // …and a later deal of its own organization is totalled without the foreign one.
      await deliver(dealEvent(DealCreated.type, deal({ contactId: contact.id, value: 1 }), 1));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 1 });
    });

    it('takes a deal without a contact in its stride', async () => {
      const contact = await admin.createContact();
      const loose = deal({ contactId: null, value: 123.45 });
      await deliver(dealEvent(DealCreated.type, loose, 1));
      const replica = await app.db.query('SELECT contact_id, value FROM deal_replicas WHERE deal_id = $1', [
        loose.id,
      ]);
      expect(replica.rows).toEqual([{ contact_id: null, value: '123.45' }]);

      // Gaining a contact later makes it count there.
      await deliver(dealEvent(DealUpdated.type, { ...loose, contactId: contact.id }, 2));
      expect(await totals(contact.id)).toEqual({ count: 1, value: 123.45 });
    });

    it('totals exactly 20 deal-created events for one contact published at once', async () => {
      const contact = await admin.createContact();
      const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10 + 0.37);
      await deliver(
        ...values.map((value) => dealEvent(DealCreated.type, deal({ contactId: contact.id, value }), 1)),
      );
      const cents = values.reduce((sum, value) => sum + Math.round(value * 100), 0);
      expect(await totals(contact.id)).toEqual({ count: 20, value: cents / 100 });
    });

    it("moves a deal's value when its creation and a change of contact arrive together", async () => {
      const first = await admin.createContact();
      const second = await admin.createContact();
      const deals = Array.from({ length: 10 }, () => deal({ contactId: first.id, value: 20 }));
      await deliver(
        ...deals.flatMap((d) => [
          dealEvent(DealCreated.type, d, 1),
          dealEvent(DealUpdated.type, { ...d, contactId: second.id }, 2),
        ]),
      );
      expect(await totals(first.id)).toEqual({ count: 0, value: 0 });
      expect(await totals(second.id)).toEqual({ count: 10, value: 200 });
    });

    it('moves deals between two contacts concurrently without losing any', async () => {
      const first = await admin.createContact();
      const second = await admin.createContact();
      const deals = Array.from({ length: 10 }, (_, i) =>
        deal({ contactId: i % 2 === 0 ? first.id : second.id, value: 10 }),
      );
      await deliver(...deals.map((d) => dealEvent(DealCreated.type, d, 1)));
      expect(await totals(first.id)).toEqual({ count: 5, value: 50 });
      // Every deal swaps contact at once: opposite moves lock both contacts.
      await deliver(
        ...deals.map((d) =>
          dealEvent(
            DealUpdated.type,
            { ...d, contactId: d.contactId === first.id ? second.id : first.id },
            2,
          ),
        ),
      );
      expect(await totals(first.id)).toEqual({ count: 5, value: 50 });
      expect(await totals(second.id)).toEqual({ count: 5, value: 50 });
    });
  });

  describe('pipeline.lead.converted', () => {
    function conversion(
      overrides: Partial<LeadConversion> = {},
      contact: Partial<LeadConversion['contact']> = {},
    ): LeadConversion {
      const name = `Lead ${word()}`;
      return {
        leadId: randomUUID(),
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        contact: {
          id: randomUUID(),
          name,
          email: `${word()}@example.com`,
          phone: '+1 555 0100',
          company: null,
          title: 'CTO',
          ...contact,
        },
        customer: null,
        dealId: null,
        ...overrides,
      };
    }

    function converted(data: LeadConversion): EventEnvelope<LeadConversion> {
      return envelope(LeadConverted.type, data, {
        organizationId: data.organizationId,
        aggregateId: data.leadId,
        aggregateVersion: 3,
        actorId: data.ownerId,
      });
    }

    async function contactCount(id: string): Promise<number> {
      const { rows } = await app.db.query('SELECT count(*)::int AS n FROM contacts WHERE id = $1', [id]);
      return rows[0].n;
    }

    it('creates the contact with the id, owner and fields pipeline chose, and publishes it', async () => {
      const sales = admin.colleague('sales');
      const data = conversion({ ownerId: sales.userId }, { company: 'Initech' });
      const event = converted(data);
      await deliver(event);

      const contact = expectOk(await admin.call('GET', `/api/contacts/${data.contact.id}`));
      expect(contact).toMatchObject({
        id: data.contact.id,
        organizationId: admin.organizationId,
        ownerId: sales.userId,
        name: data.contact.name,
        email: data.contact.email,
        phone: '+1 555 0100',
        company: 'Initech',
        title: 'CTO',
        customerId: null,
        totalDealsCount: 0,
        totalDealsValue: 0,
      });
      // The new owner, a sales user, sees it as its own.
      expectOk(await sales.call('GET', `/api/contacts/${data.contact.id}`));

      const [created] = await app.events.waitFor(
        (e) => e.type === 'contacts.contact.created' && e.aggregateId === data.contact.id,
      );
      expect(created!.organizationId).toBe(admin.organizationId);
      expect(created!.causationId).toBe(event.id);
      expect(created!.correlationId).toBe(event.correlationId);
      expect(created!.data).toMatchObject({
        id: data.contact.id,
        ownerId: sales.userId,
        name: data.contact.name,
      });
    });

    it('creates one contact however often the conversion arrives', async () => {
      const data = conversion();
      const event = converted(data);
      await deliver(event, event);
      await deliver(event);
      // Pipeline's relay may publish the same conversion again under a new event id.
      await deliver(converted(data));
      expect(await contactCount(data.contact.id)).toBe(1);
      expectOk(await admin.call('GET', `/api/contacts/${data.contact.id}`));
      const list = expectOk(
        await admin.call('GET', `/api/contacts?search=${encodeURIComponent(data.contact.email!)}`),
      );
      expect(list).toHaveLength(1);
      await app.events.waitFor(
        (e) => e.type === 'contacts.contact.created' && e.aggregateId === data.contact.id,
      );
      expect(
        app.events.matching(
          (e) => e.type === 'contacts.contact.created' && e.aggregateId === data.contact.id,
        ),
      ).toHaveLength(1);
    });

    it('creates the customer with the given id when none of that name exists, and links the contact', async () => {
      const customer = { id: randomUUID(), name: `Umbrella ${word()}` };
      const data = conversion({ customer });
      await deliver(converted(data));

      const contact = expectOk(await admin.call('GET', `/api/contacts/${data.contact.id}`));
      expect(contact.customerId).toBe(customer.id);
      expect(contact.company).toBe(customer.name);
      expect(contact.customer).toMatchObject({ id: customer.id, name: customer.name });
      const got = expectOk(await admin.call('GET', `/api/customers/${customer.id}`));
      expect(got).toMatchObject({ id: customer.id, name: customer.name, ownerId: admin.userId });

      const [event] = await app.events.waitFor(
        (e) => e.type === 'contacts.customer.created' && e.aggregateId === customer.id,
      );
      expect(event!.data).toMatchObject({
        id: customer.id,
        name: customer.name,
        organizationId: admin.organizationId,
      });
      const [created] = await app.events.waitFor(
        (e) => e.type === 'contacts.contact.created' && e.aggregateId === data.contact.id,
      );
      expect(created!.data.customerId).toBe(customer.id);

      // Re-published under a new event id: still one customer and one customer.created.
      await deliver(converted(data));
      const { rows } = await app.db.query(
        'SELECT count(*)::int AS n FROM customers WHERE lower(name) = lower($1)',
        [customer.name],
      );
      expect(rows[0].n).toBe(1);
      expect(
        app.events.matching((e) => e.type === 'contacts.customer.created' && e.aggregateId === customer.id),
      ).toHaveLength(1);
    });

    it('links the contact to the existing customer of that name (any case) and creates no second one', async () => {
      const name = `Soylent ${word()}`;
      const existing = await admin.createCustomer({ name });
      const customer = { id: randomUUID(), name: name.toUpperCase() };
      const data = conversion({ customer });
      await deliver(converted(data));

      const contact = expectOk(await admin.call('GET', `/api/contacts/${data.contact.id}`));
      expect(contact.customerId).toBe(existing.id);
      expectError(await admin.call('GET', `/api/customers/${customer.id}`), 404);
      const customers = expectOk(
        await admin.call('GET', `/api/customers?search=${encodeURIComponent(name)}`),
      );
      expect(customers.map((c: Json) => c.id)).toEqual([existing.id]);
      expect(app.events.matching((e) => e.aggregateId === customer.id)).toHaveLength(0);
    });

    it("does not link a contact to another organization's customer of the same name", async () => {
      const name = `Hooli ${word()}`;
      const foreign = await other.createCustomer({ name });
      const customer = { id: randomUUID(), name };
      const data = conversion({ customer });
      await deliver(converted(data));

      const contact = expectOk(await admin.call('GET', `/api/contacts/${data.contact.id}`));
      expect(contact.customerId).toBe(customer.id);
      expect(contact.customerId).not.toBe(foreign.id);
    });

    it('merges the new contact into the live contact that already has the email', async () => {
      const email = `${word()}@example.com`;
      const existing = await admin.createContact({ name: 'Known Person', email, phone: null, title: null });
      const data = conversion(
        {},
        { email: email.toUpperCase(), phone: '+44 20 7946 0000', title: 'VP Sales' },
      );
      await deliver(converted(data));

      expectError(await admin.call('GET', `/api/contacts/${data.contact.id}`), 404);
      const target = expectOk(await admin.call('GET', `/api/contacts/${existing.id}`));
      expect(target).toMatchObject({
        id: existing.id,
        name: 'Known Person',
        email,
        phone: '+44 20 7946 0000',
        title: 'VP Sales',
      });
      const [merged] = await app.events.waitFor(
        (e) => e.type === 'contacts.contact.merged' && e.data.sourceId === data.contact.id,
      );
      expect(merged!.data).toMatchObject({
        organizationId: admin.organizationId,
        targetId: existing.id,
        sourceId: data.contact.id,
        target: { id: existing.id, email },
      });
      expect(merged!.aggregateId).toBe(existing.id);
      // The new contact was written once, already merged.
      const { rows: source } = await app.db.query(
        'SELECT version, merged_into_id, deleted_at IS NOT NULL AS deleted FROM contacts WHERE id = $1',
        [data.contact.id],
      );
      expect(source).toEqual([{ version: 1, merged_into_id: existing.id, deleted: true }]);
      // Only the existing contact is listed for that email.
      const list = expectOk(await admin.call('GET', `/api/contacts?search=${encodeURIComponent(email)}`));
      expect(list.map((c: Json) => c.id)).toEqual([existing.id]);

      // A re-publication of the conversion does not merge again.
      await deliver(converted(data));
      expect(
        app.events.matching(
          (e) => e.type === 'contacts.contact.merged' && e.data.sourceId === data.contact.id,
        ),
      ).toHaveLength(1);
    });

    it("fills the existing contact's customer from a merged conversion that brings one", async () => {
      const email = `${word()}@example.com`;
      const existing = await admin.createContact({ email, company: 'Known Co' });
      const customer = { id: randomUUID(), name: `Vandelay ${word()}` };
      const data = conversion({ customer }, { email });
      await deliver(converted(data));

      const target = expectOk(await admin.call('GET', `/api/contacts/${existing.id}`));
      expect(target).toMatchObject({ customerId: customer.id, company: 'Known Co' });
      expectOk(await admin.call('GET', `/api/customers/${customer.id}`));
      const [merged] = await app.events.waitFor(
        (e) => e.type === 'contacts.contact.merged' && e.data.sourceId === data.contact.id,
      );
      expect(merged!.data.target).toMatchObject({ id: existing.id, customerId: customer.id });
    });

    it("does not merge into a contact of another organization with the lead's email", async () => {
      const email = `${word()}@example.com`;
      await other.createContact({ email });
      const data = conversion({}, { email });
      await deliver(converted(data));
      const contact = expectOk(await admin.call('GET', `/api/contacts/${data.contact.id}`));
      expect(contact.email).toBe(email);
    });

    it('counts the deal of the conversion even when the deal event is handled first', async () => {
      const data = conversion({ dealId: randomUUID() });
      await deliver(
        dealEvent(DealCreated.type, deal({ id: data.dealId!, contactId: data.contact.id, value: 5000 }), 1),
      );
      await deliver(converted(data));
      expect(await totals(data.contact.id)).toEqual({ count: 1, value: 5000 });
    });

    it('counts the deal of the conversion when the deal event follows', async () => {
      const data = conversion({ dealId: randomUUID() });
      await deliver(converted(data));
      await deliver(
        dealEvent(DealCreated.type, deal({ id: data.dealId!, contactId: data.contact.id, value: 5000 }), 1),
      );
      expect(await totals(data.contact.id)).toEqual({ count: 1, value: 5000 });
    });
  });

  describe('a malformed event', () => {
    let connection: ChannelModel;

    afterAll(async () => {
      await connection?.close().catch(() => undefined);
    });

    it('goes to the dead-letter queue without blocking the good events behind it', async () => {
      const contact = await admin.createContact();
      const bad = dealEvent(DealCreated.type, deal({ contactId: contact.id }), 1, {
        value: -5,
        id: 'not-a-uuid',
      });
      const good = dealEvent(DealCreated.type, deal({ contactId: contact.id, value: 33.33 }), 1);
      await app.inject.publish(bad);
      await app.inject.publish(good);

      await eventually(async () => expect(await totals(contact.id)).toEqual({ count: 1, value: 33.33 }));
      connection = await connect(app.run.infra.rabbitmqUrl);
      const channel = await connection.createConfirmChannel();
      const deadLetters = new DeadLetters(channel, {
        service: 'contacts',
        prefix: app.run.prefix,
        retryDelaysMs: app.config.BUS_RETRY_DELAYS_MS,
      });
      const dead = await eventually(async () => {
        const found = (await deadLetters.list()).filter((letter) => letter.messageId === bad.id);
        expect(found).toHaveLength(1);
        return found[0]!;
      });
      expect(dead.type).toBe(DealCreated.type);
      expect(dead.error).toMatch(/invalid event/);
      expect(JSON.parse(dead.body).id).toBe(bad.id);
      const { messageCount } = await channel.checkQueue(`${app.run.prefix}contacts.events.dead`);
      expect(messageCount).toBeGreaterThanOrEqual(1);
      // Never recorded as handled, never applied.
      const inbox = await app.db.query('SELECT 1 FROM inbox_events WHERE event_id = $1', [bad.id]);
      expect(inbox.rows).toHaveLength(0);
    });
  });
});
