import { expectOk, searchRouteContract } from '@flow-crm/testing';
import { type Caller, type Json, useContacts, word } from './contacts-app';

const ids = (items: Json[]) => items.map((item) => item.id);
const sorted = (values: string[]) => [...values].sort();

describe('contacts: GET /search, its part of the gateway search', () => {
  const app = useContacts();

  const search = async (caller: Caller, query: string): Promise<Json> =>
    expectOk(await caller.call('GET', `/search?${query}`));
  const list = async (caller: Caller, path: string): Promise<Json[]> =>
    expectOk(await caller.call('GET', path));

  let admin: Caller;
  let sales: Caller;
  let stranger: Caller;
  const w = word();
  const c: Record<string, Json> = {};
  const k: Record<string, Json> = {};
  beforeAll(async () => {
    admin = app.user('admin');
    sales = admin.colleague('sales');
    stranger = app.user('admin');
    c.byName = await admin.createContact({ name: `Ada ${w} Lovelace` });
    c.byEmail = await admin.createContact({ name: 'Plain Person', email: `${w}@example.com` });
    c.byCompany = await admin.createContact({ name: 'Other Person', company: `${w} Holdings` });
    c.ofSales = await sales.createContact({ name: `Sales ${w}` });
    await admin.createContact({ name: 'Unrelated Person' });
    k.byName = await admin.createCustomer({ name: `${w} Industries` });
    k.ofSales = await sales.createCustomer({ name: `Sales ${w} Co` });
    await admin.createCustomer({ name: 'Unrelated Co' });
    c.deleted = await admin.createContact({ name: `Gone ${w}` });
    k.deleted = await admin.createCustomer({ name: `Gone ${w} Co` });
    expectOk(await admin.call('DELETE', `/api/contacts/${c.deleted.id}`));
    expectOk(await admin.call('DELETE', `/api/customers/${k.deleted.id}`));
    c.elsewhere = await stranger.createContact({ name: `Elsewhere ${w}` });
    k.elsewhere = await stranger.createCustomer({ name: `Elsewhere ${w} Co` });
  });

  it('finds contacts by name, email and company and customers by name, in any case', async () => {
    const all = await search(admin, `q=${w.toUpperCase()}`);
    expect(sorted(ids(all.contacts))).toEqual(
      sorted([c.byName.id, c.byEmail.id, c.byCompany.id, c.ofSales.id]),
    );
    expect(sorted(ids(all.customers))).toEqual(sorted([k.byName.id, k.ofSales.id]));
    const byName = await search(admin, `q=${encodeURIComponent(`ada ${w} LOVE`)}`);
    expect(ids(byName.contacts)).toEqual([c.byName.id]);
    expect(byName.customers).toEqual([]);
    expect(ids((await search(admin, `q=${w}%40EXAMPLE`)).contacts)).toEqual([c.byEmail.id]);
    expect(ids((await search(admin, `q=${encodeURIComponent(`${w} HOLD`)}`)).contacts)).toEqual([
      c.byCompany.id,
    ]);
    expect(ids((await search(admin, `q=${encodeURIComponent(`${w} indus`)}`)).customers)).toEqual([
      k.byName.id,
    ]);
  });

  it('answers the items exactly as the lists do, in the order of the lists’ search', async () => {
    const found = await search(admin, `q=${w}`);
    expect(Object.keys(found).sort()).toEqual(['contacts', 'customers']);
    expect(found.contacts).toHaveLength(4);
    expect(found.contacts).toEqual(await list(admin, `/api/contacts?search=${w}`));
    expect(found.customers).toHaveLength(2);
    expect(found.customers).toEqual(await list(admin, `/api/customers?search=${w}`));
  });

  it('searches only the types asked, and answers the other empty', async () => {
    const customers = await search(admin, `q=${w}&types=customers`);
    expect(customers.contacts).toEqual([]);
    expect(sorted(ids(customers.customers))).toEqual(sorted([k.byName.id, k.ofSales.id]));
    const contacts = await search(admin, `q=${w}&types=contacts`);
    expect(contacts.contacts).toHaveLength(4);
    expect(contacts.customers).toEqual([]);
    expect(await search(admin, `q=${w}&types=customers,contacts`)).toEqual(await search(admin, `q=${w}`));
  });

  it('answers at most `limit` of each kind (10 by default), the first of the list', async () => {
    const many = word();
    for (let i = 0; i < 12; i++) {
      await admin.createContact({ name: `Many ${many} ${i}` });
      await admin.createCustomer({ name: `Many ${many} ${i}` });
    }
    const first = await search(admin, `q=${many}`);
    expect(first.contacts).toEqual(await list(admin, `/api/contacts?search=${many}&limit=10`));
    expect(first.customers).toEqual(await list(admin, `/api/customers?search=${many}&limit=10`));
    const three = await search(admin, `q=${many}&limit=3`);
    expect(three.contacts).toEqual(first.contacts.slice(0, 3));
    expect(three.customers).toEqual(first.customers.slice(0, 3));
    expect((await search(admin, `q=${many}&limit=1&types=contacts`)).contacts).toEqual(
      first.contacts.slice(0, 1),
    );
  });

  it('shows a sales user only the records it owns, and admins and managers all', async () => {
    const own = await search(sales, `q=${w}`);
    expect(ids(own.contacts)).toEqual([c.ofSales.id]);
    expect(ids(own.customers)).toEqual([k.ofSales.id]);
    for (const caller of [admin, admin.colleague('manager')]) {
      const all = await search(caller, `q=${w}`);
      expect(all.contacts).toHaveLength(4);
      expect(all.customers).toHaveLength(2);
    }
  });

  it('never shows another organization’s records nor deleted ones', async () => {
    const found = await search(admin, `q=${w}`);
    const seen = [...ids(found.contacts), ...ids(found.customers)];
    for (const record of [c.elsewhere, k.elsewhere, c.deleted, k.deleted])
      expect(seen).not.toContain(record.id);
    const theirs = await search(stranger, `q=${w}`);
    expect(ids(theirs.contacts)).toEqual([c.elsewhere.id]);
    expect(ids(theirs.customers)).toEqual([k.elsewhere.id]);
  });

  searchRouteContract(app, ['contacts', 'customers'], 'deals');
});
