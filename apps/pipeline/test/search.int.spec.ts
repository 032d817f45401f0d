import { eventually, expectOk, searchRouteContract } from '@flow-crm/testing';
import { announceContact, type Json, type PipelineCaller, usePipeline, word } from './pipeline-app';

const ids = (items: Json[]) => items.map((item) => item.id);
const sorted = (values: string[]) => [...values].sort();

describe('pipeline: GET /search, its part of the gateway search', () => {
  const app = usePipeline();

  const search = async (caller: PipelineCaller, query: string): Promise<Json> =>
    expectOk(await caller.call('GET', `/search?${query}`));
  const list = async (caller: PipelineCaller, path: string): Promise<Json[]> =>
    expectOk(await caller.call('GET', path));

  let admin: PipelineCaller;
  let sales: PipelineCaller;
  let stranger: PipelineCaller;
  const w = word();
  const d: Record<string, Json> = {};
  const l: Record<string, Json> = {};
  beforeAll(async () => {
    admin = app.user('admin');
    sales = admin.colleague('sales');
    stranger = app.user('admin');
    const contact = await announceContact(app, admin, { name: `Zed ${w} Quill` });
    await eventually(async () => {
      const { rows } = await app.db.query('SELECT 1 FROM contact_replicas WHERE id = $1', [contact.id]);
      expect(rows).toHaveLength(1);
    });
    d.byTitle = await admin.createDeal({ title: `Renewal ${w} Deal` });
    d.byCompany = await admin.createDeal({ title: 'Plain', company: `${w} Holdings` });
    d.byContact = await admin.createDeal({ title: 'Other', contactId: contact.id });
    d.ofSales = await sales.createDeal({ title: `Sales ${w}` });
    await admin.createDeal({ title: 'Unrelated' });
    l.byName = await admin.createLead({ name: `Ada ${w} Lovelace` });
    l.byEmail = await admin.createLead({ name: 'Plain Lead', email: `${w}@example.com` });
    l.byCompany = await admin.createLead({ name: 'Other Lead', company: `${w} Rockets` });
    l.ofSales = await sales.createLead({ name: `Sales ${w}` });
    await admin.createLead({ name: 'Unrelated Lead' });
    d.deleted = await admin.createDeal({ title: `Gone ${w}` });
    l.deleted = await admin.createLead({ name: `Gone ${w}` });
    expectOk(await admin.call('DELETE', `/api/deals/${d.deleted.id}`));
    expectOk(await admin.call('DELETE', `/api/leads/${l.deleted.id}`));
    d.elsewhere = await stranger.createDeal({ title: `Elsewhere ${w}` });
    l.elsewhere = await stranger.createLead({ name: `Elsewhere ${w}` });
  });

  it('finds deals by title, company and contact name and leads by name, email and company, in any case', async () => {
    const all = await search(admin, `q=${w.toUpperCase()}`);
    expect(sorted(ids(all.deals))).toEqual(
      sorted([d.byTitle.id, d.byCompany.id, d.byContact.id, d.ofSales.id]),
    );
    expect(sorted(ids(all.leads))).toEqual(sorted([l.byName.id, l.byEmail.id, l.byCompany.id, l.ofSales.id]));
    const byTitle = await search(admin, `q=${encodeURIComponent(`renewal ${w} DEAL`)}`);
    expect(ids(byTitle.deals)).toEqual([d.byTitle.id]);
    expect(byTitle.leads).toEqual([]);
    expect(ids((await search(admin, `q=${encodeURIComponent(`${w} HOLD`)}`)).deals)).toEqual([
      d.byCompany.id,
    ]);
    expect(ids((await search(admin, `q=${encodeURIComponent(`zed ${w}`)}`)).deals)).toEqual([d.byContact.id]);
    expect(ids((await search(admin, `q=${encodeURIComponent(`ADA ${w}`)}`)).leads)).toEqual([l.byName.id]);
    expect(ids((await search(admin, `q=${w}%40EXAMPLE`)).leads)).toEqual([l.byEmail.id]);
    expect(ids((await search(admin, `q=${encodeURIComponent(`${w} rock`)}`)).leads)).toEqual([
      l.byCompany.id,
    ]);
  });

  it('answers the items exactly as the lists do, in the order of the lists’ search', async () => {
    const found = await search(admin, `q=${w}`);
    expect(Object.keys(found).sort()).toEqual(['deals', 'leads']);
    expect(found.deals).toHaveLength(4);
    expect(found.deals).toEqual(await list(admin, `/api/deals?search=${w}`));
    expect(found.leads).toHaveLength(4);
    expect(found.leads).toEqual(await list(admin, `/api/leads?search=${w}`));
  });

  it('searches only the types asked, and answers the other empty', async () => {
    const leads = await search(admin, `q=${w}&types=leads`);
    expect(leads.deals).toEqual([]);
    expect(leads.leads).toHaveLength(4);
    const deals = await search(admin, `q=${w}&types=deals`);
    expect(deals.deals).toHaveLength(4);
    expect(deals.leads).toEqual([]);
    expect(await search(admin, `q=${w}&types=leads,deals`)).toEqual(await search(admin, `q=${w}`));
  });

  it('answers at most `limit` of each kind (10 by default), the first of the list', async () => {
    const many = word();
    for (let i = 0; i < 12; i++) {
      await admin.createDeal({ title: `Many ${many} ${i}` });
      await admin.createLead({ name: `Many ${many} ${i}` });
    }
    const first = await search(admin, `q=${many}`);
    expect(first.deals).toEqual(await list(admin, `/api/deals?search=${many}&limit=10`));
    expect(first.leads).toEqual(await list(admin, `/api/leads?search=${many}&limit=10`));
    const three = await search(admin, `q=${many}&limit=3`);
    expect(three.deals).toEqual(first.deals.slice(0, 3));
    expect(three.leads).toEqual(first.leads.slice(0, 3));
    expect((await search(admin, `q=${many}&limit=1&types=leads`)).leads).toEqual(first.leads.slice(0, 1));
  });

  it('shows a sales user only the records it owns, and admins and managers all', async () => {
    const own = await search(sales, `q=${w}`);
    expect(ids(own.deals)).toEqual([d.ofSales.id]);
    expect(ids(own.leads)).toEqual([l.ofSales.id]);
    for (const caller of [admin, admin.colleague('manager')]) {
      const all = await search(caller, `q=${w}`);
      expect(all.deals).toHaveLength(4);
      expect(all.leads).toHaveLength(4);
    }
  });

  it('never shows another organization’s records nor deleted ones', async () => {
    const found = await search(admin, `q=${w}`);
    const seen = [...ids(found.deals), ...ids(found.leads)];
    for (const record of [d.elsewhere, l.elsewhere, d.deleted, l.deleted])
      expect(seen).not.toContain(record.id);
    const theirs = await search(stranger, `q=${w}`);
    expect(ids(theirs.deals)).toEqual([d.elsewhere.id]);
    expect(ids(theirs.leads)).toEqual([l.elsewhere.id]);
  });

  searchRouteContract(app, ['deals', 'leads'], 'contacts');
});
