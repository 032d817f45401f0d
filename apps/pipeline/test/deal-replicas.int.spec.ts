import {
  ContactCreated,
  ContactDeleted,
  ContactMerged,
  type ContactSnapshot,
  ContactUpdated,
  DealUpdated,
  type EventEnvelope,
  TagDeleted,
  TagRenamed,
} from '@flow-crm/contracts';
import { Metrics } from '@flow-crm/observability';
import { deliverAndWait, envelope, expectError, expectOk, fieldsOf } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Json, type PipelineCaller, usePipeline, word } from './pipeline-app';

// pipeline as a consumer of contacts' events: the contact replica behind each deal's contactName,
// merges that move deals, and tag catalog changes that reach deals' tags.
describe('deals kept in step with contacts', () => {
  const app = usePipeline();

  /** A contact as contacts would publish it, owned by the caller. */
  function contact(caller: PipelineCaller, overrides: Partial<ContactSnapshot> = {}): ContactSnapshot {
    return {
      id: randomUUID(),
      organizationId: caller.organizationId,
      ownerId: caller.userId,
      name: `Contact ${word()}`,
      email: null,
      company: null,
      customerId: null,
      ...overrides,
    };
  }

  const contactEvent = (type: string, snapshot: ContactSnapshot, aggregateVersion: number): EventEnvelope =>
    envelope(type, snapshot, {
      organizationId: snapshot.organizationId,
      aggregateId: snapshot.id,
      aggregateVersion,
    });

  const merged = (
    source: ContactSnapshot,
    target: ContactSnapshot,
    aggregateVersion: number,
  ): EventEnvelope =>
    envelope(
      ContactMerged.type,
      { organizationId: target.organizationId, targetId: target.id, sourceId: source.id, target },
      { organizationId: target.organizationId, aggregateId: target.id, aggregateVersion },
    );

  const tagDeleted = (organizationId: string, name: string): EventEnvelope =>
    envelope(TagDeleted.type, { id: randomUUID(), organizationId, name }, { organizationId });

  const tagRenamed = (organizationId: string, previousName: string, name: string): EventEnvelope =>
    envelope(TagRenamed.type, { id: randomUUID(), organizationId, previousName, name }, { organizationId });

  async function duplicatesHandled(): Promise<number> {
    const { values } = await app.app.get(Metrics).eventsConsumed.get();
    return values
      .filter((value) => value.labels.outcome === 'duplicate')
      .reduce((sum, { value }) => sum + value, 0);
  }

  /**
   * Publishes the events one after the other and waits until the consumer is done with each, so
   * that a test can assert that something did NOT change, and in which order they were applied.
   */
  async function deliver(...events: EventEnvelope[]): Promise<void> {
    for (const event of events) await deliverAndWait(app.inject, app.app.get(Metrics), [event]);
  }

  const get = async (caller: PipelineCaller, id: string): Promise<Json> =>
    expectOk(await caller.call('GET', `/api/deals/${id}`));
  const search = async (caller: PipelineCaller, text: string): Promise<string[]> =>
    (expectOk(await caller.call('GET', `/api/deals?search=${encodeURIComponent(text)}`)) as Json[])
      .map((deal) => deal.id)
      .sort();
  const rows = async (dealIds: string[]) =>
    (
      await app.db.query(
        'SELECT id, contact_id, contact_name, version, updated_at, tags FROM deals WHERE id = ANY($1) ORDER BY id',
        [dealIds],
      )
    ).rows;
  const replica = async (id: string) =>
    (await app.db.query('SELECT name, deleted, aggregate_version FROM contact_replicas WHERE id = $1', [id]))
      .rows;

  /** A contact announced at version 1 and `count` deals of the caller pointing at it. */
  async function contactWithDeals(
    caller: PipelineCaller,
    count: number,
    overrides: Partial<ContactSnapshot> = {},
  ): Promise<{ contact: ContactSnapshot; deals: Json[] }> {
    const snapshot = contact(caller, overrides);
    await deliver(contactEvent(ContactCreated.type, snapshot, 1));
    const deals: Json[] = [];
    for (let i = 0; i < count; i++) deals.push(await caller.createDeal({ contactId: snapshot.id }));
    return { contact: snapshot, deals };
  }

  describe('contacts.contact.updated', () => {
    it('renames the contact on every one of its deals, and search finds them by the new name', async () => {
      const admin = app.user('admin');
      const sales = admin.colleague('sales');
      const oldWord = word();
      const newWord = word();
      const { contact: ada, deals } = await contactWithDeals(admin, 2, { name: `Ada ${oldWord}` });
      deals.push(await sales.createDeal({ contactId: ada.id }));
      const deleted = await admin.createDeal({ contactId: ada.id });
      expectOk(await admin.call('DELETE', `/api/deals/${deleted.id}`));
      const { deals: bystanders } = await contactWithDeals(admin, 1);
      expect(await search(admin, oldWord)).toEqual(deals.map((deal) => deal.id).sort());

      await deliver(contactEvent(ContactUpdated.type, { ...ada, name: `Ada ${newWord} King` }, 2));

      for (const deal of deals) {
        expect(await get(admin, deal.id)).toMatchObject({
          contactId: ada.id,
          contactName: `Ada ${newWord} King`,
        });
      }
      expect((await get(sales, deals[2]!.id)).contactName).toBe(`Ada ${newWord} King`);
      expect(await search(admin, newWord)).toEqual(deals.map((deal) => deal.id).sort());
      expect(await search(admin, `${newWord} king`)).toEqual(deals.map((deal) => deal.id).sort());
      expect(await search(sales, newWord)).toEqual([deals[2]!.id]);
      expect(await search(admin, oldWord)).toEqual([]);
      expect((await get(admin, bystanders[0]!.id)).contactName).toBe(bystanders[0]!.contactName);
      // A deal created now takes the new name too.
      expect((await admin.createDeal({ contactId: ada.id })).contactName).toBe(`Ada ${newWord} King`);
    });

    it('creates the replica of a contact pipeline had not heard of', async () => {
      const admin = app.user('admin');
      const snapshot = contact(admin, { name: 'Late Arrival', company: 'Late Co' });
      await deliver(contactEvent(ContactUpdated.type, snapshot, 4));
      expect(await replica(snapshot.id)).toEqual([
        { name: 'Late Arrival', deleted: false, aggregate_version: 4 },
      ]);
      expect(await admin.createDeal({ contactId: snapshot.id })).toMatchObject({
        contactName: 'Late Arrival',
        company: 'Late Co',
      });
    });

    it('ignores an older version delivered after a newer one, and another event of the same version', async () => {
      const admin = app.user('admin');
      const { contact: grace, deals } = await contactWithDeals(admin, 2, { name: 'Grace First' });
      await deliver(contactEvent(ContactUpdated.type, { ...grace, name: 'Grace Third' }, 3));
      const before = await rows(deals.map((deal) => deal.id));
      expect(before.map((row) => row.contact_name)).toEqual(['Grace Third', 'Grace Third']);

      await deliver(
        contactEvent(ContactUpdated.type, { ...grace, name: 'Grace Second' }, 2),
        contactEvent(ContactCreated.type, { ...grace, name: 'Grace Created' }, 1),
        contactEvent(ContactUpdated.type, { ...grace, name: 'Grace Again' }, 3),
      );
      expect(await rows(deals.map((deal) => deal.id))).toEqual(before);
      expect(await replica(grace.id)).toEqual([
        { name: 'Grace Third', deleted: false, aggregate_version: 3 },
      ]);
      for (const deal of deals) expect((await get(admin, deal.id)).contactName).toBe('Grace Third');
      expect(await search(admin, 'Grace Second')).toEqual([]);
    });

    it('changes nothing when the same event is delivered twice', async () => {
      const admin = app.user('admin');
      const { contact: alan, deals } = await contactWithDeals(admin, 2, { name: 'Alan Before' });
      const event = contactEvent(ContactUpdated.type, { ...alan, name: 'Alan After' }, 2);
      await deliver(event);
      const before = await rows(deals.map((deal) => deal.id));
      expect(before.map((row) => row.contact_name)).toEqual(['Alan After', 'Alan After']);

      const duplicates = await duplicatesHandled();
      await deliver(event);
      expect(await duplicatesHandled()).toBe(duplicates + 1);
      expect(await rows(deals.map((deal) => deal.id))).toEqual(before);
      expect(await replica(alan.id)).toEqual([{ name: 'Alan After', deleted: false, aggregate_version: 2 }]);
    });

    it("leaves another organization's deals alone", async () => {
      const admin = app.user('admin');
      const other = app.user('admin');
      const { contact: mine, deals } = await contactWithDeals(admin, 1, { name: 'Mine Before' });
      const theirs = await contactWithDeals(other, 1, { name: 'Theirs' });
      await deliver(contactEvent(ContactUpdated.type, { ...mine, name: 'Mine After' }, 2));
      expect((await get(admin, deals[0]!.id)).contactName).toBe('Mine After');
      expect((await get(other, theirs.deals[0]!.id)).contactName).toBe('Theirs');
    });
  });

  describe('contacts.contact.deleted', () => {
    it('leaves contactId and the last known name on the deals, and the contact can no longer be linked', async () => {
      const admin = app.user('admin');
      const { contact: gone, deals } = await contactWithDeals(admin, 2, { name: 'Soon Gone' });
      const unlinked = await admin.createDeal();
      await deliver(contactEvent(ContactDeleted.type, { ...gone, name: 'Finally Gone' }, 2));

      for (const deal of deals)
        expect(await get(admin, deal.id)).toMatchObject({ contactId: gone.id, contactName: 'Finally Gone' });
      const listed = expectOk(await admin.call('GET', `/api/deals?contactId=${gone.id}`)) as Json[];
      expect(listed.map((deal) => deal.id).sort()).toEqual(deals.map((deal) => deal.id).sort());
      expect(await search(admin, 'Finally Gone')).toEqual(deals.map((deal) => deal.id).sort());

      expect(
        fieldsOf(
          expectError(
            await admin.call('POST', '/api/deals', { body: { title: 'X', contactId: gone.id } }),
            422,
          ),
        ),
      ).toEqual(['contactId']);
      expect(
        fieldsOf(
          expectError(
            await admin.call('PATCH', `/api/deals/${unlinked.id}`, { body: { contactId: gone.id } }),
            422,
          ),
        ),
      ).toEqual(['contactId']);
      // A deal that already points at it may still be changed otherwise.
      expect(
        expectOk(await admin.call('PATCH', `/api/deals/${deals[0]!.id}`, { body: { title: 'Still mine' } })),
      ).toMatchObject({ contactId: gone.id, contactName: 'Finally Gone', title: 'Still mine' });
    });

    it('is not undone by an older update delivered late', async () => {
      const admin = app.user('admin');
      const { contact: gone, deals } = await contactWithDeals(admin, 1, { name: 'Deleted Name' });
      await deliver(
        contactEvent(ContactDeleted.type, gone, 3),
        contactEvent(ContactUpdated.type, { ...gone, name: 'Revived Name' }, 2),
      );
      expect(await replica(gone.id)).toEqual([{ name: 'Deleted Name', deleted: true, aggregate_version: 3 }]);
      expect(await get(admin, deals[0]!.id)).toMatchObject({
        contactId: gone.id,
        contactName: 'Deleted Name',
      });
      expectError(await admin.call('POST', '/api/deals', { body: { title: 'X', contactId: gone.id } }), 422);
    });
  });

  describe('contacts.contact.merged', () => {
    it("moves the source's deals to the target and publishes pipeline.deal.updated for each", async () => {
      const admin = app.user('admin');
      const sales = admin.colleague('sales');
      const source = await contactWithDeals(admin, 1, { name: 'Source Person' });
      source.deals.push(await sales.createDeal({ contactId: source.contact.id }));
      const deletedDeal = await admin.createDeal({ contactId: source.contact.id });
      expectOk(await admin.call('DELETE', `/api/deals/${deletedDeal.id}`));
      const target = await contactWithDeals(admin, 1, { name: 'Target Person' });
      const bystander = await contactWithDeals(admin, 1);

      const mergedTarget = { ...target.contact, name: 'Target Merged' };
      await deliver(merged(source.contact, mergedTarget, 2));

      for (const deal of [...source.deals, ...target.deals])
        expect(await get(admin, deal.id)).toMatchObject({
          contactId: target.contact.id,
          contactName: 'Target Merged',
        });
      expect((await get(admin, bystander.deals[0]!.id)).contactId).toBe(bystander.contact.id);
      const ofTarget = expectOk(
        await admin.call('GET', `/api/deals?contactId=${target.contact.id}`),
      ) as Json[];
      expect(ofTarget.map((deal) => deal.id).sort()).toEqual(
        [...source.deals, ...target.deals].map((deal) => deal.id).sort(),
      );
      expect(expectOk(await admin.call('GET', `/api/deals?contactId=${source.contact.id}`))).toEqual([]);
      const [deletedRow] = await rows([deletedDeal.id]);
      expect(deletedRow!.contact_id).toBe(target.contact.id);

      // One pipeline.deal.updated per moved live deal, with the new contact and a new version.
      for (const deal of source.deals) {
        const [event] = await app.events.waitFor(
          (e) => e.type === DealUpdated.type && e.aggregateId === deal.id,
        );
        expect(event).toMatchObject({
          organizationId: admin.organizationId,
          aggregateVersion: 2,
          source: 'pipeline',
        });
        expect(event!.data).toMatchObject({
          id: deal.id,
          contactId: target.contact.id,
          ownerId: deal.ownerId,
          title: deal.title,
          value: deal.value,
          stage: deal.stage,
        });
      }
      // The target's own deals did not move, so they publish nothing; nor does the deleted one.
      const sentinel = await admin.createDeal();
      await app.events.waitFor((e) => e.aggregateId === sentinel.id);
      expect(
        app.events.matching(
          (e) => e.type === DealUpdated.type && [target.deals[0]!.id, deletedDeal.id].includes(e.aggregateId),
        ),
      ).toEqual([]);

      // The source is gone: no deal may point at it any more.
      expect(
        fieldsOf(
          expectError(
            await admin.call('POST', '/api/deals', { body: { title: 'X', contactId: source.contact.id } }),
            422,
          ),
        ),
      ).toEqual(['contactId']);
      expect(await replica(target.contact.id)).toEqual([
        { name: 'Target Merged', deleted: false, aggregate_version: 2 },
      ]);
    });

    it('moves and publishes once when the merge is delivered twice', async () => {
      const admin = app.user('admin');
      const source = await contactWithDeals(admin, 2);
      const target = await contactWithDeals(admin, 0);
      const event = merged(source.contact, target.contact, 2);
      await deliver(event, event);

      const ids = source.deals.map((deal) => deal.id);
      for (const id of ids)
        await app.events.waitFor((e) => e.type === DealUpdated.type && e.aggregateId === id);
      // Anything the duplicate had published would have come before this.
      const later = expectOk(
        await admin.call('PATCH', `/api/deals/${ids[0]}`, { body: { title: 'Sentinel' } }),
      );
      await app.events.waitFor(
        (e) => e.type === DealUpdated.type && e.aggregateId === later.id && e.data.title === 'Sentinel',
      );
      for (const id of ids) {
        const updates = app.events.matching((e) => e.type === DealUpdated.type && e.aggregateId === id);
        expect(updates.map((e) => e.aggregateVersion)).toEqual(id === later.id ? [2, 3] : [2]);
      }
      const stored = await rows(ids);
      expect(stored.map((row) => row.contact_id)).toEqual([target.contact.id, target.contact.id]);
    });

    it('names the moved deals after the newest name of the target, even when the merge arrives after a later rename', async () => {
      const admin = app.user('admin');
      const source = await contactWithDeals(admin, 1, { name: 'Old Source' });
      const target = await contactWithDeals(admin, 1, { name: 'Target v1' });
      // contacts merged (target v2), then renamed the target (v3); pipeline receives the rename first.
      await deliver(
        contactEvent(ContactUpdated.type, { ...target.contact, name: 'Target v3' }, 3),
        merged(source.contact, { ...target.contact, name: 'Target v2' }, 2),
      );
      expect(await replica(target.contact.id)).toEqual([
        { name: 'Target v3', deleted: false, aggregate_version: 3 },
      ]);
      for (const deal of [...source.deals, ...target.deals])
        expect(await get(admin, deal.id)).toMatchObject({
          contactId: target.contact.id,
          contactName: 'Target v3',
        });
    });
  });

  describe('contacts.tag.deleted and contacts.tag.renamed', () => {
    it("removes a deleted tag from the organization's deals, and only there", async () => {
      const admin = app.user('admin');
      const other = app.user('admin');
      const both = await admin.createDeal({ tags: ['vip', 'q3'] });
      const only = await admin.createDeal({ tags: ['vip'] });
      const untouched = await admin.createDeal({ tags: ['q3', 'vip-gold'] });
      const elsewhere = await other.createDeal({ tags: ['vip'] });

      await deliver(tagDeleted(admin.organizationId, 'vip'));

      expect((await get(admin, both.id)).tags).toEqual(['q3']);
      expect((await get(admin, only.id)).tags).toEqual([]);
      expect((await get(admin, untouched.id)).tags).toEqual(['q3', 'vip-gold']);
      expect((await get(other, elsewhere.id)).tags).toEqual(['vip']);
      expect(expectOk(await admin.call('GET', '/api/deals?tag=vip'))).toEqual([]);
      const q3 = expectOk(await admin.call('GET', '/api/deals?tag=q3')) as Json[];
      expect(q3.map((deal) => deal.id).sort()).toEqual([both.id, untouched.id].sort());
    });

    it("renames a tag on the organization's deals, keeping one when a deal already has the new name", async () => {
      const admin = app.user('admin');
      const other = app.user('admin');
      const renamed = await admin.createDeal({ tags: ['q3', 'vip', 'new'] });
      const hasBoth = await admin.createDeal({ tags: ['vip', 'gold'] });
      const untouched = await admin.createDeal({ tags: ['q3'] });
      const elsewhere = await other.createDeal({ tags: ['vip'] });

      await deliver(tagRenamed(admin.organizationId, 'vip', 'gold'));

      expect((await get(admin, renamed.id)).tags).toEqual(['q3', 'gold', 'new']);
      expect((await get(admin, hasBoth.id)).tags).toEqual(['gold']);
      expect((await get(admin, untouched.id)).tags).toEqual(['q3']);
      expect((await get(other, elsewhere.id)).tags).toEqual(['vip']);
      const gold = expectOk(await admin.call('GET', '/api/deals?tag=gold')) as Json[];
      expect(gold.map((deal) => deal.id).sort()).toEqual([renamed.id, hasBoth.id].sort());
      expect(expectOk(await admin.call('GET', '/api/deals?tag=vip'))).toEqual([]);
    });

    it('applies a tag event once, even when it is delivered twice', async () => {
      const admin = app.user('admin');
      const first = await admin.createDeal({ tags: ['alpha'] });
      const rename = tagRenamed(admin.organizationId, 'alpha', 'beta');
      const removal = tagDeleted(admin.organizationId, 'gamma');
      await deliver(rename);
      expect((await get(admin, first.id)).tags).toEqual(['beta']);

      // Tags of those names given afterwards are new tags: a redelivered event must not touch them.
      const later = await admin.createDeal({ tags: ['alpha', 'gamma'] });
      const withGamma = await admin.createDeal({ tags: ['gamma'] });
      await deliver(removal);
      expect((await get(admin, withGamma.id)).tags).toEqual([]);
      const again = await admin.createDeal({ tags: ['gamma'] });
      await deliver(rename, removal);
      expect((await get(admin, later.id)).tags).toEqual(['alpha']);
      expect((await get(admin, again.id)).tags).toEqual(['gamma']);
      expect((await get(admin, first.id)).tags).toEqual(['beta']);
    });

    it('matches the tag in any case, as tags are named everywhere else', async () => {
      const admin = app.user('admin');
      const upper = await admin.createDeal({ tags: ['VIP', 'Q3'] });
      await deliver(tagRenamed(admin.organizationId, 'vip', 'Gold'), tagDeleted(admin.organizationId, 'q3'));
      expect((await get(admin, upper.id)).tags).toEqual(['Gold']);
    });
  });
});
