import { IMPORT_COLUMNS, type RowResult, validateImportRow } from './import-row';

const NUL = String.fromCharCode(0);

function accepted(result: RowResult) {
  if (!result.ok) throw new Error(`expected the row to be accepted: ${JSON.stringify(result.errors)}`);
  return result.row;
}

function refused(result: RowResult) {
  if (result.ok) throw new Error(`expected the row to be refused: ${JSON.stringify(result.row)}`);
  return result.errors;
}

const fieldsOf = (result: RowResult) => [...new Set(refused(result).map((e) => e.field))].sort();

describe('import columns', () => {
  it('reads the columns of a contact a CSV can carry', () => {
    expect([...IMPORT_COLUMNS]).toEqual(['name', 'email', 'phone', 'company', 'title', 'tags']);
  });
});

describe('validateImportRow', () => {
  const good = {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '+44 20 7946 0000',
    company: 'Analytical Engines Ltd',
    title: 'CTO',
    tags: 'vip;newsletter',
  };

  it('accepts a complete row', () => {
    expect(validateImportRow(good)).toEqual({
      ok: true,
      row: {
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone: '+44 20 7946 0000',
        company: 'Analytical Engines Ltd',
        title: 'CTO',
        tags: ['vip', 'newsletter'],
      },
    });
  });

  it('accepts a row with a name only, every other field empty', () => {
    expect(accepted(validateImportRow({ name: 'Ada' }))).toEqual({
      name: 'Ada',
      email: null,
      phone: null,
      company: null,
      title: null,
      tags: [],
    });
  });

  it('trims every value', () => {
    const row = accepted(
      validateImportRow({
        name: '  Ada  ',
        email: ' ada@example.com ',
        phone: ' 123 ',
        company: ' Acme ',
        title: ' CTO ',
        tags: ' vip ',
      }),
    );
    expect(row).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      phone: '123',
      company: 'Acme',
      title: 'CTO',
      tags: ['vip'],
    });
  });

  it('refuses a row without a name', () => {
    const { name: _name, ...withoutName } = good;
    expect(fieldsOf(validateImportRow(withoutName))).toEqual(['name']);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['a tab', '\t'],
  ])('refuses a row whose name is %s', (_case, name) => {
    expect(fieldsOf(validateImportRow({ ...good, name }))).toEqual(['name']);
  });

  it('refuses a name longer than 200 characters, and takes one of 200', () => {
    expect(fieldsOf(validateImportRow({ ...good, name: 'x'.repeat(201) }))).toEqual(['name']);
    expect(accepted(validateImportRow({ ...good, name: 'x'.repeat(200) })).name).toHaveLength(200);
  });

  it.each(['not-an-email', 'ada@', '@example.com', 'ada example.com', 'ada@example'])(
    'refuses the e-mail address %p',
    (email) => {
      expect(refused(validateImportRow({ ...good, email }))).toEqual([
        { field: 'email', message: 'email must be a valid e-mail address' },
      ]);
    },
  );

  it('reports every invalid field of a row', () => {
    expect(fieldsOf(validateImportRow({ ...good, name: ' ', email: 'nope', phone: '9'.repeat(51) }))).toEqual(
      ['email', 'name', 'phone'],
    );
  });

  it('refuses values longer than the contact takes', () => {
    expect(fieldsOf(validateImportRow({ ...good, company: 'c'.repeat(201) }))).toEqual(['company']);
    expect(fieldsOf(validateImportRow({ ...good, title: 't'.repeat(201) }))).toEqual(['title']);
  });

  it.each(['email', 'phone', 'company', 'title'] as const)('makes a blank %s cell null', (column) => {
    expect(accepted(validateImportRow({ ...good, [column]: '' }))[column]).toBeNull();
    expect(accepted(validateImportRow({ ...good, [column]: '   ' }))[column]).toBeNull();
  });

  it('makes a missing optional cell null (a short record)', () => {
    expect(accepted(validateImportRow({ name: 'Ada', email: undefined, phone: undefined }))).toMatchObject({
      email: null,
      phone: null,
      company: null,
      title: null,
    });
  });

  it('splits the tags on ";", trimmed, without blanks or repeats', () => {
    expect(
      accepted(validateImportRow({ ...good, tags: ' vip ; newsletter;;VIP; ; partner ;Newsletter' })).tags,
    ).toEqual(['vip', 'newsletter', 'partner']);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['only separators', ' ; ;; '],
  ])('has no tags when the cell is %s', (_case, tags) => {
    expect(accepted(validateImportRow({ ...good, tags })).tags).toEqual([]);
  });

  it('keeps a comma inside a tag (only ";" separates)', () => {
    expect(accepted(validateImportRow({ ...good, tags: 'a,b;c' })).tags).toEqual(['a,b', 'c']);
  });

  it('refuses a tag longer than 50 characters', () => {
    expect(fieldsOf(validateImportRow({ ...good, tags: `ok;${'t'.repeat(51)}` }))).toEqual(['tags']);
  });

  it.each(['name', 'email', 'phone', 'company', 'title', 'tags'] as const)(
    'refuses a NUL character in %s',
    (column) => {
      const value = column === 'email' ? `ada${NUL}@example.com` : `bad${NUL}value`;
      expect(refused(validateImportRow({ ...good, [column]: value }))).toEqual([
        { field: column, message: `${column} must not contain NUL characters` },
      ]);
    },
  );

  it('ignores columns it does not read, however invalid their values', () => {
    const result = validateImportRow({
      ...good,
      notes: 'x'.repeat(20_000),
      healthscore: '500',
      ownerid: 'not-a-uuid',
      '': 'unnamed column',
    });
    expect(accepted(result)).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0000',
      company: 'Analytical Engines Ltd',
      title: 'CTO',
      tags: ['vip', 'newsletter'],
    });
  });
});
