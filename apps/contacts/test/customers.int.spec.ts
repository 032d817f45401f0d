import { expectError, expectOk, fieldsOf } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

// Customers (accounts): CRUD, validation, list filters and sorts, the hierarchy, deletion and its
// effect on contacts, tenancy and sales visibility, the events, and saved segments.
describe('customers', () => {
  const app = useContacts();
  let admin: Caller;
  let manager: Caller;
  let sales: Caller;
  let otherSales: Caller;
  let outsider: Caller;

  beforeAll(() => {
    admin = app.user('admin');
    manager = admin.colleague('manager');
    sales = admin.colleague('sales');
    otherSales = admin.colleague('sales');
    outsider = app.user('admin');
  });

  const ids = (list: Json[]): string[] => list.map((item) => item.id);

  function fullCustomer(overrides: Record<string, unknown> = {}) {
    return {
      name: `Globex ${word()}`,
      legalName: 'Globex Corporation Ltd.',
      industry: 'Manufacturing',
      website: 'https://globex.example.com',
      phone: '+1 555 0199',
      email: 'accounts@globex.example.com',
      type: 'customer',
      status: 'active',
      tier: 'gold',
      size: '201-1000',
      annualRevenue: 1234567.89,
      employeeCount: 450,
      healthScore: 73,
      billingAddress: {
        street: '1 Main St',
        city: 'Springfield',
        state: 'OR',
        postalCode: '97477',
        country: 'US',
      },
      shippingAddress: { street: '9 Dock Rd', city: 'Portland', country: 'US' },
      description: 'Makes everything.',
      tags: ['enterprise', 'priority'],
      ...overrides,
    };
  }

  describe('CRUD', () => {
    it('creates a customer with every field and serves it back', async () => {
      const body = fullCustomer();
      const res = await admin.call('POST', '/api/customers', { body });
      const created = expectOk(res, 201);
      expect(created).toMatchObject({
        ...body,
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        parentId: null,
      });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(created.createdAt)).not.toBeNaN();
      expect(Date.parse(created.updatedAt)).not.toBeNaN();
      expect(res.text).toContain('"annualRevenue":1234567.89');

      const got = expectOk(await admin.call('GET', `/api/customers/${created.id}`));
      expect(got).toEqual(created);
    });

    it('fills the defaults of a customer created with a name only', async () => {
      const created = await admin.createCustomer({ name: '  Initech  ' });
      expect(created).toMatchObject({
        name: 'Initech',
        type: 'prospect',
        status: 'active',
        tier: null,
        size: null,
        industry: null,
        annualRevenue: null,
        employeeCount: null,
        healthScore: null,
        billingAddress: null,
        shippingAddress: null,
        parentId: null,
        tags: [],
      });
    });

    it('updates partially with PUT and PATCH, and clears nullable fields with null', async () => {
      const created = await admin.createCustomer(fullCustomer());
      const put = expectOk(
        await admin.call('PUT', `/api/customers/${created.id}`, {
          body: { tier: 'platinum', annualRevenue: 99.99 },
        }),
      );
      expect(put).toMatchObject({
        tier: 'platinum',
        annualRevenue: 99.99,
        name: created.name,
        industry: 'Manufacturing',
        tags: ['enterprise', 'priority'],
        billingAddress: created.billingAddress,
      });
      const patched = expectOk(
        await admin.call('PATCH', `/api/customers/${created.id}`, {
          body: { industry: null, website: null, healthScore: 0, status: 'churned', tags: [] },
        }),
      );
      expect(patched).toMatchObject({
        industry: null,
        website: null,
        healthScore: 0,
        status: 'churned',
        tags: [],
        tier: 'platinum',
      });
      expect(Date.parse(patched.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      expect(expectOk(await admin.call('GET', `/api/customers/${created.id}`))).toEqual(patched);
    });

    it('ignores read-only fields in a body', async () => {
      const forgedId = randomUUID();
      const created = await admin.createCustomer({
        id: forgedId,
        organizationId: outsider.organizationId,
        createdAt: '2000-01-01T00:00:00.000Z',
        version: 99,
      });
      expect(created.id).not.toBe(forgedId);
      expect(created.organizationId).toBe(admin.organizationId);
      expect(created.createdAt).not.toBe('2000-01-01T00:00:00.000Z');
      expectError(await admin.call('GET', `/api/customers/${forgedId}`), 404);
    });

    it.each([
      ['type', { type: 'reseller' }],
      ['status', { status: 'dormant' }],
      ['tier', { tier: 'diamond' }],
      ['size', { size: 'huge' }],
      ['website', { website: 'not a url' }],
      ['website', { website: 'ftp://files.example.com' }],
      ['email', { email: 'nope' }],
      ['annualRevenue', { annualRevenue: -0.01 }],
      ['annualRevenue', { annualRevenue: 10.005 }],
      ['annualRevenue', { annualRevenue: '1000' }],
      ['employeeCount', { employeeCount: -1 }],
      ['employeeCount', { employeeCount: 2.5 }],
      ['healthScore', { healthScore: 101 }],
      ['healthScore', { healthScore: -1 }],
      ['parentId', { parentId: 'not-a-uuid' }],
      ['tags', { tags: 'vip' }],
      ['name', { name: '   ' }],
      ['name', { name: 'x'.repeat(201) }],
    ])('refuses an invalid %s with 422 naming it', async (field, patch) => {
      const error = expectError(
        await admin.call('POST', '/api/customers', { body: { name: `Bad ${word()}`, ...patch } }),
        422,
      );
      expect(fieldsOf(error)).toContain(field);
    });

    it('refuses a customer without a name', async () => {
      const error = expectError(
        await admin.call('POST', '/api/customers', { body: { industry: 'Retail' } }),
        422,
      );
      expect(fieldsOf(error)).toEqual(['name']);
    });

    it('refuses an invalid update with 422 and changes nothing', async () => {
      const created = await admin.createCustomer(fullCustomer());
      for (const body of [{ tier: 'diamond' }, { healthScore: 101 }, { name: null }, { type: null }]) {
        expectError(await admin.call('PATCH', `/api/customers/${created.id}`, { body }), 422);
      }
      expect(expectOk(await admin.call('GET', `/api/customers/${created.id}`))).toEqual(created);
    });

    it('answers 404 for an unknown or a malformed id', async () => {
      expectError(await admin.call('GET', `/api/customers/${randomUUID()}`), 404);
      expectError(
        await admin.call('PATCH', `/api/customers/${randomUUID()}`, { body: { tier: 'gold' } }),
        404,
      );
      expectError(await admin.call('DELETE', `/api/customers/${randomUUID()}`), 404);
      expectError(await admin.call('GET', '/api/customers/not-a-uuid'), 404);
    });
  });

  describe('list', () => {
    let lister: Caller;
    let listerSales: Caller;
    const c: Record<string, Json> = {};

    beforeAll(async () => {
      lister = app.user('admin');
      listerSales = lister.colleague('sales');
      c.rockets = await lister.createCustomer({
        name: 'Acme Rockets',
        industry: 'Aerospace',
        type: 'customer',
        tier: 'gold',
        annualRevenue: 5_000_000.5,
        healthScore: 80,
        tags: ['vip'],
      });
      c.foods = await lister.createCustomer({
        name: 'acme Foods',
        industry: 'FOOD',
        type: 'prospect',
        status: 'inactive',
        tier: 'silver',
        annualRevenue: 100,
        healthScore: 20,
        tags: ['Newsletter'],
        ownerId: listerSales.userId,
      });
      c.beta = await lister.createCustomer({
        name: 'Beta Partners',
        industry: 'aerospace',
        type: 'partner',
        status: 'churned',
        tags: ['VIP', 'newsletter'],
        parentId: c.rockets.id,
        ownerId: listerSales.userId,
      });
      c.zeta = await lister.createCustomer({
        name: 'Zeta Vendors 100%',
        type: 'vendor',
        tier: 'platinum',
        annualRevenue: 20_000_000,
        healthScore: 95,
        parentId: c.rockets.id,
      });
      c.gamma = await lister.createCustomer({
        name: 'Gamma_Corp',
        type: 'customer',
        tier: 'bronze',
        annualRevenue: 250_000.25,
        healthScore: 50,
      });
    });

    const list = async (query: string, caller = lister): Promise<Json[]> =>
      expectOk(await caller.call('GET', `/api/customers${query}`));

    it('lists the newest first by default, with pagination meta', async () => {
      const res = await lister.call('GET', '/api/customers');
      expect(ids(expectOk(res))).toEqual([c.gamma.id, c.zeta.id, c.beta.id, c.foods.id, c.rockets.id]);
      expect(res.body.meta).toEqual({ total: 5, page: 1, limit: 25, totalPages: 1 });
    });

    it.each([
      ['?search=acme', ['foods', 'rockets']],
      ['?search=ACME%20r', ['rockets']],
      ['?search=100%25', ['zeta']],
      ['?search=_', ['gamma']],
      ['?type=customer', ['gamma', 'rockets']],
      ['?status=inactive', ['foods']],
      ['?status=churned', ['beta']],
      ['?status=active', ['gamma', 'zeta', 'rockets']],
      ['?tier=gold', ['rockets']],
      ['?industry=AEROSPACE', ['beta', 'rockets']],
      ['?industry=aero', []],
      ['?tag=VIP', ['beta', 'rockets']],
      ['?tag=newsletter', ['beta', 'foods']],
      ['?tag=unknown', []],
      ['?type=partner&industry=Aerospace', ['beta']],
    ])('filters %s', async (query, expected) => {
      expect(ids(await list(query))).toEqual(expected.map((key) => c[key].id));
    });

    it('filters by parentId and by ownerId', async () => {
      expect(ids(await list(`?parentId=${c.rockets.id}`))).toEqual([c.zeta.id, c.beta.id]);
      expect(ids(await list(`?ownerId=${listerSales.userId}`))).toEqual([c.beta.id, c.foods.id]);
      expect(await list(`?parentId=${randomUUID()}`)).toEqual([]);
    });

    it('keeps the catalog spelling of tags given in any case', async () => {
      const beta = expectOk(await lister.call('GET', `/api/customers/${c.beta.id}`));
      expect(beta.tags).toEqual(['vip', 'Newsletter']);
    });

    it.each([
      ['name', ['foods', 'rockets', 'beta', 'gamma', 'zeta']],
      ['-name', ['zeta', 'gamma', 'beta', 'rockets', 'foods']],
      ['createdAt', ['rockets', 'foods', 'beta', 'zeta', 'gamma']],
      ['annualRevenue', ['beta', 'foods', 'gamma', 'rockets', 'zeta']],
      ['-annualRevenue', ['zeta', 'rockets', 'gamma', 'foods', 'beta']],
      ['healthScore', ['beta', 'foods', 'gamma', 'rockets', 'zeta']],
      ['-healthScore', ['zeta', 'rockets', 'gamma', 'foods', 'beta']],
    ])('sorts by %s', async (sort, expected) => {
      expect(ids(await list(`?sort=${sort}`))).toEqual(expected.map((key) => c[key].id));
    });

    it('sorts by updatedAt', async () => {
      expectOk(
        await lister.call('PATCH', `/api/customers/${c.foods.id}`, { body: { description: 'touched' } }),
      );
      expect(ids(await list('?sort=-updatedAt'))[0]).toBe(c.foods.id);
      expect(ids(await list('?sort=updatedAt'))[4]).toBe(c.foods.id);
    });

    it('pages through the list', async () => {
      const first = await lister.call('GET', '/api/customers?sort=name&limit=2');
      expect(ids(expectOk(first))).toEqual([c.foods.id, c.rockets.id]);
      expect(first.body.meta).toEqual({ total: 5, page: 1, limit: 2, totalPages: 3 });
      const last = await lister.call('GET', '/api/customers?sort=name&limit=2&page=3');
      expect(ids(expectOk(last))).toEqual([c.zeta.id]);
      expect(last.body.meta).toEqual({ total: 5, page: 3, limit: 2, totalPages: 3 });
      const beyond = await lister.call('GET', '/api/customers?limit=2&page=4');
      expect(expectOk(beyond)).toEqual([]);
      expect(beyond.body.meta.total).toBe(5);
      const clamped = await lister.call('GET', '/api/customers?limit=1000');
      expect(clamped.body.meta.limit).toBe(100);
      const filtered = await lister.call('GET', '/api/customers?type=customer&limit=1');
      expect(filtered.body.meta).toEqual({ total: 2, page: 1, limit: 1, totalPages: 2 });
    });

    it.each([
      'page=0',
      'limit=0',
      'limit=abc',
      'sort=bogus',
      'type=reseller',
      'tier=diamond',
      'parentId=xyz',
    ])('refuses ?%s with 422', async (query) => {
      expectError(await lister.call('GET', `/api/customers?${query}`), 422);
    });

    it('shows a sales user only the customers it owns', async () => {
      const res = await listerSales.call('GET', '/api/customers');
      expect(ids(expectOk(res))).toEqual([c.beta.id, c.foods.id]);
      expect(res.body.meta.total).toBe(2);
      expect(ids(await list('?tier=gold', listerSales))).toEqual([]);
    });

    it("never lists another organization's customers", async () => {
      expect(ids(await list('?search=acme', outsider))).toEqual([]);
      expect(ids(await list(`?parentId=${c.rockets.id}`, outsider))).toEqual([]);
    });
  });

  describe('hierarchy', () => {
    let root: Json;
    let alpha: Json;
    let bravo: Json;
    let grandchild: Json;
    let greatGrandchild: Json;

    beforeAll(async () => {
      root = await admin.createCustomer({ name: `Root ${word()}` });
      bravo = await admin.createCustomer({ name: 'Bravo division', parentId: root.id });
      alpha = await admin.createCustomer({ name: 'alpha division', parentId: root.id });
      grandchild = await admin.createCustomer({ name: 'Alpha plant', parentId: alpha.id, tier: 'gold' });
      greatGrandchild = await admin.createCustomer({ name: 'Alpha line', parentId: grandchild.id });
    });

    const summary = (customer: Json) => ({
      id: customer.id,
      name: customer.name,
      type: customer.type,
      industry: customer.industry,
      tier: customer.tier,
      parentId: customer.parentId,
    });

    it('shows the children as a nested tree, grandchildren included, each level by name', async () => {
      const tree = expectOk(await admin.call('GET', `/api/customers/${root.id}/hierarchy`));
      expect(tree.ancestors).toEqual([]);
      expect(tree.customer).toMatchObject(summary(root));
      expect(tree.children).toEqual([
        {
          ...summary(alpha),
          children: [{ ...summary(grandchild), children: [{ ...summary(greatGrandchild), children: [] }] }],
        },
        { ...summary(bravo), children: [] },
      ]);
    });

    it('lists the ancestors root first', async () => {
      const tree = expectOk(await admin.call('GET', `/api/customers/${greatGrandchild.id}/hierarchy`));
      expect(tree.ancestors.map((a: Json) => a.id)).toEqual([root.id, alpha.id, grandchild.id]);
      expect(tree.ancestors[0]).toMatchObject(summary(root));
      expect(tree.customer.id).toBe(greatGrandchild.id);
      expect(tree.children).toEqual([]);

      const middle = expectOk(await admin.call('GET', `/api/customers/${alpha.id}/hierarchy`));
      expect(middle.ancestors.map((a: Json) => a.id)).toEqual([root.id]);
      expect(middle.children.map((n: Json) => n.id)).toEqual([grandchild.id]);
      expect(middle.children[0].children.map((n: Json) => n.id)).toEqual([greatGrandchild.id]);
    });

    it.each([
      ['itself', () => root.id, () => root],
      ['its child', () => alpha.id, () => root],
      ['its grandchild', () => grandchild.id, () => root],
      ['its great-grandchild', () => greatGrandchild.id, () => alpha],
    ])(
      'refuses a parent that would make a cycle (%s) with 422, changing nothing',
      async (_, parent, target) => {
        const customer = target();
        const before = expectOk(await admin.call('GET', `/api/customers/${customer.id}`));
        const error = expectError(
          await admin.call('PATCH', `/api/customers/${customer.id}`, {
            body: { parentId: parent(), tier: 'gold' },
          }),
          422,
        );
        expect(fieldsOf(error)).toEqual(['parentId']);
        expect(expectOk(await admin.call('GET', `/api/customers/${customer.id}`))).toEqual(before);
      },
    );

    it('refuses a parent of another organization, a deleted one or an unknown one', async () => {
      const foreign = await outsider.createCustomer();
      const gone = await admin.createCustomer();
      expectOk(await admin.call('DELETE', `/api/customers/${gone.id}`));
      for (const parentId of [foreign.id, gone.id, randomUUID()]) {
        const created = await admin.call('POST', '/api/customers', { body: { name: 'Orphan', parentId } });
        expect(fieldsOf(expectError(created, 422))).toEqual(['parentId']);
        const updated = await admin.call('PATCH', `/api/customers/${bravo.id}`, { body: { parentId } });
        expect(fieldsOf(expectError(updated, 422))).toEqual(['parentId']);
      }
      expect(expectOk(await admin.call('GET', `/api/customers/${bravo.id}`)).parentId).toBe(root.id);
    });

    it('moves a subtree to another parent, and detaches it with parentId null', async () => {
      const newRoot = await admin.createCustomer({ name: `New root ${word()}` });
      const moved = expectOk(
        await admin.call('PATCH', `/api/customers/${bravo.id}`, { body: { parentId: newRoot.id } }),
      );
      expect(moved.parentId).toBe(newRoot.id);
      const tree = expectOk(await admin.call('GET', `/api/customers/${root.id}/hierarchy`));
      expect(tree.children.map((n: Json) => n.id)).toEqual([alpha.id]);
      const detached = expectOk(
        await admin.call('PATCH', `/api/customers/${bravo.id}`, { body: { parentId: null } }),
      );
      expect(detached.parentId).toBeNull();
      const own = expectOk(await admin.call('GET', `/api/customers/${bravo.id}/hierarchy`));
      expect(own.ancestors).toEqual([]);
      // Back where it was, for the other tests.
      expectOk(await admin.call('PATCH', `/api/customers/${bravo.id}`, { body: { parentId: root.id } }));
    });

    it('lets two valid moves through when they run together (A under B while B goes under C)', async () => {
      for (let round = 0; round < 3; round++) {
        const [a, b, c] = [
          await admin.createCustomer(),
          await admin.createCustomer(),
          await admin.createCustomer(),
        ];
        const [ab, bc] = await Promise.all([
          admin.call('PATCH', `/api/customers/${a.id}`, { body: { parentId: b.id } }),
          admin.call('PATCH', `/api/customers/${b.id}`, { body: { parentId: c.id } }),
        ]);
        expect([ab.status, bc.status]).toEqual([200, 200]);
      }
    });

    it('refuses the second of two opposite moves as a cycle, whatever their timing', async () => {
      const a = await admin.createCustomer();
      const b = await admin.createCustomer();
      const [ab, ba] = await Promise.all([
        admin.call('PATCH', `/api/customers/${a.id}`, { body: { parentId: b.id } }),
        admin.call('PATCH', `/api/customers/${b.id}`, { body: { parentId: a.id } }),
      ]);
      const parents = await app.db.query('SELECT parent_id FROM customers WHERE id = ANY($1::uuid[])', [
        [a.id, b.id],
      ]);
      expect(parents.rows.filter((row: Json) => row.parent_id !== null)).toHaveLength(1);
      expect([ab.status, ba.status].sort()).toEqual([200, 422]);
    });

    it("answers 404 for another organization's hierarchy", async () => {
      expectError(await outsider.call('GET', `/api/customers/${root.id}/hierarchy`), 404);
    });
  });

  describe('delete', () => {
    it('soft-deletes: 200 {success: true}, then 404 everywhere and gone from lists', async () => {
      const customer = await admin.createCustomer();
      const res = await admin.call('DELETE', `/api/customers/${customer.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { success: true } });
      expectError(await admin.call('GET', `/api/customers/${customer.id}`), 404);
      expectError(
        await admin.call('PATCH', `/api/customers/${customer.id}`, { body: { tier: 'gold' } }),
        404,
      );
      expectError(await admin.call('DELETE', `/api/customers/${customer.id}`), 404);
      expectError(await admin.call('GET', `/api/customers/${customer.id}/contacts`), 404);
      expectError(await admin.call('GET', `/api/customers/${customer.id}/hierarchy`), 404);
      const found = expectOk(
        await admin.call('GET', `/api/customers?search=${encodeURIComponent(customer.name)}`),
      );
      expect(found).toEqual([]);
      const row = await app.db.query('SELECT deleted_at FROM customers WHERE id = $1', [customer.id]);
      expect(row.rows[0].deleted_at).toBeInstanceOf(Date);
    });

    it('refuses to delete a customer with live children (409), until they are gone', async () => {
      const parent = await admin.createCustomer();
      const child = await admin.createCustomer({ parentId: parent.id });
      expectError(await admin.call('DELETE', `/api/customers/${parent.id}`), 409);
      expectOk(await admin.call('GET', `/api/customers/${parent.id}`));
      expectOk(await admin.call('DELETE', `/api/customers/${child.id}`));
      expectOk(await admin.call('DELETE', `/api/customers/${parent.id}`));
    });

    it('never leaves a live child under a deleted parent when a child is added during the delete', async () => {
      for (let round = 0; round < 3; round++) {
        const parent = await admin.createCustomer();
        const results = await Promise.all([
          admin.call('DELETE', `/api/customers/${parent.id}`),
          ...Array.from({ length: 4 }, () =>
            admin.call('POST', '/api/customers', { body: { name: `Child ${word()}`, parentId: parent.id } }),
          ),
        ]);
        const orphans = await app.db.query(
          `SELECT child.id FROM customers child JOIN customers parent ON parent.id = child.parent_id
           WHERE parent.id = $1 AND parent.deleted_at IS NOT NULL AND child.deleted_at IS NULL`,
          [parent.id],
        );
        expect({ statuses: results.map((r) => r.status), orphans: orphans.rows }).toMatchObject({
          orphans: [],
        });
      }
    });

    it('unlinks its contacts and publishes their update', async () => {
      const customer = await admin.createCustomer();
      const first = await admin.createContact({ customerId: customer.id });
      const second = await sales.createContact({ customerId: customer.id });
      const unrelated = await admin.createContact();
      expectOk(await admin.call('DELETE', `/api/customers/${customer.id}`));

      for (const contact of [first, second]) {
        const got = expectOk(await admin.call('GET', `/api/contacts/${contact.id}`));
        expect(got.customerId).toBeNull();
        expect(got.customer).toBeNull();
        const [updated] = await app.events.waitFor(
          (e) => e.type === 'contacts.contact.updated' && e.aggregateId === contact.id,
        );
        expect(updated!.data).toMatchObject({ id: contact.id, customerId: null });
      }
      expect(
        app.events.matching((e) => e.aggregateId === unrelated.id && e.type === 'contacts.contact.updated'),
      ).toEqual([]);
    });
  });

  describe('contacts of a customer', () => {
    it('lists its live contacts only, by name', async () => {
      const customer = await admin.createCustomer();
      const otherCustomer = await admin.createCustomer();
      const zed = await admin.createContact({ name: 'Zed Linked', customerId: customer.id });
      const amy = await admin.createContact({ name: 'Amy Linked', customerId: customer.id });
      const deleted = await admin.createContact({ name: 'Deleted Linked', customerId: customer.id });
      await admin.createContact({ name: 'Elsewhere', customerId: otherCustomer.id });
      await admin.createContact({ name: 'Nowhere' });
      expectOk(await admin.call('DELETE', `/api/contacts/${deleted.id}`));

      const res = await admin.call('GET', `/api/customers/${customer.id}/contacts`);
      expect(ids(expectOk(res))).toEqual([amy.id, zed.id]);
      expect(res.body.meta).toEqual({ total: 2, page: 1, limit: 25, totalPages: 1 });
      const paged = await admin.call('GET', `/api/customers/${customer.id}/contacts?limit=1&page=2`);
      expect(ids(expectOk(paged))).toEqual([zed.id]);
      expect(expectOk(paged)[0]).toMatchObject({ name: 'Zed Linked', customerId: customer.id });
    });

    it('shows a sales user only the contacts it owns', async () => {
      const customer = await sales.createCustomer();
      const mine = await sales.createContact({ customerId: customer.id });
      await admin.createContact({ customerId: customer.id });
      await otherSales.createContact({ customerId: customer.id });

      expect(ids(expectOk(await sales.call('GET', `/api/customers/${customer.id}/contacts`)))).toHaveLength(
        1,
      );
      expect(ids(expectOk(await sales.call('GET', `/api/customers/${customer.id}/contacts`)))).toEqual([
        mine.id,
      ]);
      expect(ids(expectOk(await manager.call('GET', `/api/customers/${customer.id}/contacts`)))).toHaveLength(
        3,
      );
    });
  });

  describe('tenancy and visibility', () => {
    it("answers 404 for another organization's customer on every route", async () => {
      const foreign = await outsider.createCustomer({ tier: 'gold' });
      for (const [method, path] of [
        ['GET', `/api/customers/${foreign.id}`],
        ['PUT', `/api/customers/${foreign.id}`],
        ['PATCH', `/api/customers/${foreign.id}`],
        ['DELETE', `/api/customers/${foreign.id}`],
        ['GET', `/api/customers/${foreign.id}/contacts`],
        ['GET', `/api/customers/${foreign.id}/hierarchy`],
      ] as const) {
        const body = method === 'PUT' || method === 'PATCH' ? { tier: 'bronze' } : undefined;
        expectError(await admin.call(method, path, { body }), 404);
      }
      expect(expectOk(await outsider.call('GET', `/api/customers/${foreign.id}`)).tier).toBe('gold');
      expect(
        ids(expectOk(await admin.call('GET', `/api/customers?search=${encodeURIComponent(foreign.name)}`))),
      ).toEqual([]);
    });

    it('refuses to link a contact to a customer of another organization', async () => {
      const foreign = await outsider.createCustomer();
      const res = await admin.call('POST', '/api/contacts', {
        body: { name: 'Cross', customerId: foreign.id },
      });
      expect(fieldsOf(expectError(res, 422))).toEqual(['customerId']);
    });

    it('lets a sales user see and change only the customers it owns', async () => {
      const own = await sales.createCustomer();
      const others = await admin.createCustomer();
      expect(own.ownerId).toBe(sales.userId);
      expectOk(await sales.call('GET', `/api/customers/${own.id}`));
      expectOk(await sales.call('PATCH', `/api/customers/${own.id}`, { body: { tier: 'silver' } }));
      expectError(await sales.call('GET', `/api/customers/${others.id}`), 404);
      expectError(
        await sales.call('PATCH', `/api/customers/${others.id}`, { body: { tier: 'silver' } }),
        404,
      );
      expectError(await sales.call('DELETE', `/api/customers/${others.id}`), 404);
      expectError(await otherSales.call('GET', `/api/customers/${own.id}`), 404);
      expectOk(await manager.call('GET', `/api/customers/${own.id}`));
      expectOk(await manager.call('PATCH', `/api/customers/${own.id}`, { body: { tier: 'gold' } }));
    });

    it('keeps a sales user as the owner whatever ownerId it sends; admin and manager may assign', async () => {
      const forged = await sales.createCustomer({ ownerId: otherSales.userId });
      expect(forged.ownerId).toBe(sales.userId);
      const moved = expectOk(
        await sales.call('PATCH', `/api/customers/${forged.id}`, { body: { ownerId: otherSales.userId } }),
      );
      expect(moved.ownerId).toBe(sales.userId);

      const assigned = await admin.createCustomer({ ownerId: sales.userId });
      expect(assigned.ownerId).toBe(sales.userId);
      expectOk(await sales.call('GET', `/api/customers/${assigned.id}`));
      const reassigned = expectOk(
        await manager.call('PATCH', `/api/customers/${assigned.id}`, {
          body: { ownerId: otherSales.userId },
        }),
      );
      expect(reassigned.ownerId).toBe(otherSales.userId);
      expectError(await sales.call('GET', `/api/customers/${assigned.id}`), 404);
      expectOk(await otherSales.call('GET', `/api/customers/${assigned.id}`));
    });

    it("lets a sales user put its account under an account it doesn't own", async () => {
      const parent = await admin.createCustomer();
      const own = await sales.createCustomer({ parentId: parent.id });
      expect(own.parentId).toBe(parent.id);
    });
  });

  describe('events', () => {
    it('publishes created, updated and deleted with the snapshot', async () => {
      const parent = await admin.createCustomer();
      const customer = await admin.createCustomer({
        industry: 'Retail',
        type: 'partner',
        parentId: parent.id,
      });
      const snapshot = {
        id: customer.id,
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        name: customer.name,
        type: 'partner',
        industry: 'Retail',
        parentId: parent.id,
      };
      const [created] = await app.events.waitFor(
        (e) => e.type === 'contacts.customer.created' && e.aggregateId === customer.id,
      );
      expect(created!).toMatchObject({
        source: 'contacts',
        organizationId: admin.organizationId,
        actorId: admin.userId,
        data: snapshot,
      });

      expectOk(
        await manager.call('PATCH', `/api/customers/${customer.id}`, {
          body: { name: 'Renamed Co', industry: null, ownerId: sales.userId },
        }),
      );
      const [updated] = await app.events.waitFor(
        (e) => e.type === 'contacts.customer.updated' && e.aggregateId === customer.id,
      );
      expect(updated!.actorId).toBe(manager.userId);
      expect(updated!.data).toEqual({
        ...snapshot,
        name: 'Renamed Co',
        industry: null,
        ownerId: sales.userId,
      });
      expect(updated!.aggregateVersion).toBeGreaterThan(created!.aggregateVersion);

      expectOk(await admin.call('DELETE', `/api/customers/${customer.id}`));
      const [deleted] = await app.events.waitFor(
        (e) => e.type === 'contacts.customer.deleted' && e.aggregateId === customer.id,
      );
      expect(deleted!.data).toEqual({
        ...snapshot,
        name: 'Renamed Co',
        industry: null,
        ownerId: sales.userId,
      });
      expect(deleted!.aggregateVersion).toBeGreaterThan(updated!.aggregateVersion);
    });

    it('publishes nothing for a refused change', async () => {
      const customer = await admin.createCustomer();
      await app.events.waitFor(
        (e) => e.type === 'contacts.customer.created' && e.aggregateId === customer.id,
      );
      expectError(
        await admin.call('PATCH', `/api/customers/${customer.id}`, { body: { parentId: customer.id } }),
        422,
      );
      // A later accepted change is the only update published.
      expectOk(await admin.call('PATCH', `/api/customers/${customer.id}`, { body: { tier: 'gold' } }));
      await app.events.waitFor(
        (e) => e.type === 'contacts.customer.updated' && e.aggregateId === customer.id,
      );
      expect(
        app.events.matching((e) => e.type === 'contacts.customer.updated' && e.aggregateId === customer.id),
      ).toHaveLength(1);
    });
  });

  describe('segments', () => {
    let org: Caller;
    let orgManager: Caller;
    let orgSales: Caller;
    const c: Record<string, Json> = {};

    beforeAll(async () => {
      org = app.user('admin');
      orgManager = org.colleague('manager');
      orgSales = org.colleague('sales');
      c.steel = await org.createCustomer({
        name: 'Steel Works',
        industry: 'Manufacturing',
        type: 'customer',
        tier: 'gold',
        annualRevenue: 2_000_000,
        tags: ['Enterprise'],
      });
      c.mill = await org.createCustomer({
        name: 'Mill Co',
        industry: 'manufacturing',
        type: 'prospect',
        tier: 'silver',
        annualRevenue: 999_999.99,
        tags: ['smb'],
        ownerId: orgSales.userId,
      });
      c.bank = await org.createCustomer({
        name: 'Bank Corp',
        industry: 'Finance',
        type: 'customer',
        tier: 'platinum',
        annualRevenue: 1_000_000,
        tags: ['enterprise'],
        ownerId: orgSales.userId,
      });
      c.shop = await org.createCustomer({ name: 'Corner Shop', industry: 'Retail', type: 'partner' });
    });

    async function segment(criteria: Record<string, unknown>, caller = org): Promise<Json> {
      return expectOk(
        await caller.call('POST', '/api/customers/segments', {
          body: { name: `Segment ${word()}`, criteria },
        }),
        201,
      );
    }

    async function members(segmentId: string, caller = org): Promise<string[]> {
      return ids(expectOk(await caller.call('GET', `/api/customers/segments/${segmentId}/members`)));
    }

    it('creates a segment (admin or manager) and serves it', async () => {
      const res = await org.call('POST', '/api/customers/segments', {
        body: {
          name: 'Big manufacturers',
          description: 'Who to call first',
          criteria: { industry: 'Manufacturing' },
        },
      });
      const created = expectOk(res, 201);
      expect(created).toMatchObject({
        name: 'Big manufacturers',
        description: 'Who to call first',
        criteria: { industry: 'Manufacturing' },
        createdBy: org.userId,
      });
      expect(expectOk(await org.call('GET', `/api/customers/segments/${created.id}`))).toEqual(created);
      expect(expectOk(await orgSales.call('GET', `/api/customers/segments/${created.id}`)).id).toBe(
        created.id,
      );
      const byManager = await segment({ tier: 'gold' }, orgManager);
      expect(byManager.createdBy).toBe(orgManager.userId);
    });

    it('refuses a sales user (403), no criteria (422), bad criteria (422) and a taken name (409)', async () => {
      expectError(
        await orgSales.call('POST', '/api/customers/segments', {
          body: { name: 'Mine', criteria: { tier: 'gold' } },
        }),
        403,
      );
      for (const body of [
        { name: 'Empty', criteria: {} },
        { name: 'Missing' },
        { name: 'Nulls', criteria: { tier: null } },
      ]) {
        expect(
          fieldsOf(expectError(await org.call('POST', '/api/customers/segments', { body }), 422))[0],
        ).toMatch(/^criteria/);
      }
      for (const criteria of [{ tier: 'diamond' }, { type: 'reseller' }, { minRevenue: -1 }]) {
        expectError(
          await org.call('POST', '/api/customers/segments', { body: { name: 'Bad', criteria } }),
          422,
        );
      }
      expect(
        fieldsOf(
          expectError(
            await org.call('POST', '/api/customers/segments', { body: { criteria: { tier: 'gold' } } }),
            422,
          ),
        ),
      ).toEqual(['name']);

      const first = await segment({ tier: 'gold' });
      const taken = await org.call('POST', '/api/customers/segments', {
        body: { name: first.name.toUpperCase(), criteria: { tier: 'silver' } },
      });
      expectError(taken, 409);
      // Another organization may use the name.
      expectOk(
        await outsider.call('POST', '/api/customers/segments', {
          body: { name: first.name, criteria: { tier: 'gold' } },
        }),
        201,
      );
    });

    it('lists the segments of the organization by name, and deletes them (admin or manager)', async () => {
      const lister = app.user('admin');
      const listerSales = lister.colleague('sales');
      const beta = expectOk(
        await lister.call('POST', '/api/customers/segments', {
          body: { name: 'beta', criteria: { tier: 'gold' } },
        }),
        201,
      );
      const alpha = expectOk(
        await lister.call('POST', '/api/customers/segments', {
          body: { name: 'alpha', criteria: { type: 'vendor' } },
        }),
        201,
      );
      expect(ids(expectOk(await lister.call('GET', '/api/customers/segments')))).toEqual([alpha.id, beta.id]);
      expect(ids(expectOk(await listerSales.call('GET', '/api/customers/segments')))).toEqual([
        alpha.id,
        beta.id,
      ]);

      expectError(await listerSales.call('DELETE', `/api/customers/segments/${alpha.id}`), 403);
      const res = await lister.colleague('manager').call('DELETE', `/api/customers/segments/${alpha.id}`);
      expect(res.body).toEqual({ data: { success: true } });
      expectError(await lister.call('GET', `/api/customers/segments/${alpha.id}`), 404);
      expectError(await lister.call('GET', `/api/customers/segments/${alpha.id}/members`), 404);
      expectError(await lister.call('DELETE', `/api/customers/segments/${alpha.id}`), 404);
      expect(ids(expectOk(await lister.call('GET', '/api/customers/segments')))).toEqual([beta.id]);
      // The name is free again.
      expectOk(
        await lister.call('POST', '/api/customers/segments', {
          body: { name: 'Alpha', criteria: { type: 'vendor' } },
        }),
        201,
      );
    });

    it.each([
      ['industry, any case', { industry: 'MANUFACTURING' }, ['mill', 'steel']],
      ['type', { type: 'customer' }, ['bank', 'steel']],
      ['tier', { tier: 'platinum' }, ['bank']],
      ['minRevenue, inclusive', { minRevenue: 1_000_000 }, ['bank', 'steel']],
      ['minRevenue with cents', { minRevenue: 999_999.99 }, ['bank', 'mill', 'steel']],
      ['tag, any case', { tag: 'ENTERPRISE' }, ['bank', 'steel']],
      ['industry and minRevenue', { industry: 'manufacturing', minRevenue: 1_000_000 }, ['steel']],
      ['type, tier and tag', { type: 'customer', tier: 'gold', tag: 'enterprise' }, ['steel']],
      ['criteria nobody meets', { industry: 'Finance', tier: 'gold' }, []],
    ])('selects the members by %s', async (_, criteria, expected) => {
      const created = await segment(criteria);
      expect(created.criteria).toEqual(criteria);
      expect(await members(created.id)).toEqual(expected.map((key) => c[key].id));
    });

    it('evaluates members live: a customer joins and leaves as it changes', async () => {
      const gold = await segment({ tier: 'gold' });
      const customer = await org.createCustomer({ name: 'Aardvark Ltd', tier: 'silver' });
      expect(await members(gold.id)).toEqual([c.steel.id]);
      expectOk(await org.call('PATCH', `/api/customers/${customer.id}`, { body: { tier: 'gold' } }));
      expect(await members(gold.id)).toEqual([customer.id, c.steel.id]);
      expectOk(await org.call('PATCH', `/api/customers/${customer.id}`, { body: { tier: 'platinum' } }));
      expect(await members(gold.id)).toEqual([c.steel.id]);
      expectOk(await org.call('PATCH', `/api/customers/${customer.id}`, { body: { tier: 'gold' } }));
      expectOk(await org.call('DELETE', `/api/customers/${customer.id}`));
      expect(await members(gold.id)).toEqual([c.steel.id]);
    });

    it('pages the members', async () => {
      const manufacturing = await segment({ industry: 'manufacturing' });
      const res = await org.call('GET', `/api/customers/segments/${manufacturing.id}/members?limit=1&page=2`);
      expect(ids(expectOk(res))).toEqual([c.steel.id]);
      expect(res.body.meta).toEqual({ total: 2, page: 2, limit: 1, totalPages: 2 });
    });

    it('shows a sales user only the members it owns', async () => {
      const enterprise = await segment({ tag: 'enterprise' });
      expect(await members(enterprise.id, orgSales)).toEqual([c.bank.id]);
      expect(await members(enterprise.id, orgManager)).toEqual([c.bank.id, c.steel.id]);
    });

    it("answers 404 for another organization's segment", async () => {
      const mine = await segment({ tier: 'gold' });
      expectError(await outsider.call('GET', `/api/customers/segments/${mine.id}`), 404);
      expectError(await outsider.call('GET', `/api/customers/segments/${mine.id}/members`), 404);
      expectError(await outsider.call('DELETE', `/api/customers/segments/${mine.id}`), 404);
      expect(ids(expectOk(await outsider.call('GET', '/api/customers/segments')))).not.toContain(mine.id);
      expectOk(await org.call('GET', `/api/customers/segments/${mine.id}`));
    });

    it('never includes customers of another organization among the members', async () => {
      await outsider.createCustomer({ name: 'Foreign Steel', industry: 'Manufacturing', tier: 'gold' });
      const manufacturing = await segment({ industry: 'Manufacturing' });
      expect(await members(manufacturing.id)).toEqual([c.mill.id, c.steel.id]);
    });
  });
});
