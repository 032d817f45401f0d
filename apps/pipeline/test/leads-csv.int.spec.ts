import { expectError, expectOk, type HttpAnswer } from '@flow-crm/testing';
import { parse } from 'csv-parse/sync';
import { type Json, type PipelineCaller, usePipeline, word } from './pipeline-app';

describe('leads: CSV import and export', () => {
  const app = usePipeline({ IMPORT_MAX_ROWS: '20', IMPORT_MAX_BYTES: '4096' });
  const importCsv = async (caller: PipelineCaller, csv: string): Promise<HttpAnswer> =>
    caller.call('POST', '/api/leads/import', { raw: csv, contentType: 'text/csv' });
  const exported = async (caller: PipelineCaller, query = ''): Promise<Record<string, string>[]> => {
    const res = await caller.call('GET', `/api/leads/export${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    return parse(res.text, { columns: true, bom: true });
  };
  const all = async (caller: PipelineCaller): Promise<Json[]> =>
    expectOk(await caller.call('GET', '/api/leads?limit=100'));

  it('imports the good rows as new numbered leads and reports the bad ones by row', async () => {
    const admin = app.user('admin');
    const w = word();
    const report = expectOk(
      await importCsv(
        admin,
        [
          'Name,Email,Phone,Company,Title,Source,Tags',
          `Ada ${w},ada-${w}@example.com,+1 555,Engines,CTO,Website,vip;newsletter`,
          `,nameless-${w}@example.com,,,,,`,
          `Grace ${w},not-an-email,,,,,`,
          `Alan ${w},,,"Bletchley, Park",,Referral,`,
        ].join('\n'),
      ),
    );
    expect(report.imported).toBe(2);
    expect(report.failed.map((failure: Json) => failure.row)).toEqual([3, 4]);
    expect(report.failed[0].errors).toEqual([expect.objectContaining({ field: 'name' })]);
    expect(report.failed[1].errors).toEqual([expect.objectContaining({ field: 'email' })]);
    const leads = await all(admin);
    expect(leads.map((lead) => lead.leadNumber).sort()).toEqual(['LEAD-000001', 'LEAD-000002']);
    const ada = leads.find((lead) => lead.name === `Ada ${w}`);
    expect(ada).toMatchObject({
      email: `ada-${w}@example.com`,
      company: 'Engines',
      title: 'CTO',
      source: 'Website',
      status: 'new',
      ownerId: admin.userId,
      tags: ['vip', 'newsletter'],
    });
    const created = await app.events.waitFor(
      (event) => event.type === 'pipeline.lead.created' && event.organizationId === admin.organizationId,
      2,
    );
    expect(created.map((event) => event.data.name).sort()).toEqual([`Ada ${w}`, `Alan ${w}`]);
  });

  it('reports a row whose email a live lead or an earlier row already has', async () => {
    const admin = app.user('admin');
    const existing = await admin.createLead({ email: `taken-${word()}@example.com` });
    const fresh = `fresh-${word()}@example.com`;
    const report = expectOk(
      await importCsv(
        admin,
        `name,email\nSame,${existing.email.toUpperCase()}\nFirst,${fresh}\nSecond,${fresh}\n`,
      ),
    );
    expect(report.imported).toBe(1);
    expect(report.failed).toEqual([
      {
        row: 2,
        errors: [{ field: 'email', message: `a lead with this email exists (${existing.leadNumber})` }],
      },
      { row: 4, errors: [{ field: 'email', message: 'a lead with this email exists (row 3)' }] },
    ]);
  });

  it('refuses a file over the row or byte limit with 413 and imports nothing', async () => {
    const admin = app.user('admin');
    const rows = Array.from({ length: 21 }, (_, i) => `Lead ${i}`);
    expectError(await importCsv(admin, ['name', ...rows].join('\n')), 413);
    expectError(await importCsv(admin, `name\n${'x'.repeat(5000)}\n`), 413);
    expect(await all(admin)).toEqual([]);
  });

  it('refuses a header without name (422), a JSON body (400) and a missing token (401)', async () => {
    const admin = app.user('admin');
    expectError(await importCsv(admin, 'email\na@example.com\n'), 422);
    expectError(await admin.call('POST', '/api/leads/import', { body: [{ name: 'x' }] }), 400);
    expectError(
      await app.call('POST', '/api/leads/import', { raw: 'name\nAnon\n', contentType: 'text/csv' }),
      401,
    );
  });

  it('exports the list query as CSV that imports again, a sales user only its own leads', async () => {
    const admin = app.user('admin');
    const sales = admin.colleague('sales');
    const w = word();
    await admin.createLead({ name: `Exported "quoted", ${w}`, email: `e-${w}@example.com`, source: 'Ads' });
    await admin.createLead({ name: `Other ${w}`, source: 'Referral' });
    await sales.createLead({ name: `Mine ${w}` });
    const rows = await exported(admin, `?source=Ads`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: `Exported "quoted", ${w}`,
      email: `e-${w}@example.com`,
      status: 'new',
    });
    expect((await exported(sales)).map((row) => row.name)).toEqual([`Mine ${w}`]);
    const other = app.user('admin');
    const res = await admin.call('GET', '/api/leads/export');
    expect(expectOk(await importCsv(other, res.text)).imported).toBe(3);
  });
});
