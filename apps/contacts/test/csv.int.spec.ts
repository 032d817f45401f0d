import { expectError, expectOk, fieldsOf, type HttpAnswer, uniqueEmail } from '@flow-crm/testing';
import { parse } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import { type Caller, type Json, useContacts, word } from './contacts-app';

const EXPORT_HEADER = [
  'name',
  'email',
  'phone',
  'company',
  'title',
  'tags',
  'id',
  'customerId',
  'ownerId',
  'relationshipHealth',
  'healthScore',
  'sentiment',
  'churnRisk',
  'lastContactAt',
  'nextFollowUpAt',
  'totalDealsCount',
  'totalDealsValue',
  'createdAt',
  'updatedAt',
];

const requestId = () => `req-${randomUUID()}`;

interface ImportReport {
  imported: number;
  updated: number;
  failed: { row: number; errors: { field: string; message: string }[] }[];
}

/** The export's rows, parsed as any CSV reader would, keyed by the header. */
function exported(res: HttpAnswer): Record<string, string>[] {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  const rows: string[][] = parse(res.text, { bom: true });
  expect(rows[0]).toEqual(EXPORT_HEADER);
  return rows.slice(1).map((row) => Object.fromEntries(EXPORT_HEADER.map((column, i) => [column, row[i]!])));
}

describe('contacts: CSV import and export', () => {
  const app = useContacts();

  const importCsv = (caller: Caller, csv: string | Buffer, headers?: Record<string, string>) =>
    caller.call('POST', '/api/contacts/import', { raw: csv, contentType: 'text/csv', headers });
  const imported = async (caller: Caller, csv: string): Promise<ImportReport> =>
    expectOk(await importCsv(caller, csv));
  const all = async (caller: Caller): Promise<Json[]> =>
    expectOk(await caller.call('GET', '/api/contacts?limit=100&sort=name'));
  const byEmail = async (caller: Caller, email: string): Promise<Json> => {
    const found = expectOk(await caller.call('GET', `/api/contacts?search=${encodeURIComponent(email)}`));
    expect(found).toHaveLength(1);
    return found[0];
  };
  const exportOf = async (caller: Caller, query = '') =>
    exported(await caller.call('GET', `/api/contacts/export${query ? `?${query}` : ''}`));

  describe('import', () => {
    it('imports the good rows and reports the bad ones by file line number', async () => {
      const admin = app.user('admin');
      const [a, b] = [uniqueEmail('good-a'), uniqueEmail('good-b')];
      const report = await imported(
        admin,
        [
          'name,email,phone,company,title,tags',
          `Alice Good,${a},+1 555 0100,Acme,CEO,vip;emea`,
          'Bad Email,not-an-email,,,,',
          ',nameless@example.com,,,,',
          '',
          `Bob Good,${b},,,,`,
          `Too Long,${uniqueEmail('long')},,,${'t'.repeat(201)},`,
        ].join('\n'),
      );
      expect(report.imported).toBe(2);
      expect(report.updated).toBe(0);
      expect(report.failed.map((failure) => failure.row)).toEqual([3, 4, 7]);
      expect(report.failed.map((failure) => failure.errors.map((error) => error.field))).toEqual([
        ['email'],
        ['name'],
        ['title'],
      ]);
      for (const failure of report.failed)
        for (const error of failure.errors) expect(error.message).toEqual(expect.any(String));

      expect(await byEmail(admin, a)).toMatchObject({
        name: 'Alice Good',
        phone: '+1 555 0100',
        company: 'Acme',
        title: 'CEO',
        tags: ['vip', 'emea'],
        ownerId: admin.userId,
      });
      expect(await byEmail(admin, b)).toMatchObject({
        name: 'Bob Good',
        phone: null,
        company: null,
        tags: [],
      });
      expect(await all(admin)).toHaveLength(2);
      const catalog = expectOk(await admin.call('GET', '/api/tags'));
      expect(catalog.map((tag: Json) => tag.name).sort()).toEqual(['emea', 'vip']);
    });

    it('reads quoted commas, quotes and newlines, CRLF line ends and a BOM', async () => {
      const admin = app.user('admin');
      const email = uniqueEmail('quoted');
      const csv =
        '\uFEFFname,email,company,title\r\n' +
        `"Doe, Jane",${email},"Acme ""Rockets"", Inc","Head of\nEngineering"\r\n` +
        'Bad Row,bad-email,,\r\n' +
        `Plain,${uniqueEmail('plain')},,\r\n`;
      const report = await imported(admin, csv);
      expect(report).toMatchObject({ imported: 2, updated: 0 });
      // The quoted record spans lines 2 and 3 of the file but is row 2 of a sheet; the bad row is row 3.
      expect(report.failed.map((failure) => failure.row)).toEqual([3]);
      expect(await byEmail(admin, email)).toMatchObject({
        name: 'Doe, Jane',
        company: 'Acme "Rockets", Inc',
        title: 'Head of\nEngineering',
      });
    });

    it('reports a bad record spanning several lines by one of its lines', async () => {
      const admin = app.user('admin');
      const report = await imported(admin, 'name,email,title\n"Multi\nLine",bad-email,x\nFine,,\n');
      expect(report.imported).toBe(1);
      expect(report.failed).toHaveLength(1);
      expect([2, 3]).toContain(report.failed[0]!.row);
    });

    it('takes the header in any case and column order, ignoring unknown columns', async () => {
      const admin = app.user('admin');
      const email = uniqueEmail('shuffled');
      const report = await imported(
        admin,
        [' EMAIL ,Tags,Notes,Company, Name', `${email},a;b,ignored,Shuffled Inc,Shuffled Person`].join('\n'),
      );
      expect(report).toEqual({ imported: 1, updated: 0, failed: [] });
      expect(await byEmail(admin, email)).toMatchObject({
        name: 'Shuffled Person',
        company: 'Shuffled Inc',
        tags: ['a', 'b'],
        notes: null,
      });
    });

    it('refuses a file without a name column with 422 and imports nothing', async () => {
      const admin = app.user('admin');
      const res = await importCsv(admin, `email,company\n${uniqueEmail('nameless')},Acme\n`);
      expect(fieldsOf(expectError(res, 422))).toEqual(['header']);
      expect(await all(admin)).toEqual([]);
    });

    it('answers an empty report to a file with only a header', async () => {
      const admin = app.user('admin');
      expect(await imported(admin, 'name,email\n')).toEqual({ imported: 0, updated: 0, failed: [] });
    });

    it('updates a contact whose email exists: empty fields filled, tags united, counted as updated', async () => {
      const admin = app.user('admin');
      const email = uniqueEmail('existing');
      const existing = await admin.createContact({
        name: 'Existing Name',
        email,
        company: 'Kept Co',
        tags: ['Old'],
      });
      const correlationId = requestId();
      const report: ImportReport = expectOk(
        await importCsv(
          admin,
          'name,email,phone,company,title,tags\n' +
            `New Name,${email.toUpperCase()},+33 1 00,Other Co,CFO,old;new\n` +
            `Again,${email},+44 2 00,,,Third\n`,
          { 'x-request-id': correlationId },
        ),
      );
      expect(report).toEqual({ imported: 0, updated: 1, failed: [] });
      const after = expectOk(await admin.call('GET', `/api/contacts/${existing.id}`));
      expect(after).toMatchObject({
        id: existing.id,
        name: 'Existing Name',
        email,
        phone: '+33 1 00',
        company: 'Kept Co',
        title: 'CFO',
        tags: ['Old', 'new', 'Third'],
      });
      expect(await all(admin)).toHaveLength(1);
      const [event] = await app.events.waitFor((e) => e.correlationId === correlationId);
      expect(event).toMatchObject({ type: 'contacts.contact.updated', aggregateId: existing.id });
      expect(event!.aggregateVersion).toBeGreaterThan(1);
    });

    it('makes one contact of rows that repeat an email within the file', async () => {
      const admin = app.user('admin');
      const email = uniqueEmail('twice');
      const report = await imported(
        admin,
        `name,email,phone,tags\nFirst,${email},,one\nSecond,${email.toUpperCase()},+1 555,two;ONE\n`,
      );
      expect(report.imported + report.updated).toBe(1);
      expect(report.imported).toBe(1);
      const contacts = await all(admin);
      expect(contacts).toHaveLength(1);
      expect(contacts[0]).toMatchObject({ name: 'First', email, phone: '+1 555', tags: ['one', 'two'] });
    });

    it('keeps a quote inside a value as written and imports every row around it', async () => {
      const admin = app.user('admin');
      const emails = ['before', 'nickname', 'quoted-first', 'after'].map((tag) => uniqueEmail(tag));
      const report = await imported(
        admin,
        [
          'name,email',
          `Before,${emails[0]}`,
          `Bob "The Builder" Smith,${emails[1]}`,
          `"Bob" Smith,${emails[2]}`,
          `After,${emails[3]}`,
        ].join('\n'),
      );
      expect(report).toEqual({ imported: 4, updated: 0, failed: [] });
      expect((await byEmail(admin, emails[1])).name).toBe('Bob "The Builder" Smith');
      expect((await byEmail(admin, emails[2])).name).toBe('"Bob" Smith');
      expect((await byEmail(admin, emails[3])).name).toBe('After');
    });

    it('numbers rows as a spreadsheet does: a multi-line value is one row, a blank line is a row', async () => {
      const admin = app.user('admin');
      const [multi, crlf, last] = [uniqueEmail('multi'), uniqueEmail('crlf'), uniqueEmail('last')];
      const report = await imported(
        admin,
        [
          'name,email,title',
          `"Multi",${multi},"one\ntwo\nthree"`,
          `CRLF,${crlf},"first\r\nsecond"`,
          '',
          'Bad Row,bad-email,',
          `Last,${last},`,
          'No Email At All,still-bad,',
        ].join('\r\n'),
      );
      expect(report.imported).toBe(3);
      expect(report.failed.map((failure) => failure.row)).toEqual([5, 7]);
      expect((await byEmail(admin, crlf)).title).toBe('first\r\nsecond');
    });

    it('reports an unclosed quote on its row and keeps the rows before it', async () => {
      const admin = app.user('admin');
      const [a, b] = [uniqueEmail('kept-a'), uniqueEmail('kept-b')];
      const report = await imported(
        admin,
        `name,email\nKept A,${a}\n\nKept B,${b}\n"Unclosed,${uniqueEmail('open')}\nSwallowed,${uniqueEmail('gone')}\n`,
      );
      expect(report.imported).toBe(2);
      expect(report.failed).toEqual([{ row: 5, errors: [{ field: 'row', message: expect.any(String) }] }]);
      expect((await all(admin)).map((contact) => contact.email).sort()).toEqual([a, b].sort());
    });

    it('refuses a NUL character in a row as a bad row', async () => {
      const admin = app.user('admin');
      const report = await imported(admin, `name,email\nNul\u0000Name,${uniqueEmail('nul')}\nFine,\n`);
      expect(report.imported).toBe(1);
      expect(report.failed).toEqual([{ row: 2, errors: [expect.objectContaining({ field: 'name' })] }]);
    });

    it('answers 400 to a JSON body and 401 without a token', async () => {
      const admin = app.user('admin');
      expectError(
        await admin.call('POST', '/api/contacts/import', {
          body: [{ name: 'As JSON', email: uniqueEmail() }],
        }),
        400,
      );
      expectError(
        await admin.call('POST', '/api/contacts/import', { raw: 'name\nPlain', contentType: 'text/plain' }),
        400,
      );
      expectError(
        await app.call('POST', '/api/contacts/import', { raw: 'name\nAnonymous\n', contentType: 'text/csv' }),
        401,
      );
      expect(await all(admin)).toEqual([]);
    });

    it('publishes contacts.contact.created for every imported row', async () => {
      const admin = app.user('admin');
      const emails = Array.from({ length: 4 }, (_, i) => uniqueEmail(`event${i}`));
      const correlationId = requestId();
      const report: ImportReport = expectOk(
        await importCsv(
          admin,
          [
            'name,email,company',
            ...emails.map((email, i) => `Evented ${i},${email},Co ${i}`),
            'Bad,bad,',
          ].join('\n'),
          { 'x-request-id': correlationId },
        ),
      );
      expect(report.imported).toBe(4);
      const events = await app.events.waitFor((e) => e.correlationId === correlationId, 4);
      expect(events.every((event) => event.type === 'contacts.contact.created')).toBe(true);
      expect(events.map((event) => event.data.email).sort()).toEqual([...emails].sort());
      const contacts = await all(admin);
      expect(events.map((event) => event.aggregateId).sort()).toEqual(contacts.map((c) => c.id).sort());
      const first = events.find((event) => event.data.email === emails[0])!;
      expect(first).toMatchObject({
        organizationId: admin.organizationId,
        actorId: admin.userId,
        aggregateVersion: 1,
        data: { name: 'Evented 0', company: 'Co 0', ownerId: admin.userId, customerId: null },
      });
    });

    it("lets a sales user import its own contacts but not update a colleague's", async () => {
      const admin = app.user('admin');
      const sales = admin.colleague('sales');
      const theirs = await admin.createContact({ email: uniqueEmail('theirs') });
      const mine = uniqueEmail('mine');
      const report = await imported(
        sales,
        `name,email,phone\nMine,${mine},\nTheirs,${theirs.email},+1 999\n`,
      );
      expect(report).toMatchObject({ imported: 1, updated: 0 });
      expect(report.failed).toEqual([{ row: 3, errors: [expect.objectContaining({ field: 'email' })] }]);
      expect((await byEmail(sales, mine)).ownerId).toBe(sales.userId);
      expect(expectOk(await admin.call('GET', `/api/contacts/${theirs.id}`)).phone).toBeNull();
    });
  });

  describe('export', () => {
    let admin: Caller;
    let sales: Caller;
    const marker = word();
    const c: Record<string, Json> = {};
    beforeAll(async () => {
      admin = app.user('admin');
      sales = admin.colleague('sales');
      c.quoted = await admin.createContact({
        name: `O"Brien, Pat ${marker}`,
        email: uniqueEmail('quoted'),
        company: 'Comma, Quote " and\nNewline',
        tags: ['vip', 'emea'],
        churnRisk: 80,
      });
      c.plain = await admin.createContact({ name: `alpha ${marker}`, phone: '+1 555 0100', title: 'CTO' });
      c.sales = await sales.createContact({ name: `Sales Own ${marker}`, tags: ['VIP'] });
      for (let i = 0; i < 27; i++) await admin.createContact({ name: `Filler ${i}` });
      // Another organization's contacts never show.
      await app.user('admin').createContact({ name: `Foreign ${marker}` });
    });

    it('answers a header row and every contact of the list query, ignoring page and limit', async () => {
      const res = await admin.call('GET', '/api/contacts/export?page=2&limit=5');
      expect(res.headers.get('content-disposition')).toMatch(/attachment/);
      const rows = exported(res);
      expect(rows).toHaveLength(30);
      expect(rows.map((row) => row.name)).not.toContain(`Foreign ${marker}`);
      const listed = [
        ...expectOk(await admin.call('GET', '/api/contacts?limit=25')),
        ...expectOk(await admin.call('GET', '/api/contacts?limit=25&page=2')),
      ];
      expect(rows.map((row) => row.id)).toEqual(listed.map((contact: Json) => contact.id));
    });

    it('writes values a CSV reader reads back exactly, commas, quotes and newlines included', async () => {
      const res = await admin.call('GET', `/api/contacts/export?search=${encodeURIComponent('O"Brien')}`);
      expect(res.text).toContain(`"O""Brien, Pat ${marker}"`);
      const [row] = exported(res);
      const contact = expectOk(await admin.call('GET', `/api/contacts/${c.quoted.id}`));
      expect(row).toEqual({
        name: contact.name,
        email: contact.email,
        phone: '',
        company: 'Comma, Quote " and\nNewline',
        title: '',
        tags: 'vip;emea',
        id: contact.id,
        customerId: '',
        ownerId: admin.userId,
        relationshipHealth: 'medium',
        healthScore: '50',
        sentiment: 'neutral',
        churnRisk: '80',
        lastContactAt: '',
        nextFollowUpAt: '',
        totalDealsCount: '0',
        totalDealsValue: expect.stringMatching(/^0(\.0+)?$/),
        createdAt: contact.createdAt,
        updatedAt: contact.updatedAt,
      });
    });

    it('honours search, filter, tag, ownerId and sort', async () => {
      const names = async (query: string) => (await exportOf(admin, query)).map((row) => row.name);
      expect((await names(`search=${marker}&sort=name`)).sort()).toEqual(
        [c.plain.name, c.quoted.name, c.sales.name].sort(),
      );
      expect(await names(`search=${marker}&sort=name`)).toEqual(
        expectOk(await admin.call('GET', `/api/contacts?search=${marker}&sort=name`)).map(
          (x: Json) => x.name,
        ),
      );
      expect(await names(`search=${marker}&sort=-name`)).toEqual(
        expectOk(await admin.call('GET', `/api/contacts?search=${marker}&sort=-name`)).map(
          (x: Json) => x.name,
        ),
      );
      expect(await names('filter=at-risk')).toEqual([c.quoted.name]);
      expect((await names('tag=Vip')).sort()).toEqual([c.quoted.name, c.sales.name].sort());
      expect(await names(`ownerId=${sales.userId}`)).toEqual([c.sales.name]);
      expect(await names(`search=${word()}`)).toEqual([]);
    });

    it('gives a sales user only its own contacts', async () => {
      expect((await exportOf(sales)).map((row) => row.id)).toEqual([c.sales.id]);
    });

    it('refuses a bad query with 422 and a missing token with 401', async () => {
      expectError(await admin.call('GET', '/api/contacts/export?sort=email'), 422);
      expectError(await admin.call('GET', '/api/contacts/export?filter=cold'), 422);
      expectError(await app.call('GET', '/api/contacts/export'), 401);
    });

    it('can be imported again into another organization', async () => {
      const other = app.user('admin');
      const csv = (await admin.call('GET', `/api/contacts/export?search=${marker}`)).text;
      const report = await imported(other, csv);
      expect(report).toEqual({ imported: 3, updated: 0, failed: [] });
      expect((await all(other)).map((contact) => contact.name).sort()).toEqual(
        [c.plain.name, c.quoted.name, c.sales.name].sort(),
      );
    });

    it('streams a large export complete, one line per contact', async () => {
      const big = app.user('admin');
      const COUNT = 3_000;
      const emails = Array.from({ length: COUNT }, (_, i) => `bulk.${i}.${marker}@example.com`);
      const report = await imported(
        big,
        [
          'name,email,company,tags',
          ...emails.map((email, i) => `Bulk ${i},${email},"Bulk, Inc",b${i % 7}`),
        ].join('\n'),
      );
      expect(report).toEqual({ imported: COUNT, updated: 0, failed: [] });

      const res = await big.call('GET', '/api/contacts/export');
      expect(res.text.trimEnd().split('\n')).toHaveLength(COUNT + 1);
      const rows = exported(res);
      expect(rows).toHaveLength(COUNT);
      expect(new Set(rows.map((row) => row.id)).size).toBe(COUNT);
      expect(rows.map((row) => row.email).sort()).toEqual([...emails].sort());
      expect(rows.every((row) => row.company === 'Bulk, Inc')).toBe(true);
      expect(rows.filter((row) => row.tags === 'b3')).toHaveLength(Math.ceil((COUNT - 3) / 7));
    });
  });
});
