import { numericColumn } from './numeric';

describe('numericColumn', () => {
  it('reads pg numeric text as a number and keeps null', () => {
    expect(numericColumn.from('1234567890123.45')).toBe(1234567890123.45);
    expect(numericColumn.from('0.00')).toBe(0);
    expect(numericColumn.from(null)).toBeNull();
  });

  it('writes numbers as they are', () => {
    expect(numericColumn.to(19.99)).toBe(19.99);
    expect(numericColumn.to(null)).toBeNull();
  });
});
