import { expectError, expectOk, type HttpAnswer, uniqueEmail } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

const now = () => new Date().toISOString();

/** Every route that names one contact, as [method, path, body] for the contact `id`. */
function contactRoutes(id: string, otherId: string): [string, string, unknown][] {
  return [
    ['GET', `/api/contacts/${id}`, undefined],
    ['PUT', `/api/contacts/${id}`, { name: 'Hijacked' }],
    ['PATCH', `/api/contacts/${id}`, { name: 'Hijacked' }],
    ['DELETE', `/api/contacts/${id}`, undefined],
    ['GET', `/api/contacts/${id}/communication`, undefined],
    ['POST', `/api/contacts/${id}/communication`, { type: 'note', occurredAt: now(), summary: 'Sneaky' }],
    ['POST', `/api/contacts/${id}/tags`, { tag: 'hijacked' }],
    ['DELETE', `/api/contacts/${id}/tags/original`, undefined],
    ['GET', `/api/contacts/${id}/ai-insights`, undefined],
    // As the target of a merge, with a source the caller can see.
    ['POST', `/api/contacts/${id}/merge`, { sourceId: otherId }],
  ];
}

/** Parses the export's CSV just enough to read its id column (no value here holds a comma or quote). */
function exportedIds(res: HttpAnswer): string[] {
  expect(res.status).toBe(200);
  const [header, ...lines] = res.text.trim().split(/\r?\n/);
  const column = header!.split(',').indexOf('id');
  return lines.map((line) => line.split(',')[column]!);
}

describe('contacts: tenancy and visibility', () => {
  const app = useContacts();
  const get = (caller: Caller, id: string) => caller.call('GET', `/api/contacts/${id}`);

  /** What a contact looks like to its organization's admin, communication and tags included. */
  async function state(admin: Caller, id: string) {
    const { updatedAt: _u, ...contact } = expectOk(await get(admin, id));
    const communication = expectOk(await admin.call('GET', `/api/contacts/${id}/communication`));
    return { contact, communication };
  }

  describe('another organization', () => {
    let adminA: Caller;
    let adminB: Caller;
    let contactA: Json;
    let contactB: Json;
    const marker = word();
    beforeAll(async () => {
      adminA = app.user('admin');
      adminB = app.user('admin');
      contactA = await adminA.createContact({
        name: `Secret ${marker}`,
        email: uniqueEmail(marker),
        company: `${marker} Corp`,
        tags: ['original'],
        churnRisk: 90,
      });
      expectOk(
        await adminA.call('POST', `/api/contacts/${contactA.id}/communication`, {
          body: { type: 'call', occurredAt: now(), summary: 'Private call' },
        }),
        201,
      );
      contactB = await adminB.createContact({ name: 'Visible to B' });
    });

    it('answers 404 on every route that names a contact of another organization, and changes nothing', async () => {
      const before = await state(adminA, contactA.id);
      for (const role of ['admin', 'manager', 'sales'] as const) {
        const caller = adminB.colleague(role);
        for (const [method, path, body] of contactRoutes(contactA.id, contactB.id))
          expectError(await caller.call(method, path, { body }), 404);
      }
      expect(await state(adminA, contactA.id)).toEqual(before);
      expect(expectOk(await get(adminB, contactB.id)).name).toBe('Visible to B');
    });

    it('refuses another organization contact as a merge source exactly like an unknown id', async () => {
      const before = await state(adminA, contactA.id);
      const unknown = await adminB.call('POST', `/api/contacts/${contactB.id}/merge`, {
        body: { sourceId: randomUUID() },
      });
      const foreign = await adminB.call('POST', `/api/contacts/${contactB.id}/merge`, {
        body: { sourceId: contactA.id },
      });
      expect([404, 422]).toContain(foreign.status);
      expect(expectError(foreign, foreign.status)).toEqual(expectError(unknown, unknown.status));
      expect(await state(adminA, contactA.id)).toEqual(before);
      expect(expectOk(await get(adminB, contactB.id)).tags).toEqual([]);
    });

    it('never shows it in lists, searches, exports or stats', async () => {
      for (const query of [
        '',
        `search=${marker}`,
        'filter=at-risk',
        'tag=original',
        `ownerId=${adminA.userId}`,
      ]) {
        const listed = expectOk(await adminB.call('GET', `/api/contacts?limit=100&${query}`));
        expect(listed.map((contact: Json) => contact.id)).not.toContain(contactA.id);
        const exported = exportedIds(await adminB.call('GET', `/api/contacts/export?${query}`));
        expect(exported).not.toContain(contactA.id);
      }
      expect(expectOk(await adminB.call('GET', `/api/contacts?search=${marker}`))).toEqual([]);
      expect(exportedIds(await adminB.call('GET', '/api/contacts/export'))).toEqual([contactB.id]);
      expect(expectOk(await adminB.call('GET', '/api/contacts/stats'))).toEqual({
        total: 1,
        highValue: 0,
        atRisk: 0,
        needsFollowUp: 0,
      });
      // The organization's own admin does see it.
      expect(expectOk(await adminA.call('GET', `/api/contacts?search=${marker}`))).toHaveLength(1);
    });

    it('ignores an organizationId in the query or the body', async () => {
      const listed = expectOk(
        await adminB.call('GET', `/api/contacts?organizationId=${adminA.organizationId}&limit=100`),
      );
      expect(listed.map((contact: Json) => contact.id)).toEqual([contactB.id]);
      const created = await adminB.createContact({ organizationId: adminA.organizationId });
      expect(created.organizationId).toBe(adminB.organizationId);
      expectError(await get(adminA, created.id), 404);
      expectOk(await adminB.call('DELETE', `/api/contacts/${created.id}`));
    });
  });

  describe('sales users see and change only their own contacts', () => {
    let admin: Caller;
    let manager: Caller;
    let sales1: Caller;
    let sales2: Caller;
    const c: Record<string, Json> = {};
    const marker = word();
    beforeAll(async () => {
      admin = app.user('admin');
      manager = admin.colleague('manager');
      sales1 = admin.colleague('sales');
      sales2 = admin.colleague('sales');
      c.own = await sales1.createContact({ name: `Own ${marker}`, churnRisk: 80, tags: ['shared-tag'] });
      c.assigned = await manager.createContact({ name: `Assigned ${marker}`, ownerId: sales1.userId });
      c.colleague = await sales2.createContact({
        name: `Colleague ${marker}`,
        churnRisk: 90,
        tags: ['shared-tag', 'original'],
      });
      c.admins = await admin.createContact({ name: `Admins ${marker}`, churnRisk: 95 });
    });

    const visible = async (caller: Caller, query = '') =>
      expectOk(await caller.call('GET', `/api/contacts?limit=100&${query}`))
        .map((contact: Json) => contact.id)
        .sort();
    const keys = (...names: string[]) => names.map((name) => c[name].id).sort();

    it('lists, searches, filters and exports only its own', async () => {
      expect(await visible(sales1)).toEqual(keys('own', 'assigned'));
      expect(await visible(sales1, `search=${marker}`)).toEqual(keys('own', 'assigned'));
      expect(await visible(sales1, 'search=Colleague')).toEqual([]);
      expect(await visible(sales1, 'filter=at-risk')).toEqual(keys('own'));
      expect(await visible(sales1, 'tag=shared-tag')).toEqual(keys('own'));
      expect(await visible(sales1, `ownerId=${sales2.userId}`)).toEqual([]);
      expect(exportedIds(await sales1.call('GET', '/api/contacts/export')).sort()).toEqual(
        keys('own', 'assigned'),
      );
      expect(exportedIds(await sales1.call('GET', `/api/contacts/export?ownerId=${sales2.userId}`))).toEqual(
        [],
      );
      expect(await visible(sales2)).toEqual(keys('colleague'));
    });

    it('counts only its own in the stats', async () => {
      expect(expectOk(await sales1.call('GET', '/api/contacts/stats'))).toEqual({
        total: 2,
        highValue: 0,
        atRisk: 1,
        needsFollowUp: 0,
      });
    });

    it("answers 404 on every route that names a colleague's contact, and changes nothing", async () => {
      const before = await state(admin, c.colleague.id);
      for (const [method, path, body] of contactRoutes(c.colleague.id, c.own.id))
        expectError(await sales1.call(method, path, { body }), 404);
      // As the source of a merge into its own contact: refused like an unknown id.
      const unknown = await sales1.call('POST', `/api/contacts/${c.own.id}/merge`, {
        body: { sourceId: randomUUID() },
      });
      const hidden = await sales1.call('POST', `/api/contacts/${c.own.id}/merge`, {
        body: { sourceId: c.colleague.id },
      });
      expect(expectError(hidden, hidden.status)).toEqual(expectError(unknown, unknown.status));
      expect(await state(admin, c.colleague.id)).toEqual(before);
      expectOk(await get(sales1, c.own.id));
      expectOk(await get(sales1, c.assigned.id));
    });

    it('cannot give its contact away or take one over', async () => {
      const updated = expectOk(
        await sales1.call('PATCH', `/api/contacts/${c.own.id}`, { body: { ownerId: sales2.userId } }),
      );
      expect(updated.ownerId).toBe(sales1.userId);
      expectError(await sales2.call('GET', `/api/contacts/${c.own.id}`), 404);
    });

    it.each(['admin', 'manager'] as const)(
      '%s sees, exports, counts and changes every contact',
      async (role) => {
        const caller = role === 'admin' ? admin : manager;
        expect(await visible(caller)).toEqual(keys('own', 'assigned', 'colleague', 'admins'));
        expect(await visible(caller, `ownerId=${sales1.userId}`)).toEqual(keys('own', 'assigned'));
        expect(exportedIds(await caller.call('GET', '/api/contacts/export')).sort()).toEqual(
          keys('own', 'assigned', 'colleague', 'admins'),
        );
        expect(expectOk(await caller.call('GET', '/api/contacts/stats'))).toMatchObject({
          total: 4,
          atRisk: 3,
        });
        for (const contact of Object.values(c)) {
          expectOk(await get(caller, contact.id));
          expectOk(await caller.call('GET', `/api/contacts/${contact.id}/ai-insights`));
        }
        const updated = expectOk(
          await caller.call('PATCH', `/api/contacts/${c.colleague.id}`, {
            body: { title: `Set by ${role}` },
          }),
        );
        expect(updated).toMatchObject({ title: `Set by ${role}`, ownerId: sales2.userId });
        expectOk(
          await caller.call('POST', `/api/contacts/${c.colleague.id}/communication`, {
            body: { type: 'note', occurredAt: now(), summary: `Note by ${role}` },
          }),
          201,
        );
      },
    );

    it('a manager reassigns a contact, and it moves between the sales users', async () => {
      const moving = await sales2.createContact({ name: `Moving ${marker}` });
      expectOk(
        await manager.call('PATCH', `/api/contacts/${moving.id}`, { body: { ownerId: sales1.userId } }),
      );
      expectOk(await get(sales1, moving.id));
      expectError(await get(sales2, moving.id), 404);
      expectOk(
        await manager.call('PATCH', `/api/contacts/${moving.id}`, { body: { ownerId: sales2.userId } }),
      );
      expectError(await get(sales1, moving.id), 404);
      expectOk(await admin.call('DELETE', `/api/contacts/${moving.id}`));
    });
  });
});
