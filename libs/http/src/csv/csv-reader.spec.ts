import { normalizeHeader } from './csv-reader';

describe('normalizeHeader', () => {
  it('lower-cases and trims each column name, in order', () => {
    expect(normalizeHeader(['Name', ' EMAIL ', '\tPhone', 'Company\t', 'tItLe', ' Tags '])).toEqual([
      'name',
      'email',
      'phone',
      'company',
      'title',
      'tags',
    ]);
  });

  it('keeps columns it does not know, and blank ones, in place', () => {
    expect(normalizeHeader(['Notes', '', '  ', 'Name'])).toEqual(['notes', '', '', 'name']);
  });

  it('leaves the given header untouched', () => {
    const header = [' Name '];
    normalizeHeader(header);
    expect(header).toEqual([' Name ']);
  });
});
