import { expectError, expectOk, fieldsOf } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

// The organization's tag catalog: creation, colours, renames and deletions that reach every
// contact and customer of the organization (and only of it), and the events that tell the others.
describe('tags', () => {
  const app = useContacts();
  let admin: Caller;
  let sales: Caller;
  let outsider: Caller;

  beforeAll(() => {
    admin = app.user('admin');
    sales = admin.colleague('sales');
    outsider = app.user('admin');
  });

  const DEFAULT_COLOR = '#64748b';

  async function createTag(caller: Caller, body: Record<string, unknown>): Promise<Json> {
    return expectOk(await caller.call('POST', '/api/tags', { body }), 201);
  }

  async function catalog(caller: Caller): Promise<Json[]> {
    return expectOk(await caller.call('GET', '/api/tags'));
  }

  async function tagsOf(caller: Caller, kind: 'contacts' | 'customers', id: string): Promise<string[]> {
    return expectOk(await caller.call('GET', `/api/${kind}/${id}`)).tags;
  }

  describe('create', () => {
    it('creates a tag with the default colour when none is given', async () => {
      const name = `vip-${word()}`;
      const tag = await createTag(admin, { name: `  ${name}  ` });
      expect(tag).toMatchObject({ name, color: DEFAULT_COLOR });
      expect(tag.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(tag.createdAt)).not.toBeNaN();
      expect(Date.parse(tag.updatedAt)).not.toBeNaN();
      expect((await catalog(admin)).find((t) => t.id === tag.id)).toEqual(tag);
    });

    it('keeps a #rrggbb colour, lower-cased', async () => {
      const tag = await createTag(admin, { name: `Hot ${word()}`, color: '#FFAA0B' });
      expect(tag.color).toBe('#ffaa0b');
    });

    it.each(['red', '#abc', '#gggggg', 'aabbcc', '#aabbccdd', '', null, 123])(
      'refuses the colour %p with 422',
      async (color) => {
        const error = expectError(
          await admin.call('POST', '/api/tags', { body: { name: word(), color } }),
          422,
        );
        expect(fieldsOf(error)).toEqual(['color']);
      },
    );

    it.each([
      ['missing', {}],
      ['blank', { name: '   ' }],
      ['too long', { name: 'x'.repeat(51) }],
      ['not a string', { name: 42 }],
    ])('refuses a name that is %s with 422', async (_, body) => {
      const error = expectError(await admin.call('POST', '/api/tags', { body }), 422);
      expect(fieldsOf(error)).toEqual(['name']);
    });

    it('refuses a name the organization already has, in any case (409)', async () => {
      const name = `Partner ${word()}`;
      await createTag(admin, { name });
      expectError(await admin.call('POST', '/api/tags', { body: { name: name.toUpperCase() } }), 409);
      expectError(await admin.call('POST', '/api/tags', { body: { name: ` ${name.toLowerCase()} ` } }), 409);
      expect((await catalog(admin)).filter((t) => t.name.toLowerCase() === name.toLowerCase())).toHaveLength(
        1,
      );
    });

    it('answers one 201 and 409s when the same name is created concurrently', async () => {
      const name = `race-${word()}`;
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => admin.call('POST', '/api/tags', { body: { name } })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    });

    it('lets another organization use the same name', async () => {
      const name = `shared-${word()}`;
      await createTag(admin, { name });
      expect((await createTag(outsider, { name })).name).toBe(name);
    });
  });

  describe('list', () => {
    it("lists the organization's tags sorted by name, case-insensitively, and no one else's", async () => {
      const org = app.user('admin');
      const names = ['banana', 'Apple', 'cherry', 'apricot'];
      for (const name of names) await createTag(org, { name });
      await createTag(app.user('admin'), { name: 'aardvark' });
      expect((await catalog(org)).map((t) => t.name)).toEqual(['Apple', 'apricot', 'banana', 'cherry']);
      // Every role of the organization reads the catalog.
      expect((await catalog(org.colleague('sales'))).map((t) => t.name)).toHaveLength(4);
    });
  });

  describe('update', () => {
    it('changes the colour with PUT or PATCH, without renaming anything', async () => {
      const tag = await createTag(admin, { name: `colour-${word()}` });
      const contact = await admin.createContact({ tags: [tag.name] });
      const put = expectOk(await admin.call('PUT', `/api/tags/${tag.id}`, { body: { color: '#00FF00' } }));
      expect(put).toMatchObject({ id: tag.id, name: tag.name, color: '#00ff00' });
      const patched = expectOk(
        await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { color: '#123abc' } }),
      );
      expect(patched).toMatchObject({ id: tag.id, name: tag.name, color: '#123abc' });
      expect((await catalog(admin)).find((t) => t.id === tag.id)!.color).toBe('#123abc');
      expect(await tagsOf(admin, 'contacts', contact.id)).toEqual([tag.name]);
      // Renaming to its own name is no rename either.
      expectOk(await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { name: tag.name } }));
      expect(
        app.events.matching((e) => e.type === 'contacts.tag.renamed' && e.aggregateId === tag.id),
      ).toEqual([]);
    });

    it('refuses a bad colour or name with 422 and changes nothing', async () => {
      const tag = await createTag(admin, { name: `keep-${word()}`, color: '#abcdef' });
      expectError(await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { color: 'blue' } }), 422);
      expectError(await admin.call('PUT', `/api/tags/${tag.id}`, { body: { name: '' } }), 422);
      expectError(await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { name: null } }), 422);
      expect((await catalog(admin)).find((t) => t.id === tag.id)).toEqual(tag);
    });

    it('renames the tag on every contact and customer of the organization, and publishes it', async () => {
      const old = `old-${word()}`;
      const renamed = `New ${word()}`;
      const tag = await createTag(admin, { name: old, color: '#ff0000' });
      const contact = await admin.createContact({ tags: ['first', old, 'last'] });
      const salesContact = await sales.createContact({ tags: [old] });
      const customer = await admin.createCustomer({ tags: [old, 'other'] });
      const untagged = await admin.createContact({ tags: ['first'] });
      const foreignContact = await outsider.createContact({ tags: [old] });
      const foreignCustomer = await outsider.createCustomer({ tags: [old] });

      const res = await admin.call('PUT', `/api/tags/${tag.id}`, { body: { name: renamed } });
      expect(expectOk(res)).toMatchObject({ id: tag.id, name: renamed, color: '#ff0000' });

      expect(await tagsOf(admin, 'contacts', contact.id)).toEqual(['first', renamed, 'last']);
      expect(await tagsOf(admin, 'contacts', salesContact.id)).toEqual([renamed]);
      expect(await tagsOf(admin, 'customers', customer.id)).toEqual([renamed, 'other']);
      expect(await tagsOf(admin, 'contacts', untagged.id)).toEqual(['first']);
      expect(await tagsOf(outsider, 'contacts', foreignContact.id)).toEqual([old]);
      expect(await tagsOf(outsider, 'customers', foreignCustomer.id)).toEqual([old]);
      const names = (await catalog(admin)).map((t) => t.name);
      expect(names).toContain(renamed);
      expect(names).not.toContain(old);
      // Filters find the records under the new name only.
      const byNew = expectOk(await admin.call('GET', `/api/contacts?tag=${encodeURIComponent(renamed)}`));
      expect(byNew.map((c: Json) => c.id).sort()).toEqual([contact.id, salesContact.id].sort());
      expect(expectOk(await admin.call('GET', `/api/contacts?tag=${encodeURIComponent(old)}`))).toEqual([]);

      const [event] = await app.events.waitFor(
        (e) => e.type === 'contacts.tag.renamed' && e.aggregateId === tag.id,
      );
      expect(event!).toMatchObject({
        organizationId: admin.organizationId,
        actorId: admin.userId,
        data: { id: tag.id, organizationId: admin.organizationId, previousName: old, name: renamed },
      });
    });

    it('renames with PATCH, a change of case included', async () => {
      const tag = await createTag(admin, { name: `case-${word()}` });
      const customer = await admin.createCustomer({ tags: [tag.name] });
      const upper = tag.name.toUpperCase();
      expect(expectOk(await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { name: upper } })).name).toBe(
        upper,
      );
      expect(await tagsOf(admin, 'customers', customer.id)).toEqual([upper]);
      const [event] = await app.events.waitFor(
        (e) => e.type === 'contacts.tag.renamed' && e.aggregateId === tag.id,
      );
      expect(event!.data).toMatchObject({ previousName: tag.name, name: upper });
    });

    it('refuses to rename to a name the organization already has (409), changing nothing', async () => {
      const taken = await createTag(admin, { name: `taken-${word()}` });
      const tag = await createTag(admin, { name: `mine-${word()}` });
      const contact = await admin.createContact({ tags: [tag.name, taken.name] });
      expectError(
        await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { name: taken.name.toUpperCase() } }),
        409,
      );
      expectError(await admin.call('PUT', `/api/tags/${tag.id}`, { body: { name: taken.name } }), 409);
      expect(await tagsOf(admin, 'contacts', contact.id)).toEqual([tag.name, taken.name]);
      expect((await catalog(admin)).find((t) => t.id === tag.id)!.name).toBe(tag.name);
      expect(
        app.events.matching((e) => e.type === 'contacts.tag.renamed' && e.aggregateId === tag.id),
      ).toEqual([]);
    });

    it('may take a name that another organization uses', async () => {
      const foreign = await createTag(outsider, { name: `theirs-${word()}` });
      const tag = await createTag(admin, { name: `ours-${word()}` });
      expect(
        expectOk(await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { name: foreign.name } })).name,
      ).toBe(foreign.name);
    });
  });

  describe('tags carried by records', () => {
    it('puts the tags of contacts and customers in the catalog, spelled as first seen', async () => {
      const name = `Hot Lead ${word()}`;
      const contact = await admin.createContact({ tags: [name] });
      expect(contact.tags).toEqual([name]);
      const entry = (await catalog(admin)).find((t) => t.name.toLowerCase() === name.toLowerCase());
      expect(entry).toMatchObject({ name, color: DEFAULT_COLOR });

      const customer = await admin.createCustomer({ tags: [name.toLowerCase(), 'Fresh ' + name] });
      expect(customer.tags).toEqual([name, 'Fresh ' + name]);
      // (the status of this route is the contacts suite's business: 200 or 201)
      const tagged = await admin.call('POST', `/api/contacts/${contact.id}/tags`, {
        body: { tag: name.toUpperCase() },
      });
      expect(tagged.status).toBeLessThan(300);
      expect(tagged.body.data.tags).toEqual([name]);
      const other = await sales.createContact({ tags: [name.toUpperCase()] });
      expect(other.tags).toEqual([name]);
      const updated = expectOk(
        await admin.call('PATCH', `/api/customers/${customer.id}`, {
          body: { tags: [` ${name.toUpperCase()} `] },
        }),
      );
      expect(updated.tags).toEqual([name]);

      const names = (await catalog(admin)).map((t) => t.name.toLowerCase());
      expect(names.filter((n) => n === name.toLowerCase())).toHaveLength(1);
      expect(names).toContain(`fresh ${name.toLowerCase()}`);
    });

    it('spells a record tag as the catalog entry created beforehand', async () => {
      const tag = await createTag(admin, { name: `Key Account ${word()}`, color: '#0000ff' });
      const contact = await admin.createContact({ tags: [tag.name.toLowerCase()] });
      expect(contact.tags).toEqual([tag.name]);
      expect((await catalog(admin)).find((t) => t.id === tag.id)!.color).toBe('#0000ff');
    });

    it("keeps each organization's catalog to itself", async () => {
      const name = `Mine ${word()}`;
      await admin.createContact({ tags: [name] });
      const theirs = await outsider.createContact({ tags: [name.toUpperCase()] });
      expect(theirs.tags).toEqual([name.toUpperCase()]);
      expect((await catalog(outsider)).map((t) => t.name)).toContain(name.toUpperCase());
      expect((await catalog(admin)).map((t) => t.name)).not.toContain(name.toUpperCase());
    });
  });

  describe('delete', () => {
    it('removes the tag from every contact and customer of the organization and publishes it', async () => {
      const tag = await createTag(admin, { name: `doomed-${word()}` });
      const contact = await admin.createContact({ tags: ['keep', tag.name] });
      const salesContact = await sales.createContact({ tags: [tag.name] });
      const customer = await admin.createCustomer({ tags: [tag.name, 'keep'] });
      const foreignContact = await outsider.createContact({ tags: [tag.name] });
      const foreignCustomer = await outsider.createCustomer({ tags: [tag.name] });

      const res = await admin.call('DELETE', `/api/tags/${tag.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { success: true } });

      expect(await tagsOf(admin, 'contacts', contact.id)).toEqual(['keep']);
      expect(await tagsOf(admin, 'contacts', salesContact.id)).toEqual([]);
      expect(await tagsOf(admin, 'customers', customer.id)).toEqual(['keep']);
      expect(await tagsOf(outsider, 'contacts', foreignContact.id)).toEqual([tag.name]);
      expect(await tagsOf(outsider, 'customers', foreignCustomer.id)).toEqual([tag.name]);
      expect((await catalog(admin)).map((t) => t.id)).not.toContain(tag.id);
      expect((await catalog(outsider)).map((t) => t.name)).toContain(tag.name);
      expect(expectOk(await admin.call('GET', `/api/customers?tag=${encodeURIComponent(tag.name)}`))).toEqual(
        [],
      );

      const [event] = await app.events.waitFor(
        (e) => e.type === 'contacts.tag.deleted' && e.aggregateId === tag.id,
      );
      expect(event!.organizationId).toBe(admin.organizationId);
      expect(event!.data).toEqual({ id: tag.id, organizationId: admin.organizationId, name: tag.name });

      expectError(await admin.call('DELETE', `/api/tags/${tag.id}`), 404);
      expectError(await admin.call('PATCH', `/api/tags/${tag.id}`, { body: { color: '#000000' } }), 404);
    });

    it('lets the name come back: tagging a record with it again re-creates the entry', async () => {
      const tag = await createTag(admin, { name: `phoenix-${word()}`, color: '#aa0000' });
      expectOk(await admin.call('DELETE', `/api/tags/${tag.id}`));
      const contact = await admin.createContact({ tags: [tag.name] });
      expect(contact.tags).toEqual([tag.name]);
      const entry = (await catalog(admin)).find((t) => t.name === tag.name);
      expect(entry).toMatchObject({ color: DEFAULT_COLOR });
      expect(entry.id).not.toBe(tag.id);
    });
  });

  describe('catalog completeness under concurrency', () => {
    /** Tags that records of the organization carry but the catalog does not know. */
    async function missingFromCatalog(organizationId: string): Promise<string[]> {
      const { rows } = await app.db.query(
        `SELECT DISTINCT tag FROM (
           SELECT unnest(tags) AS tag FROM contacts WHERE organization_id = $1 AND deleted_at IS NULL
           UNION ALL
           SELECT unnest(tags) FROM customers WHERE organization_id = $1 AND deleted_at IS NULL
         ) carried
         WHERE NOT EXISTS (SELECT 1 FROM tags WHERE organization_id = $1 AND name = carried.tag)`,
        [organizationId],
      );
      return rows.map((row: Json) => row.tag);
    }

    it('keeps every carried tag in the catalog when records are tagged while the tag is deleted', async () => {
      const org = app.user('admin');
      for (let round = 0; round < 5; round++) {
        const tag = await createTag(org, { name: `contested-${word()}` });
        const contacts = await Promise.all(Array.from({ length: 10 }, () => org.createContact()));
        await Promise.all([
          ...contacts.map((contact) =>
            org.call('POST', `/api/contacts/${contact.id}/tags`, { body: { tag: tag.name } }),
          ),
          org.call('DELETE', `/api/tags/${tag.id}`),
        ]);
        expect(await missingFromCatalog(org.organizationId)).toEqual([]);
      }
    });

    it('keeps every carried tag in the catalog when records are tagged while the tag is renamed', async () => {
      const org = app.user('admin');
      for (let round = 0; round < 5; round++) {
        const tag = await createTag(org, { name: `moving-${word()}` });
        const contacts = await Promise.all(Array.from({ length: 10 }, () => org.createContact()));
        await Promise.all([
          ...contacts.map((contact) =>
            org.call('POST', `/api/contacts/${contact.id}/tags`, { body: { tag: tag.name } }),
          ),
          org.call('PATCH', `/api/tags/${tag.id}`, { body: { name: `${tag.name}-renamed` } }),
        ]);
        expect(await missingFromCatalog(org.organizationId)).toEqual([]);
      }
    });
  });

  describe('roles', () => {
    it('lets sales read and add to the catalog, but not rename, recolour or delete (403, nothing changed)', async () => {
      const tag = await createTag(sales, { name: `sales-made-${word()}`, color: '#abcdef' });
      const record = await sales.createContact({ tags: [tag.name] });
      expect((await catalog(sales)).map((t) => t.id)).toContain(tag.id);
      expectError(await sales.call('PUT', `/api/tags/${tag.id}`, { body: { color: '#000000' } }), 403);
      expectError(await sales.call('PATCH', `/api/tags/${tag.id}`, { body: { name: 'renamed' } }), 403);
      expectError(await sales.call('DELETE', `/api/tags/${tag.id}`), 403);
      expect((await catalog(admin)).find((t) => t.id === tag.id)).toEqual(tag);
      expect(await tagsOf(admin, 'contacts', record.id)).toEqual([tag.name]);
      expect(app.events.matching((e) => e.aggregateId === tag.id)).toHaveLength(0);
    });

    it('lets a manager rename and delete', async () => {
      const manager = admin.colleague('manager');
      const tag = await createTag(admin, { name: `managed-${word()}` });
      const renamed = `renamed-${word()}`;
      expect(
        expectOk(await manager.call('PATCH', `/api/tags/${tag.id}`, { body: { name: renamed } })).name,
      ).toBe(renamed);
      expectOk(await manager.call('DELETE', `/api/tags/${tag.id}`));
      expect((await catalog(admin)).map((t) => t.id)).not.toContain(tag.id);
    });
  });

  describe('tenancy', () => {
    it("answers 404 for another organization's tag and leaves it alone", async () => {
      const foreign = await createTag(outsider, { name: `foreign-${word()}`, color: '#111111' });
      const record = await outsider.createContact({ tags: [foreign.name] });
      expectError(await admin.call('PUT', `/api/tags/${foreign.id}`, { body: { color: '#222222' } }), 404);
      expectError(await admin.call('PATCH', `/api/tags/${foreign.id}`, { body: { name: 'stolen' } }), 404);
      expectError(await admin.call('DELETE', `/api/tags/${foreign.id}`), 404);
      expect((await catalog(admin)).map((t) => t.id)).not.toContain(foreign.id);
      expect((await catalog(outsider)).find((t) => t.id === foreign.id)).toEqual(foreign);
      expect(await tagsOf(outsider, 'contacts', record.id)).toEqual([foreign.name]);
    });

    it('answers 404 for an unknown or malformed tag id', async () => {
      expectError(
        await admin.call('PATCH', `/api/tags/${randomUUID()}`, { body: { color: '#000000' } }),
        404,
      );
      expectError(await admin.call('DELETE', `/api/tags/${randomUUID()}`), 404);
      expectError(await admin.call('DELETE', '/api/tags/nope'), 404);
    });
  });
});
