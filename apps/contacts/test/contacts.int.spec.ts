import { eventually, expectError, expectOk, fieldsOf, uniqueEmail } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

/** Every field a client may write on a contact, with a value other than its default. */
function fullContact(email: string) {
  return {
    name: 'Ada Lovelace',
    email,
    phone: '+44 20 7946 0000',
    mobile: '+44 7700 900000',
    company: 'Analytical Engines Ltd',
    title: 'CTO',
    department: 'Engineering',
    avatarUrl: 'https://example.com/ada.png',
    linkedinUrl: 'https://www.linkedin.com/in/ada',
    relationshipHealth: 'high',
    healthScore: 87,
    sentiment: 'positive',
    churnRisk: 12,
    nextFollowUpAt: '2031-05-04T09:30:00.000Z',
    preferredContactMethod: 'phone',
    emailOptOut: true,
    phoneOptOut: true,
    isDecisionMaker: true,
    address: {
      street: '12 St James Sq',
      city: 'London',
      state: 'Greater London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    },
    notes: 'Met at the Difference Engine demo.',
    tags: ['vip', 'newsletter'],
  };
}

const requestId = () => `req-${randomUUID()}`;

describe('contacts: create, read, update, delete', () => {
  const app = useContacts();
  let admin: Caller;
  beforeAll(() => {
    admin = app.user('admin');
  });

  const get = (caller: Caller, id: string) => caller.call('GET', `/api/contacts/${id}`);
  const patch = (caller: Caller, id: string, body: unknown) =>
    caller.call('PATCH', `/api/contacts/${id}`, { body });

  describe('POST /api/contacts', () => {
    it('stores every field of the contract and the extra ones, and answers them as GET does', async () => {
      const customer = await admin.createCustomer({ name: 'Analytical Engines', industry: 'Computing' });
      const body = { ...fullContact(uniqueEmail('ada')), customerId: customer.id };
      const created = expectOk(await admin.call('POST', '/api/contacts', { body }), 201);
      expect(created).toMatchObject({
        ...body,
        ownerId: admin.userId,
        organizationId: admin.organizationId,
        lastContactAt: null,
        totalDealsCount: 0,
        totalDealsValue: 0,
      });
      expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
      expect(created.updatedAt).toBe(created.createdAt);

      const got = expectOk(await get(admin, created.id));
      expect(got).toEqual({
        ...created,
        recentCommunication: [],
        customer: { id: customer.id, name: 'Analytical Engines', type: customer.type, industry: 'Computing' },
      });
    });

    it('fills the defaults when only a name is given', async () => {
      const created = await admin.createContact({ name: '  Grace Hopper  ' });
      expect(created).toMatchObject({
        name: 'Grace Hopper',
        email: null,
        phone: null,
        mobile: null,
        company: null,
        title: null,
        department: null,
        avatarUrl: null,
        linkedinUrl: null,
        customerId: null,
        relationshipHealth: 'medium',
        healthScore: 50,
        sentiment: 'neutral',
        churnRisk: 0,
        lastContactAt: null,
        nextFollowUpAt: null,
        totalDealsCount: 0,
        totalDealsValue: 0,
        preferredContactMethod: null,
        emailOptOut: false,
        phoneOptOut: false,
        isDecisionMaker: false,
        address: null,
        notes: null,
        tags: [],
        ownerId: admin.userId,
      });
      expect(expectOk(await get(admin, created.id)).customer).toBeNull();
    });

    it.each([
      ['no name', { name: undefined }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a name that is not a string', { name: 42 }, 'name'],
      ['a name over 200 characters', { name: 'x'.repeat(201) }, 'name'],
      ['an invalid email', { email: 'not-an-email' }, 'email'],
      ['a healthScore above 100', { healthScore: 101 }, 'healthScore'],
      ['a negative healthScore', { healthScore: -1 }, 'healthScore'],
      ['a fractional healthScore', { healthScore: 50.5 }, 'healthScore'],
      ['a healthScore as a string', { healthScore: '50' }, 'healthScore'],
      ['a churnRisk above 100', { churnRisk: 101 }, 'churnRisk'],
      ['an unknown relationshipHealth', { relationshipHealth: 'great' }, 'relationshipHealth'],
      ['an unknown sentiment', { sentiment: 'ecstatic' }, 'sentiment'],
      ['an unknown preferredContactMethod', { preferredContactMethod: 'pigeon' }, 'preferredContactMethod'],
      ['a non-boolean emailOptOut', { emailOptOut: 'yes' }, 'emailOptOut'],
      ['a non-boolean isDecisionMaker', { isDecisionMaker: 1 }, 'isDecisionMaker'],
      ['a javascript: linkedinUrl', { linkedinUrl: 'javascript:alert(1)' }, 'linkedinUrl'],
      ['an avatarUrl that is no URL', { avatarUrl: 'ada.png' }, 'avatarUrl'],
      ['a nextFollowUpAt that is no date', { nextFollowUpAt: 'tomorrow' }, 'nextFollowUpAt'],
      ['an address field of the wrong type', { address: { city: 12 } }, 'address.city'],
      ['tags that are not a list', { tags: 'vip' }, 'tags'],
      ['a tag over 50 characters', { tags: ['vip', 't'.repeat(51)] }, 'tags'],
      ['more than 50 tags', { tags: Array.from({ length: 51 }, (_, i) => `tag${i}`) }, 'tags'],
      ['a tag that is not a string', { tags: ['vip', 7] }, 'tags'],
      ['a customerId that is no UUID', { customerId: 'acme' }, 'customerId'],
      ['an ownerId that is no UUID', { ownerId: 'boss' }, 'ownerId'],
    ])('refuses %s with 422 naming the field', async (_case, fields, field) => {
      const marker = word();
      const res = await admin.call('POST', '/api/contacts', { body: { name: `Bad ${marker}`, ...fields } });
      expect(fieldsOf(expectError(res, 422))).toContain(field);
      const list = expectOk(await admin.call('GET', `/api/contacts?search=${marker}`));
      expect(list).toEqual([]);
    });

    it('refuses a NUL character in any text with 422', async () => {
      for (const body of [
        { name: 'Nul\u0000Name' },
        { name: 'Nul note', notes: 'a\u0000b' },
        { name: 'Nul tag', tags: ['a\u0000'] },
        { name: 'Nul street', address: { street: 'x\u0000' } },
      ]) {
        const error = expectError(await admin.call('POST', '/api/contacts', { body }), 422);
        expect(error.details!.length).toBeGreaterThan(0);
      }
    });

    it('answers 400 to a malformed JSON body and 401 without a valid token', async () => {
      expectError(
        await admin.call('POST', '/api/contacts', {
          raw: '{"name": "Broken",',
          contentType: 'application/json',
        }),
        400,
      );
      expectError(await app.call('POST', '/api/contacts', { body: { name: 'Anonymous' } }), 401);
      expectError(await app.call('GET', '/api/contacts'), 401);
      expectError(await app.call('GET', `/api/contacts/${randomUUID()}`), 401);
      expectError(await app.call('GET', '/api/contacts', { token: 'not.a.token' }), 401);
      const forged = app.issuer.token({ org: admin.organizationId }).replace(/\.[^.]+$/, '.c2lnbmF0dXJl');
      expectError(await app.call('GET', '/api/contacts', { token: forged }), 401);
    });

    it('ignores id, organizationId, totals, lastContactAt, timestamps and other read-only fields', async () => {
      const id = randomUUID();
      const otherOrg = randomUUID();
      const created = await admin.createContact({
        id,
        organizationId: otherOrg,
        totalDealsCount: 7,
        totalDealsValue: 999_999,
        lastContactAt: '2020-01-01T00:00:00.000Z',
        createdAt: '2000-01-01T00:00:00.000Z',
        updatedAt: '2000-01-01T00:00:00.000Z',
        deletedAt: '2000-01-01T00:00:00.000Z',
        version: 40,
        mergedIntoId: randomUUID(),
      });
      expect(created.id).not.toBe(id);
      expect(created).toMatchObject({
        organizationId: admin.organizationId,
        totalDealsCount: 0,
        totalDealsValue: 0,
        lastContactAt: null,
      });
      expect(Date.now() - Date.parse(created.createdAt)).toBeLessThan(60_000);
      expectOk(await get(admin, created.id));
      expectError(await get(admin, id), 404);
      const { rows } = await app.db.query(
        'SELECT organization_id, version, merged_into_id, deleted_at FROM contacts WHERE id = $1',
        [created.id],
      );
      expect(rows).toEqual([
        { organization_id: admin.organizationId, version: 1, merged_into_id: null, deleted_at: null },
      ]);

      const updated = expectOk(
        await patch(admin, created.id, {
          id: randomUUID(),
          organizationId: otherOrg,
          totalDealsCount: 3,
          totalDealsValue: 12_345,
          lastContactAt: '2020-01-01T00:00:00.000Z',
          createdAt: '2000-01-01T00:00:00.000Z',
          title: 'Changed',
        }),
      );
      expect(updated).toMatchObject({
        id: created.id,
        organizationId: admin.organizationId,
        totalDealsCount: 0,
        totalDealsValue: 0,
        lastContactAt: null,
        createdAt: created.createdAt,
        title: 'Changed',
      });
    });
  });

  describe('ownerId', () => {
    it('may be set by an admin or a manager, on create and on update', async () => {
      const manager = admin.colleague('manager');
      const sales = admin.colleague('sales');
      const byAdmin = await admin.createContact({ ownerId: sales.userId });
      expect(byAdmin.ownerId).toBe(sales.userId);
      const byManager = await manager.createContact({ ownerId: sales.userId });
      expect(byManager.ownerId).toBe(sales.userId);
      expect(expectOk(await get(sales, byManager.id)).ownerId).toBe(sales.userId);

      const reassigned = expectOk(await patch(manager, byAdmin.id, { ownerId: manager.userId }));
      expect(reassigned.ownerId).toBe(manager.userId);
      expectError(await get(sales, byAdmin.id), 404);
    });

    it('is ignored when a sales user sends it', async () => {
      const sales = admin.colleague('sales');
      const created = await sales.createContact({ ownerId: admin.userId });
      expect(created.ownerId).toBe(sales.userId);
      const updated = expectOk(await patch(sales, created.id, { ownerId: admin.userId, title: 'Kept' }));
      expect(updated).toMatchObject({ ownerId: sales.userId, title: 'Kept' });
      expect(expectOk(await get(sales, created.id)).ownerId).toBe(sales.userId);
    });
  });

  describe('customerId', () => {
    it('links a live customer of the organization and shows its summary; null unlinks', async () => {
      const customer = await admin.createCustomer({ type: 'partner', industry: 'Retail' });
      const contact = await admin.createContact();
      const linked = expectOk(await patch(admin, contact.id, { customerId: customer.id }));
      expect(linked.customerId).toBe(customer.id);
      expect(expectOk(await get(admin, contact.id)).customer).toEqual({
        id: customer.id,
        name: customer.name,
        type: 'partner',
        industry: 'Retail',
      });
      const unlinked = expectOk(await patch(admin, contact.id, { customerId: null }));
      expect(unlinked.customerId).toBeNull();
      expect(expectOk(await get(admin, contact.id)).customer).toBeNull();
    });

    it('answers and publishes ids sent in upper case in their stored, lower-case form', async () => {
      const customer = await admin.createCustomer();
      const sales = admin.colleague('sales');
      const created = await admin.createContact({
        customerId: customer.id.toUpperCase(),
        ownerId: sales.userId.toUpperCase(),
      });
      const stored = expectOk(await get(admin, created.id));
      expect(stored).toMatchObject({ customerId: customer.id, ownerId: sales.userId });
      const [event] = await app.events.waitFor(
        (e) => e.type === 'contacts.contact.created' && e.aggregateId === created.id,
      );
      expect(event!.data).toMatchObject({ customerId: customer.id, ownerId: sales.userId });
      expect(created).toMatchObject({ customerId: customer.id, ownerId: sales.userId });
    });

    it('lets a sales user link a customer that someone else owns', async () => {
      const customer = await admin.createCustomer();
      const sales = admin.colleague('sales');
      const created = await sales.createContact({ customerId: customer.id });
      expect(created.customerId).toBe(customer.id);
    });

    it('refuses an unknown, deleted or other organization customer with 422 and changes nothing', async () => {
      const deleted = await admin.createCustomer();
      expectOk(await admin.call('DELETE', `/api/customers/${deleted.id}`));
      const foreign = await app.user('admin').createCustomer();
      const contact = await admin.createContact({ title: 'Before' });
      for (const customerId of [randomUUID(), deleted.id, foreign.id]) {
        const marker = word();
        const created = await admin.call('POST', '/api/contacts', { body: { name: marker, customerId } });
        expect(fieldsOf(expectError(created, 422))).toEqual(['customerId']);
        expect(expectOk(await admin.call('GET', `/api/contacts?search=${marker}`))).toEqual([]);
        const updated = await patch(admin, contact.id, { customerId, title: 'After' });
        expect(fieldsOf(expectError(updated, 422))).toEqual(['customerId']);
      }
      expect(expectOk(await get(admin, contact.id))).toMatchObject({ customerId: null, title: 'Before' });
    });
  });

  describe('email uniqueness', () => {
    it('answers 409 with details.existingId for an email a live contact has, in any case', async () => {
      const email = uniqueEmail('taken');
      const existing = await admin.createContact({ email });
      for (const taken of [email, email.toUpperCase(), `  ${email.replace(/^./, (c) => c.toUpperCase())} `]) {
        const error = expectError(
          await admin.call('POST', '/api/contacts', { body: { name: 'Dup', email: taken } }),
          409,
        );
        expect(error.details).toEqual({ existingId: existing.id });
      }
      const other = await admin.createContact({ email: uniqueEmail('other') });
      const error = expectError(await patch(admin, other.id, { email: email.toUpperCase() }), 409);
      expect(error.details).toEqual({ existingId: existing.id });
      expect(expectOk(await get(admin, other.id)).email).toBe(other.email);

      // A contact may keep its own email, whatever the case.
      const self = expectOk(await patch(admin, existing.id, { email: email.toUpperCase() }));
      expect(self.email).toBe(email.toUpperCase());
    });

    it('is per organization', async () => {
      const email = uniqueEmail('shared');
      await admin.createContact({ email });
      const elsewhere = await app.user('admin').createContact({ email });
      expect(elsewhere.email).toBe(email);
    });

    it('lets exactly one of several concurrent creates with the same email through', async () => {
      const email = uniqueEmail('race');
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          admin.call('POST', '/api/contacts', {
            body: { name: `Racer ${i}`, email: i % 2 ? email : email.toUpperCase() },
          }),
        ),
      );
      const created = answers.filter((res) => res.status === 201);
      expect(created).toHaveLength(1);
      const winner = created[0]!.body.data;
      for (const res of answers.filter((r) => r.status !== 201))
        expect(expectError(res, 409).details).toEqual({ existingId: winner.id });
      const { rows } = await app.db.query(
        'SELECT id FROM contacts WHERE organization_id = $1 AND lower(email) = lower($2)',
        [admin.organizationId, email],
      );
      expect(rows).toEqual([{ id: winner.id }]);
    });
  });

  describe('GET /api/contacts/:id', () => {
    it('shows the latest 10 communication events, newest first', async () => {
      const contact = await admin.createContact();
      const base = Date.now() - 20 * 86_400_000;
      // Logged out of order: the order is by occurredAt, not by the order of logging.
      const days = [5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6];
      for (const day of days) {
        expectOk(
          await admin.call('POST', `/api/contacts/${contact.id}/communication`, {
            body: {
              type: 'call',
              occurredAt: new Date(base + day * 86_400_000).toISOString(),
              summary: `day ${day}`,
            },
          }),
          201,
        );
      }
      const got = expectOk(await get(admin, contact.id));
      expect(got.recentCommunication.map((event: Json) => event.summary)).toEqual(
        [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0].slice(0, 10).map((day) => `day ${day}`),
      );
      expect(got.recentCommunication[0]).toMatchObject({
        contactId: contact.id,
        userId: admin.userId,
        type: 'call',
        occurredAt: new Date(base + 11 * 86_400_000).toISOString(),
      });
      expect(got.lastContactAt).toBe(new Date(base + 11 * 86_400_000).toISOString());
    });

    it('answers 404 for an unknown id, a non-UUID id and another organization contact', async () => {
      const foreign = await app.user('admin').createContact();
      for (const id of [randomUUID(), 'not-a-uuid', '123', foreign.id]) {
        for (const [method, body] of [
          ['GET', undefined],
          ['PUT', { name: 'X' }],
          ['PATCH', { name: 'X' }],
          ['DELETE', undefined],
        ] as const)
          expectError(await admin.call(method, `/api/contacts/${id}`, { body }), 404);
      }
    });

    it('accepts the id in upper case', async () => {
      const contact = await admin.createContact();
      expect(expectOk(await get(admin, contact.id.toUpperCase())).id).toBe(contact.id);
    });
  });

  describe('PUT and PATCH /api/contacts/:id', () => {
    it.each(['PUT', 'PATCH'])('%s is a partial update', async (method) => {
      const created = expectOk(
        await admin.call('POST', '/api/contacts', { body: fullContact(uniqueEmail('partial')) }),
        201,
      );
      const updated = expectOk(
        await admin.call(method, `/api/contacts/${created.id}`, {
          body: { title: 'CEO', healthScore: 90, isDecisionMaker: false, address: { city: 'Paris' } },
        }),
      );
      expect(updated).toEqual({
        ...created,
        title: 'CEO',
        healthScore: 90,
        isDecisionMaker: false,
        address: { city: 'Paris' },
        updatedAt: updated.updatedAt,
      });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      const { recentCommunication: _r, customer: _c, ...got } = expectOk(await get(admin, created.id));
      expect(got).toEqual(updated);
    });

    it("clears optional text with '' and optional values with null", async () => {
      const customer = await admin.createCustomer();
      const created = expectOk(
        await admin.call('POST', '/api/contacts', {
          body: { ...fullContact(uniqueEmail('clear')), customerId: customer.id },
        }),
        201,
      );
      const cleared = expectOk(
        await patch(admin, created.id, {
          email: '',
          phone: '',
          mobile: '  ',
          company: '',
          title: '',
          department: '',
          avatarUrl: '',
          linkedinUrl: '',
          nextFollowUpAt: null,
          preferredContactMethod: null,
          address: null,
          customerId: null,
          tags: [],
        }),
      );
      expect(cleared).toMatchObject({
        name: 'Ada Lovelace',
        email: null,
        phone: null,
        mobile: null,
        company: null,
        title: null,
        department: null,
        avatarUrl: null,
        linkedinUrl: null,
        nextFollowUpAt: null,
        preferredContactMethod: null,
        address: null,
        customerId: null,
        tags: [],
      });
      expect(cleared.notes).toBe(created.notes);
      expect(expectOk(await patch(admin, created.id, { notes: null })).notes).toBeNull();
    });

    it("clears notes with '' like every other optional text", async () => {
      const created = await admin.createContact({ notes: 'Some notes', title: 'Some title' });
      const cleared = expectOk(await patch(admin, created.id, { notes: '', title: '' }));
      expect(cleared.title).toBeNull();
      expect(cleared.notes).toBeNull();
    });

    it.each([
      ['name', null],
      ['name', ''],
      ['healthScore', null],
      ['churnRisk', null],
      ['relationshipHealth', null],
      ['sentiment', null],
      ['emailOptOut', null],
      ['ownerId', null],
    ])('refuses %s = %j with 422 and changes nothing', async (field, value) => {
      const created = await admin.createContact({ healthScore: 70 });
      const error = expectError(await patch(admin, created.id, { [field]: value, title: 'Changed' }), 422);
      expect(fieldsOf(error)).toEqual([field]);
      const { recentCommunication: _r, customer: _c, ...got } = expectOk(await get(admin, created.id));
      expect(got).toEqual(created);
    });

    it('replaces the tags when tags are sent', async () => {
      const created = await admin.createContact({ tags: ['one', 'two'] });
      expect(expectOk(await patch(admin, created.id, { tags: ['three', 'THREE', ' two '] })).tags).toEqual([
        'three',
        'two',
      ]);
      expect(expectOk(await patch(admin, created.id, { title: 'No tags sent' })).tags).toEqual([
        'three',
        'two',
      ]);
      expect(expectOk(await patch(admin, created.id, { tags: [' ', 'four', ''] })).tags).toEqual(['four']);
    });

    it('answers 400 to a malformed JSON body', async () => {
      const created = await admin.createContact();
      for (const method of ['PUT', 'PATCH'])
        expectError(
          await admin.call(method, `/api/contacts/${created.id}`, {
            raw: '{"name": ',
            contentType: 'application/json',
          }),
          400,
        );
    });

    it('refuses a NUL character with 422', async () => {
      const created = await admin.createContact();
      expectError(await patch(admin, created.id, { title: 'a\u0000b' }), 422);
    });
  });

  describe('DELETE /api/contacts/:id', () => {
    it('soft-deletes: 404 afterwards, gone from lists and searches, its email free again', async () => {
      const marker = word();
      const email = uniqueEmail('deleted');
      const contact = await admin.createContact({ name: `Gone ${marker}`, email });
      expect(expectOk(await admin.call('DELETE', `/api/contacts/${contact.id}`))).toEqual({ success: true });

      expectError(await get(admin, contact.id), 404);
      expectError(await patch(admin, contact.id, { title: 'Zombie' }), 404);
      expectError(await admin.call('PUT', `/api/contacts/${contact.id}`, { body: { title: 'Zombie' } }), 404);
      expectError(await admin.call('DELETE', `/api/contacts/${contact.id}`), 404);
      expectError(await admin.call('GET', `/api/contacts/${contact.id}/communication`), 404);
      expect(expectOk(await admin.call('GET', `/api/contacts?search=${marker}`))).toEqual([]);
      const all = expectOk(await admin.call('GET', '/api/contacts?limit=100'));
      expect(all.map((c: Json) => c.id)).not.toContain(contact.id);

      const again = await admin.createContact({ email });
      expect(again.id).not.toBe(contact.id);

      const { rows } = await app.db.query('SELECT deleted_at FROM contacts WHERE id = $1', [contact.id]);
      expect(rows[0].deleted_at).toBeInstanceOf(Date);
    });
  });

  describe('events', () => {
    it('publishes created, updated and deleted with the snapshot, increasing versions and the request id', async () => {
      const customer = await admin.createCustomer();
      const email = uniqueEmail('evented');
      const ids = [requestId(), requestId(), requestId()];
      const created = expectOk(
        await admin.call('POST', '/api/contacts', {
          body: { name: 'Evented', email, company: 'Events Inc', customerId: customer.id },
          headers: { 'x-request-id': ids[0]! },
        }),
        201,
      );
      expectOk(
        await admin.call('PATCH', `/api/contacts/${created.id}`, {
          body: { name: 'Evented Again', company: '' },
          headers: { 'x-request-id': ids[1]! },
        }),
      );
      expectOk(
        await admin.call('DELETE', `/api/contacts/${created.id}`, { headers: { 'x-request-id': ids[2]! } }),
      );

      const events = await app.events.waitFor((event) => event.aggregateId === created.id, 3);
      expect(events.map((event) => event.type)).toEqual([
        'contacts.contact.created',
        'contacts.contact.updated',
        'contacts.contact.deleted',
      ]);
      expect(events.map((event) => event.correlationId)).toEqual(ids);
      const versions = events.map((event) => event.aggregateVersion);
      expect(versions[0]).toBeLessThan(versions[1]!);
      expect(versions[1]).toBeLessThan(versions[2]!);
      const snapshot = {
        id: created.id,
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        name: 'Evented',
        email,
        company: 'Events Inc',
        customerId: customer.id,
      };
      expect(events[0]!.data).toEqual(snapshot);
      expect(events[1]!.data).toEqual({ ...snapshot, name: 'Evented Again', company: null });
      expect(events[2]!.data).toEqual({ ...snapshot, name: 'Evented Again', company: null });
      for (const event of events) {
        expect(event).toMatchObject({
          source: 'contacts',
          version: 1,
          organizationId: admin.organizationId,
          actorId: admin.userId,
        });
        expect(app.events.routingKeys.get(event.id)).toBe(event.type);
      }
    });

    it('publishes nothing for a refused request', async () => {
      const email = uniqueEmail('refused');
      const existing = await admin.createContact({ email });
      const refused = [requestId(), requestId(), requestId()];
      expectError(
        await admin.call('POST', '/api/contacts', {
          body: { name: 'Dup', email },
          headers: { 'x-request-id': refused[0]! },
        }),
        409,
      );
      expectError(
        await admin.call('PATCH', `/api/contacts/${existing.id}`, {
          body: { healthScore: 500 },
          headers: { 'x-request-id': refused[1]! },
        }),
        422,
      );
      expectError(
        await admin.call('PATCH', `/api/contacts/${existing.id}`, {
          body: { customerId: randomUUID() },
          headers: { 'x-request-id': refused[2]! },
        }),
        422,
      );
      // A later change's event arriving means the relay has passed the refused requests' time.
      const later = requestId();
      expectOk(
        await admin.call('PATCH', `/api/contacts/${existing.id}`, {
          body: { title: 'Later' },
          headers: { 'x-request-id': later },
        }),
      );
      await eventually(() => expect(app.events.byRequest(later)).toHaveLength(1));
      for (const id of refused) expect(app.events.byRequest(id)).toEqual([]);
    });
  });
});
