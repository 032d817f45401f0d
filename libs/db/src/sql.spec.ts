import { containsPattern, escapeLike } from './sql';

describe('escapeLike', () => {
  it.each([
    ['plain text', 'plain text'],
    ['100%', '100\\%'],
    ['snake_case', 'snake\\_case'],
    ['C:\\temp', 'C:\\\\temp'],
    ['%_\\', '\\%\\_\\\\'],
    ['', ''],
  ])('escapes %p as %p', (input, escaped) => {
    expect(escapeLike(input)).toBe(escaped);
  });

  it('escapes every occurrence, not just the first', () => {
    expect(escapeLike('a%b%c_d_e')).toBe('a\\%b\\%c\\_d\\_e');
  });
});

describe('containsPattern', () => {
  it('wraps the trimmed, lower-cased input in % wildcards', () => {
    expect(containsPattern('  Acme Corp ')).toBe('%acme corp%');
  });

  it('escapes wildcards typed by the user', () => {
    expect(containsPattern('50%_OFF')).toBe('%50\\%\\_off%');
  });

  it('matches everything for blank input', () => {
    expect(containsPattern('   ')).toBe('%%');
  });
});
