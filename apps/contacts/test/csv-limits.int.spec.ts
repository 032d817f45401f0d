import { expectError, expectOk, type HttpAnswer, uniqueEmail } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type Caller, useContacts } from './contacts-app';

const MAX_ROWS = 5;
const MAX_BYTES = 2_000;

describe('contacts: CSV import limits', () => {
  const app = useContacts({ IMPORT_MAX_ROWS: String(MAX_ROWS), IMPORT_MAX_BYTES: String(MAX_BYTES) });

  const importCsv = (caller: Caller, csv: string, headers?: Record<string, string>) =>
    caller.call('POST', '/api/contacts/import', { raw: csv, contentType: 'text/csv', headers });
  const rows = (count: number) =>
    ['name,email', ...Array.from({ length: count }, (_, i) => `Row ${i},${uniqueEmail(`r${i}`)}`)].join('\n');
  const total = async (caller: Caller) =>
    (await caller.call('GET', '/api/contacts')).body.meta.total as number;

  /**
   * The import's answer, or a 504-like failure after `ms` (the shared client waits 15 s, which a
   * hanging import would cost every run).
   */
  async function answerWithin(caller: Caller, csv: string, ms: number): Promise<HttpAnswer> {
    const request = 'POST /api/contacts/import';
    try {
      const res = await fetch(`${app.url}/api/contacts/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${caller.principal.token}`, 'content-type': 'text/csv' },
        body: csv,
        signal: AbortSignal.timeout(ms),
      });
      const text = await res.text();
      const body = /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
      return { status: res.status, headers: res.headers, body, text, request };
    } catch (error) {
      if ((error as Error).name !== 'TimeoutError') throw error;
      return { status: 0, headers: new Headers(), body: null, text: `no answer within ${ms} ms`, request };
    }
  }

  /** Events published for a request appear before those of a later request: waits for the later one. */
  async function eventsOf(caller: Caller, correlationId: string) {
    const later = `req-${randomUUID()}`;
    await caller.call('POST', '/api/contacts', {
      body: { name: 'Marker' },
      headers: { 'x-request-id': later },
    });
    await app.events.waitFor((event) => event.correlationId === later);
    return app.events.byRequest(correlationId);
  }

  it(`imports a file of exactly ${MAX_ROWS} rows`, async () => {
    const admin = app.user('admin');
    expect(expectOk(await importCsv(admin, rows(MAX_ROWS)))).toEqual({
      imported: MAX_ROWS,
      updated: 0,
      failed: [],
    });
    expect(await total(admin)).toBe(MAX_ROWS);
  });

  it(`answers 413 to more than ${MAX_ROWS} rows and imports nothing, bad rows counted too`, async () => {
    const admin = app.user('admin');
    const correlationId = `req-${randomUUID()}`;
    expectError(await importCsv(admin, rows(MAX_ROWS + 1), { 'x-request-id': correlationId }), 413);
    expect(await total(admin)).toBe(0);
    expect(await eventsOf(admin, correlationId)).toEqual([]);

    const withBadRows = ['name,email', ...Array.from({ length: MAX_ROWS + 1 }, (_, i) => `Bad ${i},nope`)];
    expectError(await importCsv(admin, withBadRows.join('\n')), 413);
    expect(await total(admin)).toBe(1);
  });

  it(`answers 413 to a body over ${MAX_BYTES} bytes and imports nothing`, async () => {
    const admin = app.user('admin');
    const padding = 'x'.repeat(700);
    // Three rows, well within the row limit, but over the byte limit.
    const csv = [
      'name,email,padding',
      ...[0, 1, 2].map((i) => `Big ${i},${uniqueEmail(`b${i}`)},${padding}`),
    ].join('\n');
    expect(Buffer.byteLength(csv)).toBeGreaterThan(MAX_BYTES);
    expectError(await answerWithin(admin, csv, 3_000), 413);
    expect(await total(admin)).toBe(0);
  });

  it('keeps serving after refusing an import', async () => {
    const admin = app.user('admin');
    expectOk(await admin.call('GET', '/api/contacts'));
    expect(expectOk(await importCsv(admin, rows(2))).imported).toBe(2);
  });
});
