import {
  ContactRepublished,
  type ContactSnapshot,
  CustomerRepublished,
  type CustomerSnapshot,
  type EventEnvelope,
  eventEnvelopeSchema,
} from '@flow-crm/contracts';
import { Metrics } from '@flow-crm/observability';
import { deliverAndWait, expectOk, replicasRequested, uniqueEmail } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Outcome = 'processed' | 'duplicate';

/** A live record of a test organization: what its replica must hold, at which version. */
interface Expected<TSnapshot> {
  snapshot: TSnapshot;
  version: number;
}

interface Organization {
  admin: Caller;
  customers: Expected<CustomerSnapshot>[];
  contacts: Expected<ContactSnapshot>[];
  /** Soft-deleted through the API: never republished. */
  deletedIds: string[];
}

// contacts as the owner of the contacts and customers other services replicate: when pipeline
// meets an organization older than its database it asks (pipeline.replicas.requested), and
// contacts sends the organization's live records again as contacts.*.republished.
describe('contacts: answering pipeline.replicas.requested', () => {
  const app = useContacts();

  /**
   * Publishes the request as pipeline's relay would and waits until the consumer has committed it
   * with `outcome` (its inbox row and outbox rows in one transaction); a failing handler fails at once.
   */
  const deliver = (event: EventEnvelope, outcome: Outcome = 'processed'): Promise<void> =>
    deliverAndWait(app.inject, app.app.get(Metrics), [event], { outcome, failFast: true });

  /**
   * Waits until everything contacts committed so far has been published: a later contact's
   * creation arrived (the relay publishes in commit order). Whatever a delivered request caused
   * is in `app.events` after this, and what is not there was never published.
   */
  async function barrier(): Promise<void> {
    const marker = await app.user('admin').createContact();
    await app.events.waitFor(
      (event) => event.type === 'contacts.contact.created' && event.aggregateId === marker.id,
      1,
      30_000,
    );
  }

  /**
   * What contacts published in answer to `request`, of `type`: the events that carry the request's
   * correlation id (the capture binds `#`, so the injected request itself is left out).
   */
  const answersTo = (request: EventEnvelope, type?: string) =>
    app.events.matching(
      (event) =>
        event.correlationId === request.correlationId &&
        event.id !== request.id &&
        (type === undefined || event.type === type),
    );

  async function storedVersions(
    table: 'contacts' | 'customers',
    ids: string[],
  ): Promise<Map<string, number>> {
    const { rows } = await app.db.query(`SELECT id, version FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row: { id: string; version: number }) => [row.id, row.version]));
  }

  /** The aggregateVersion of the newest contacts.<kind>.created|updated event captured for the record. */
  async function lastEventVersion(kind: 'contact' | 'customer', id: string): Promise<number> {
    const own = await app.events.waitFor(
      (event) =>
        event.aggregateId === id &&
        [`contacts.${kind}.created`, `contacts.${kind}.updated`].includes(event.type),
    );
    return Math.max(...own.map((event) => event.aggregateVersion));
  }

  /** The fields of a record's API answer that the event's schema names: its expected snapshot. */
  const snapshotOf =
    <T>(definition: { schema: { shape: object } }) =>
    (record: Json): T =>
      Object.fromEntries(Object.keys(definition.schema.shape).map((field) => [field, record[field]])) as T;
  const customerSnapshot = snapshotOf<CustomerSnapshot>(CustomerRepublished);
  const contactSnapshot = snapshotOf<ContactSnapshot>(ContactRepublished);

  /**
   * An organization whose records have been through a life: a customer under a parent, one
   * renamed, one deleted (which unlinked its contact); contacts of two owners, one renamed, one
   * moved to another customer, one deleted. The expectation is read back through the API.
   */
  async function organization(): Promise<Organization> {
    const admin = app.user('admin');
    const sales = admin.colleague('sales');

    const parent = await admin.createCustomer({
      name: `Parent ${word()}`,
      type: 'customer',
      industry: 'Retail',
    });
    const child = await admin.createCustomer({
      name: `Child ${word()}`,
      type: 'partner',
      parentId: parent.id,
    });
    const renamed = await admin.createCustomer({ name: `Before ${word()}`, type: 'prospect' });
    expectOk(
      await admin.call('PATCH', `/api/customers/${renamed.id}`, {
        body: { name: `After ${word()}`, industry: 'Software', type: 'vendor' },
      }),
    );
    const doomed = await admin.createCustomer({ name: `Doomed ${word()}` });

    const plain = await admin.createContact({ name: `Plain ${word()}` });
    const linked = await admin.createContact({
      name: `Linked ${word()}`,
      email: uniqueEmail('linked'),
      company: 'Acme',
      customerId: parent.id,
    });
    const edited = await admin.createContact({ name: `Edited ${word()}`, customerId: child.id });
    expectOk(
      await admin.call('PATCH', `/api/contacts/${edited.id}`, {
        body: { name: `Edited again ${word()}`, email: uniqueEmail('edited'), customerId: renamed.id },
      }),
    );
    const orphaned = await admin.createContact({ name: `Orphaned ${word()}`, customerId: doomed.id });
    const ofSales = await sales.createContact({ name: `Owned by sales ${word()}`, company: 'Initech' });
    const deletedContact = await admin.createContact({ name: `Deleted ${word()}`, customerId: parent.id });

    expectOk(await admin.call('DELETE', `/api/contacts/${deletedContact.id}`));
    expectOk(await admin.call('DELETE', `/api/customers/${doomed.id}`));

    const customerIds = [parent.id, child.id, renamed.id];
    const contactIds = [plain.id, linked.id, edited.id, orphaned.id, ofSales.id];
    const customerVersions = await storedVersions('customers', customerIds);
    const contactVersions = await storedVersions('contacts', contactIds);
    const customers: Expected<CustomerSnapshot>[] = [];
    for (const id of customerIds) {
      const current = expectOk(await admin.call('GET', `/api/customers/${id}`));
      // Only changes that published an event moved these records' versions on.
      expect(customerVersions.get(id)).toBe(await lastEventVersion('customer', id));
      customers.push({ snapshot: customerSnapshot(current), version: customerVersions.get(id)! });
    }
    const contacts: Expected<ContactSnapshot>[] = [];
    for (const id of contactIds) {
      const current = expectOk(await admin.call('GET', `/api/contacts/${id}`));
      expect(contactVersions.get(id)).toBe(await lastEventVersion('contact', id));
      contacts.push({ snapshot: contactSnapshot(current), version: contactVersions.get(id)! });
    }
    // The life the records had shows in what the replicas must now hold.
    const byId = <T extends { id: string }>(list: Expected<T>[], id: string) =>
      list.find((record) => record.snapshot.id === id)!;
    expect(byId(customers, renamed.id).version).toBeGreaterThan(1);
    expect(byId(customers, renamed.id).snapshot).toMatchObject({ industry: 'Software', type: 'vendor' });
    expect(byId(customers, child.id).snapshot.parentId).toBe(parent.id);
    expect(byId(contacts, edited.id).version).toBeGreaterThan(1);
    expect(byId(contacts, edited.id).snapshot.customerId).toBe(renamed.id);
    expect(byId(contacts, orphaned.id).snapshot.customerId).toBeNull();
    expect(byId(contacts, orphaned.id).version).toBeGreaterThan(1);
    expect(byId(contacts, ofSales.id).snapshot.ownerId).toBe(sales.userId);

    return { admin, customers, contacts, deletedIds: [deletedContact.id, doomed.id] };
  }

  function expectRepublished<T extends { id: string; organizationId: string }>(
    event: EventEnvelope,
    request: EventEnvelope,
    type: string,
    expected: Expected<T>,
  ): void {
    expect(() => eventEnvelopeSchema.parse(event)).not.toThrow();
    expect(event).toEqual({
      id: expect.stringMatching(UUID),
      type,
      version: 1,
      occurredAt: expect.any(String),
      source: 'contacts',
      organizationId: expected.snapshot.organizationId,
      actorId: null,
      correlationId: request.correlationId,
      causationId: request.id,
      aggregateId: expected.snapshot.id,
      aggregateVersion: expected.version,
      data: expected.snapshot,
    });
    expect(Date.now() - Date.parse(event.occurredAt)).toBeLessThan(60_000);
    expect(app.events.messageIds.get(event.id)).toBe(event.id);
    expect(app.events.routingKeys.get(event.id)).toBe(type);
  }

  /** `answers` are exactly one event for each of `expected`, each as it must be. */
  function expectAnswers<T extends { id: string; organizationId: string }>(
    answers: EventEnvelope[],
    request: EventEnvelope,
    type: string,
    expected: Expected<T>[],
  ): void {
    expect(answers.map((event) => event.aggregateId).sort()).toEqual(
      expected.map((record) => record.snapshot.id).sort(),
    );
    for (const record of expected)
      expectRepublished(
        answers.find((event) => event.aggregateId === record.snapshot.id)!,
        request,
        type,
        record,
      );
  }

  it("republishes the organization's live customers and contacts as they are now, not deleted ones nor another organization's", async () => {
    const a = await organization();
    const b = await organization();
    const request = replicasRequested(a.admin.organizationId);

    await deliver(request);
    await barrier();

    const answers = answersTo(request);
    expect(answers).toHaveLength(a.customers.length + a.contacts.length);
    expectAnswers(
      answersTo(request, CustomerRepublished.type),
      request,
      CustomerRepublished.type,
      a.customers,
    );
    expectAnswers(answersTo(request, ContactRepublished.type), request, ContactRepublished.type, a.contacts);
    expect(answers.filter((event) => a.deletedIds.includes(event.aggregateId))).toEqual([]);

    const idsOfB = new Set([...b.customers, ...b.contacts].map((record) => record.snapshot.id));
    expect(
      app.events.matching(
        (event) =>
          event.type.endsWith('.republished') &&
          (event.organizationId === b.admin.organizationId || idsOfB.has(event.aggregateId)),
      ),
    ).toEqual([]);
  });

  it('sends the current version of a record whose version moved on without an event (a tag added)', async () => {
    const admin = app.user('admin');
    const contact = await admin.createContact({ name: `Tagged ${word()}` });
    expectOk(await admin.call('POST', `/api/contacts/${contact.id}/tags`, { body: { tag: 'vip' } }), 201);
    const stored = (await storedVersions('contacts', [contact.id])).get(contact.id)!;
    expect(stored).toBeGreaterThanOrEqual(await lastEventVersion('contact', contact.id));

    const request = replicasRequested(admin.organizationId, ['contacts.contact']);
    await deliver(request);
    await barrier();
    const [answer, ...more] = answersTo(request);
    expect(more).toEqual([]);
    expectRepublished(answer!, request, ContactRepublished.type, {
      snapshot: contactSnapshot(contact),
      version: stored,
    });
  });

  it('publishes nothing for a request that lists neither contacts nor customers', async () => {
    const { admin } = await organization();
    const request = replicasRequested(admin.organizationId, ['identity.user']);
    await deliver(request);
    await barrier();
    expect(answersTo(request)).toEqual([]);
    expect(app.events.matching((event) => event.causationId === request.id)).toEqual([]);
  });

  it("publishes only the contacts for ['contacts.contact'], and only the customers for ['contacts.customer']", async () => {
    const org = await organization();
    const contactsOnly = replicasRequested(org.admin.organizationId, ['contacts.contact']);
    const customersOnly = replicasRequested(org.admin.organizationId, ['contacts.customer']);

    await deliver(contactsOnly);
    await deliver(customersOnly);
    await barrier();

    expect(answersTo(contactsOnly)).toHaveLength(org.contacts.length);
    expectAnswers(answersTo(contactsOnly), contactsOnly, ContactRepublished.type, org.contacts);
    expect(answersTo(customersOnly)).toHaveLength(org.customers.length);
    expectAnswers(answersTo(customersOnly), customersOnly, CustomerRepublished.type, org.customers);
  });

  it('republishes an organization larger than one batch: every live contact exactly once', async () => {
    const admin = app.user('admin');
    const neighbour = app.user('admin');
    const importCsv = async (count: number, tag: string) => {
      const csv = [
        'name,email,company',
        ...Array.from({ length: count }, (_, i) => `${tag} ${i},${uniqueEmail(`${tag}${i}`)},Bulk Co`),
      ].join('\n');
      const report = expectOk(
        await admin.call('POST', '/api/contacts/import', { raw: csv, contentType: 'text/csv' }),
      );
      expect(report).toEqual({ imported: count, updated: 0, failed: [] });
    };
    // Another organization's contacts in between, so that their ids interleave with the batches.
    await importCsv(1_050, 'first');
    for (let i = 0; i < 3; i++) await neighbour.createContact();
    await importCsv(1_050, 'second');

    const { rows } = await app.db.query(
      'SELECT id FROM contacts WHERE organization_id = $1 AND deleted_at IS NULL ORDER BY id',
      [admin.organizationId],
    );
    expect(rows).toHaveLength(2_100);
    // Deleted ones where the first batch ends and the second begins.
    const deleted = [rows[998].id, rows[999].id, rows[1_000].id];
    for (const id of deleted) expectOk(await admin.call('DELETE', `/api/contacts/${id}`));
    const live: string[] = rows
      .map((row: { id: string }) => row.id)
      .filter((id: string) => !deleted.includes(id));

    const request = replicasRequested(admin.organizationId);
    await deliver(request);
    await app.events.waitFor((event) => event.causationId === request.id, live.length, 30_000);
    await barrier();

    const answers = answersTo(request);
    expect(answers).toHaveLength(live.length);
    expect(answers.every((event) => event.type === ContactRepublished.type)).toBe(true);
    const answered = answers.map((event) => event.aggregateId);
    expect(new Set(answered).size).toBe(answered.length);
    expect([...answered].sort()).toEqual([...live].sort());

    // Each one as imported: the snapshot and version of its contacts.contact.created.
    const created = new Map(
      app.events
        .matching(
          (event) =>
            event.type === 'contacts.contact.created' && event.organizationId === admin.organizationId,
        )
        .map((event) => [event.aggregateId, event]),
    );
    for (const answer of answers) {
      const original = created.get(answer.aggregateId)!;
      expect(answer.data).toEqual(original.data);
      expect(answer.aggregateVersion).toBe(original.aggregateVersion);
      expect(answer).toMatchObject({
        organizationId: admin.organizationId,
        causationId: request.id,
        actorId: null,
        source: 'contacts',
      });
    }
    const neighbours = app.events.matching(
      (event) => event.type.endsWith('.republished') && event.organizationId === neighbour.organizationId,
    );
    expect(neighbours).toEqual([]);
  }, 120_000);

  it('answers a request delivered twice (same event id) only once', async () => {
    const org = await organization();
    const request = replicasRequested(org.admin.organizationId);

    await deliver(request, 'processed');
    await deliver(request, 'duplicate');
    await deliver(request, 'duplicate');
    await barrier();

    const answers = answersTo(request);
    expect(answers).toHaveLength(org.customers.length + org.contacts.length);
    expect(new Set(answers.map((event) => event.aggregateId)).size).toBe(answers.length);
    const inbox = await app.db.query('SELECT count(*)::int AS n FROM inbox_events WHERE event_id = $1', [
      request.id,
    ]);
    expect(inbox.rows[0].n).toBe(1);
  });

  it('publishes nothing, and does not fail, for an organization it does not know', async () => {
    const request = replicasRequested(randomUUID());
    await deliver(request);
    await barrier();
    expect(answersTo(request)).toEqual([]);
  });
});
