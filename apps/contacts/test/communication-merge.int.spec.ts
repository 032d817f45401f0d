import { expectError, expectOk, fieldsOf, uniqueEmail } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const requestId = () => `req-${randomUUID()}`;

describe('contacts: communication log, tags, merge', () => {
  const app = useContacts();
  let admin: Caller;
  beforeAll(() => {
    admin = app.user('admin');
  });

  const log = (caller: Caller, id: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
    caller.call('POST', `/api/contacts/${id}/communication`, { body, headers });
  const logged = async (caller: Caller, id: string, body: Record<string, unknown>) =>
    expectOk(
      await log(caller, id, { type: 'note', summary: 'A note', occurredAt: iso(Date.now()), ...body }),
      201,
    );
  const history = async (caller: Caller, id: string, query = '') => {
    const res = await caller.call('GET', `/api/contacts/${id}/communication${query ? `?${query}` : ''}`);
    expectOk(res);
    return res.body as { data: Json[]; meta: Json };
  };
  const get = async (caller: Caller, id: string) => expectOk(await caller.call('GET', `/api/contacts/${id}`));

  describe('communication', () => {
    it('logs an event, answers it, and publishes contacts.communication.logged', async () => {
      const contact = await admin.createContact();
      const occurredAt = iso(Date.now() - 3_600_000);
      const correlationId = requestId();
      const event = expectOk(
        await log(
          admin,
          contact.id,
          {
            type: 'meeting',
            occurredAt,
            subject: '  Quarterly review ',
            summary: 'Went well',
            sentiment: 'positive',
          },
          { 'x-request-id': correlationId },
        ),
        201,
      );
      expect(event).toEqual({
        id: expect.any(String),
        contactId: contact.id,
        userId: admin.userId,
        type: 'meeting',
        occurredAt,
        subject: 'Quarterly review',
        summary: 'Went well',
        sentiment: 'positive',
        createdAt: expect.any(String),
      });
      expect((await history(admin, contact.id)).data).toEqual([event]);

      const [published] = await app.events.waitFor(
        (e) => e.type === 'contacts.communication.logged' && e.aggregateId === event.id,
      );
      expect(published).toMatchObject({
        organizationId: admin.organizationId,
        actorId: admin.userId,
        correlationId,
        data: {
          id: event.id,
          organizationId: admin.organizationId,
          contactId: contact.id,
          type: 'meeting',
          occurredAt,
          subject: 'Quarterly review',
          summary: 'Went well',
        },
      });
    });

    it('lists newest first, by type, in pages', async () => {
      const contact = await admin.createContact();
      const base = Date.now() - 30 * DAY_MS;
      const types = ['email', 'call', 'meeting', 'note', 'call', 'email', 'call'];
      // Logged in a shuffled order: the list is ordered by occurredAt.
      for (const i of [3, 0, 6, 1, 5, 2, 4])
        await logged(admin, contact.id, {
          type: types[i],
          occurredAt: iso(base + i * DAY_MS),
          summary: `#${i}`,
        });

      const all = await history(admin, contact.id);
      expect(all.data.map((event) => event.summary)).toEqual(['#6', '#5', '#4', '#3', '#2', '#1', '#0']);
      expect(all.meta).toEqual({ total: 7, page: 1, limit: 25, totalPages: 1 });

      const calls = await history(admin, contact.id, 'type=call');
      expect(calls.data.map((event) => event.summary)).toEqual(['#6', '#4', '#1']);
      expect(calls.meta.total).toBe(3);

      const page2 = await history(admin, contact.id, 'limit=3&page=2');
      expect(page2.data.map((event) => event.summary)).toEqual(['#3', '#2', '#1']);
      expect(page2.meta).toEqual({ total: 7, page: 2, limit: 3, totalPages: 3 });
      expect((await history(admin, contact.id, 'limit=3&page=4')).data).toEqual([]);

      for (const query of ['type=sms', 'page=0', 'limit=abc'])
        expectError(await admin.call('GET', `/api/contacts/${contact.id}/communication?${query}`), 422);
    });

    it('moves lastContactAt forward only', async () => {
      const contact = await admin.createContact();
      const t1 = iso(Date.now() - 2 * DAY_MS);
      await logged(admin, contact.id, { occurredAt: t1 });
      expect((await get(admin, contact.id)).lastContactAt).toBe(t1);
      await logged(admin, contact.id, { occurredAt: iso(Date.now() - 10 * DAY_MS) });
      expect((await get(admin, contact.id)).lastContactAt).toBe(t1);
      const t2 = iso(Date.now() - MINUTE_MS);
      await logged(admin, contact.id, { occurredAt: t2 });
      expect((await get(admin, contact.id)).lastContactAt).toBe(t2);
    });

    it('accepts an occurredAt a little ahead (clock skew) and refuses one more than 5 minutes ahead', async () => {
      const contact = await admin.createContact();
      const ahead = iso(Date.now() + 2 * MINUTE_MS);
      await logged(admin, contact.id, { occurredAt: ahead });
      const error = expectError(
        await log(admin, contact.id, {
          type: 'call',
          occurredAt: iso(Date.now() + 6 * MINUTE_MS),
          summary: 'x',
        }),
        422,
      );
      expect(fieldsOf(error)).toEqual(['occurredAt']);
      expect((await history(admin, contact.id)).meta.total).toBe(1);
      expect((await get(admin, contact.id)).lastContactAt).toBe(ahead);
    });

    it.each([
      ['no summary', { summary: undefined }, 'summary'],
      ['an empty summary', { summary: '' }, 'summary'],
      ['an unknown type', { type: 'sms' }, 'type'],
      ['no type', { type: undefined }, 'type'],
      ['no occurredAt', { occurredAt: undefined }, 'occurredAt'],
      ['an occurredAt that is no date', { occurredAt: 'yesterday' }, 'occurredAt'],
      ['an unknown sentiment', { sentiment: 'meh' }, 'sentiment'],
      ['a subject over 500 characters', { subject: 's'.repeat(501) }, 'subject'],
      ['a NUL character', { summary: 'a\u0000b' }, 'summary'],
    ])('refuses %s with 422', async (_case, fields, field) => {
      const contact = await admin.createContact();
      const body = { type: 'call', occurredAt: iso(Date.now()), summary: 'Fine', ...fields };
      expect(fieldsOf(expectError(await log(admin, contact.id, body), 422))).toEqual([field]);
      expect((await history(admin, contact.id)).meta.total).toBe(0);
      expect((await get(admin, contact.id)).lastContactAt).toBeNull();
    });

    it('answers 400 to malformed JSON and 404 for an unknown or deleted contact', async () => {
      const contact = await admin.createContact();
      expectError(
        await admin.call('POST', `/api/contacts/${contact.id}/communication`, {
          raw: '{"type":',
          contentType: 'application/json',
        }),
        400,
      );
      expectOk(await admin.call('DELETE', `/api/contacts/${contact.id}`));
      for (const id of [contact.id, randomUUID(), 'nope']) {
        expectError(await log(admin, id, { type: 'call', occurredAt: iso(Date.now()), summary: 'x' }), 404);
        expectError(await admin.call('GET', `/api/contacts/${id}/communication`), 404);
      }
    });
  });

  describe('tags', () => {
    const addTag = (id: string, tag: unknown) =>
      admin.call('POST', `/api/contacts/${id}/tags`, { body: { tag } });
    /** The contract names no status for adding a tag: 200 or 201, with the contact. */
    const tagged = async (id: string, tag: string) => {
      const res = await addTag(id, tag);
      return expectOk(res, res.status === 201 ? 201 : 200);
    };
    const removeTag = (id: string, tag: string) =>
      admin.call('DELETE', `/api/contacts/${id}/tags/${encodeURIComponent(tag)}`);

    it('adds a tag once whatever its case, spelled as the catalog first saw it', async () => {
      const tag = `Champion-${word()}`;
      const contact = await admin.createContact({ tags: ['existing'] });
      expect((await tagged(contact.id, tag)).tags).toEqual(['existing', tag]);
      expect((await tagged(contact.id, tag.toLowerCase())).tags).toEqual(['existing', tag]);
      expect((await tagged(contact.id, `  ${tag.toUpperCase()} `)).tags).toEqual(['existing', tag]);
      expect((await get(admin, contact.id)).tags).toEqual(['existing', tag]);

      const catalog = expectOk(await admin.call('GET', '/api/tags'));
      expect(catalog.filter((entry: Json) => entry.name.toLowerCase() === tag.toLowerCase())).toEqual([
        expect.objectContaining({ name: tag, color: expect.stringMatching(/^#[0-9a-f]{6}$/) }),
      ]);

      const other = await admin.createContact();
      expect((await tagged(other.id, tag.toUpperCase())).tags).toEqual([tag]);
    });

    it('removes a tag named in any case; removing one it does not carry changes nothing', async () => {
      const contact = await admin.createContact({ tags: ['Key Account', 'keep'] });
      expect(expectOk(await removeTag(contact.id, 'KEY ACCOUNT')).tags).toEqual(['keep']);
      expect(expectOk(await removeTag(contact.id, 'never-there')).tags).toEqual(['keep']);
      expect((await get(admin, contact.id)).tags).toEqual(['keep']);
      // The catalog keeps the tag: removing it from one contact does not delete it.
      const catalog = expectOk(await admin.call('GET', '/api/tags'));
      expect(catalog.map((entry: Json) => entry.name)).toContain('Key Account');
    });

    it('refuses a missing, blank, too long or non-string tag with 422', async () => {
      const contact = await admin.createContact();
      for (const tag of [undefined, '', '   ', 't'.repeat(51), 42, ['a']])
        expect(fieldsOf(expectError(await addTag(contact.id, tag), 422))).toEqual(['tag']);
      expect((await get(admin, contact.id)).tags).toEqual([]);
    });

    it('answers 404 for an unknown or deleted contact', async () => {
      const contact = await admin.createContact();
      expectOk(await admin.call('DELETE', `/api/contacts/${contact.id}`));
      for (const id of [contact.id, randomUUID()]) {
        expectError(await addTag(id, 'x'), 404);
        expectError(await removeTag(id, 'x'), 404);
      }
    });
  });

  describe('merge', () => {
    const merge = (caller: Caller, targetId: string, sourceId: unknown, headers?: Record<string, string>) =>
      caller.call('POST', `/api/contacts/${targetId}/merge`, { body: { sourceId }, headers });
    const insertDeal = (
      contactId: string,
      value: number,
      options: { lost?: boolean; deleted?: boolean } = {},
    ) =>
      app.db.query(
        `INSERT INTO deal_replicas (deal_id, organization_id, contact_id, value, is_lost, deleted, aggregate_version)
         VALUES ($1, $2, $3, $4, $5, $6, 1)`,
        [
          randomUUID(),
          admin.organizationId,
          contactId,
          value,
          options.lost ?? false,
          options.deleted ?? false,
        ],
      );

    it('fills the empty fields, unites the tags, moves communication and deals, and deletes the source', async () => {
      const customer = await admin.createCustomer();
      const targetEmail = uniqueEmail('target');
      const sourceEmail = uniqueEmail('source');
      const target = await admin.createContact({
        name: 'Ada Target',
        email: targetEmail,
        company: 'Target Co',
        tags: ['alpha', 'Shared'],
        healthScore: 80,
      });
      const source = await admin.createContact({
        name: 'Ada Source',
        email: sourceEmail,
        phone: '+1 555 0101',
        company: 'Source Co',
        title: 'CTO',
        linkedinUrl: 'https://linkedin.com/in/ada-source',
        address: { city: 'Paris' },
        notes: 'From the source',
        customerId: customer.id,
        nextFollowUpAt: '2031-01-02T03:04:05.000Z',
        tags: ['SHARED', 'beta'],
        healthScore: 20,
      });
      const older = iso(Date.now() - 5 * DAY_MS);
      const newer = iso(Date.now() - DAY_MS);
      await logged(admin, target.id, { occurredAt: older, summary: 'target call' });
      await logged(admin, source.id, { occurredAt: newer, summary: 'source call' });
      await logged(admin, source.id, { occurredAt: iso(Date.now() - 9 * DAY_MS), summary: 'source email' });
      await insertDeal(target.id, 1_000);
      await insertDeal(source.id, 2_500.5);
      await insertDeal(source.id, 99_000, { lost: true });
      await insertDeal(source.id, 77_000, { deleted: true });

      const correlationId = requestId();
      const merged = expectOk(await merge(admin, target.id, source.id, { 'x-request-id': correlationId }));
      expect(merged).toMatchObject({
        id: target.id,
        name: 'Ada Target',
        email: targetEmail,
        company: 'Target Co',
        phone: '+1 555 0101',
        title: 'CTO',
        linkedinUrl: 'https://linkedin.com/in/ada-source',
        address: { city: 'Paris' },
        notes: 'From the source',
        customerId: customer.id,
        nextFollowUpAt: '2031-01-02T03:04:05.000Z',
        tags: ['alpha', 'Shared', 'beta'],
        healthScore: 80,
        ownerId: admin.userId,
        lastContactAt: newer,
        totalDealsCount: 2,
        totalDealsValue: 3_500.5,
      });
      const got = await get(admin, target.id);
      expect(got).toMatchObject({ ...merged, updatedAt: got.updatedAt });
      expect(got.recentCommunication.map((event: Json) => event.summary)).toEqual([
        'source call',
        'target call',
        'source email',
      ]);
      expect(got.recentCommunication.every((event: Json) => event.contactId === target.id)).toBe(true);
      expect((await history(admin, target.id)).meta.total).toBe(3);

      expectError(await admin.call('GET', `/api/contacts/${source.id}`), 404);
      expectError(await admin.call('GET', `/api/contacts/${source.id}/communication`), 404);
      const listed = expectOk(await admin.call('GET', '/api/contacts?limit=100'));
      expect(listed.map((contact: Json) => contact.id)).not.toContain(source.id);
      // The source's email is free again.
      expect((await admin.createContact({ email: sourceEmail })).email).toBe(sourceEmail);

      const { rows } = await app.db.query(
        'SELECT count(*)::int AS n FROM deal_replicas WHERE contact_id = $1',
        [source.id],
      );
      expect(rows[0].n).toBe(0);
      const { rows: sourceRow } = await app.db.query(
        'SELECT merged_into_id, deleted_at FROM contacts WHERE id = $1',
        [source.id],
      );
      expect(sourceRow[0].merged_into_id).toBe(target.id);
      expect(sourceRow[0].deleted_at).toBeInstanceOf(Date);

      const [event] = await app.events.waitFor(
        (e) => e.type === 'contacts.contact.merged' && e.aggregateId === target.id,
      );
      expect(event).toMatchObject({
        organizationId: admin.organizationId,
        actorId: admin.userId,
        correlationId,
        data: {
          organizationId: admin.organizationId,
          targetId: target.id,
          sourceId: source.id,
          target: {
            id: target.id,
            name: 'Ada Target',
            email: targetEmail,
            company: 'Target Co',
            customerId: customer.id,
            ownerId: admin.userId,
          },
        },
      });
      const created = app.events.matching(
        (e) => e.type === 'contacts.contact.created' && e.aggregateId === target.id,
      );
      expect(event!.aggregateVersion).toBeGreaterThan(created[0]!.aggregateVersion);
    });

    it("keeps the target's later last contact and takes the source's email when the target has none", async () => {
      const sourceEmail = uniqueEmail('only-source');
      const target = await admin.createContact({ name: 'No Email', tags: [] });
      const source = await admin.createContact({ name: 'Has Email', email: sourceEmail });
      const later = iso(Date.now() - DAY_MS);
      await logged(admin, target.id, { occurredAt: later });
      await logged(admin, source.id, { occurredAt: iso(Date.now() - 3 * DAY_MS) });
      const merged = expectOk(await merge(admin, target.id, source.id));
      expect(merged).toMatchObject({ email: sourceEmail, lastContactAt: later, tags: [] });
      // The email now belongs to the target.
      const error = expectError(
        await admin.call('POST', '/api/contacts', { body: { name: 'Dup', email: sourceEmail } }),
        409,
      );
      expect(error.details).toEqual({ existingId: target.id });
    });

    it('refuses to merge a contact into itself with 422', async () => {
      const contact = await admin.createContact({ email: uniqueEmail('self') });
      expect(fieldsOf(expectError(await merge(admin, contact.id, contact.id), 422))).toEqual(['sourceId']);
      expectOk(await admin.call('GET', `/api/contacts/${contact.id}`));
    });

    it('refuses to merge a contact into itself named in upper case with 422, and publishes nothing', async () => {
      const contact = await admin.createContact({ email: uniqueEmail('self-upper') });
      const res = await merge(admin, contact.id, contact.id.toUpperCase());
      expectOk(await admin.call('GET', `/api/contacts/${contact.id}`));
      const later = requestId();
      expectOk(
        await admin.call('PATCH', `/api/contacts/${contact.id}`, {
          body: { title: 'x' },
          headers: { 'x-request-id': later },
        }),
      );
      await app.events.waitFor((e) => e.correlationId === later);
      expect(
        app.events.matching((e) => e.type === 'contacts.contact.merged' && e.aggregateId === contact.id),
      ).toEqual([]);
      expect(fieldsOf(expectError(res, 422))).toEqual(['sourceId']);
    });

    it('refuses a missing, malformed, unknown or deleted source and leaves the target alone', async () => {
      const target = await admin.createContact({ tags: ['t'] });
      const deleted = await admin.createContact({ phone: '123' });
      expectOk(await admin.call('DELETE', `/api/contacts/${deleted.id}`));
      for (const sourceId of [undefined, null, 'nope', 42])
        expect(fieldsOf(expectError(await merge(admin, target.id, sourceId), 422))).toEqual(['sourceId']);
      for (const sourceId of [randomUUID(), deleted.id]) {
        const res = await merge(admin, target.id, sourceId);
        expect([404, 422]).toContain(res.status);
        expectError(res, res.status);
      }
      const { updatedAt: _u, ...after } = await get(admin, target.id);
      const { updatedAt: _v, ...before } = target;
      expect(after).toMatchObject(before);
    });

    it('answers 404 for an unknown or deleted target and leaves the source alone', async () => {
      const source = await admin.createContact();
      const deleted = await admin.createContact();
      expectOk(await admin.call('DELETE', `/api/contacts/${deleted.id}`));
      for (const targetId of [randomUUID(), deleted.id, 'nope'])
        expectError(await merge(admin, targetId, source.id), 404);
      expectOk(await admin.call('GET', `/api/contacts/${source.id}`));
    });

    it('settles two opposite merges running together: one wins, the other finds its target gone', async () => {
      const a = await admin.createContact({ tags: ['from-a'], phone: '+1 111' });
      const b = await admin.createContact({ tags: ['from-b'], title: 'From B' });
      const answers = await Promise.all([merge(admin, a.id, b.id), merge(admin, b.id, a.id)]);
      const won = answers.filter((res) => res.status === 200);
      expect(won).toHaveLength(1);
      const lost = answers.find((res) => res.status !== 200)!;
      expect([404, 422]).toContain(lost.status);
      expectError(lost, lost.status);
      const survivor = won[0]!.body.data;
      expect(survivor).toMatchObject({ phone: '+1 111', title: 'From B' });
      expect([...survivor.tags].sort()).toEqual(['from-a', 'from-b']);
      const other = survivor.id === a.id ? b.id : a.id;
      expectError(await admin.call('GET', `/api/contacts/${other}`), 404);
      expectOk(await admin.call('GET', `/api/contacts/${survivor.id}`));
    });

    it('answers 400 to malformed JSON', async () => {
      const contact = await admin.createContact();
      expectError(
        await admin.call('POST', `/api/contacts/${contact.id}/merge`, {
          raw: '{',
          contentType: 'application/json',
        }),
        400,
      );
    });
  });
});
