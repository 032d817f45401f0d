import { type EntityManager } from 'typeorm';
import { formatLeadNumber, nextLeadNumber, nextLeadNumbers } from './lead-number';

describe('formatLeadNumber', () => {
  it.each([
    [1, 'LEAD-000001'],
    [42, 'LEAD-000042'],
    [100_000, 'LEAD-100000'],
    [999_999, 'LEAD-999999'],
  ])('pads %d to six digits', (n, expected) => {
    expect(formatLeadNumber(n)).toBe(expected);
  });

  it.each([
    [1_000_000, 'LEAD-1000000'],
    [12_345_678, 'LEAD-12345678'],
  ])('lets %d grow wider past 999999, never truncating it', (n, expected) => {
    expect(formatLeadNumber(n)).toBe(expected);
  });

  it('keeps numbers in order when sorted as text up to 999999', () => {
    const numbers = [5, 10, 99, 100, 999_999].map(formatLeadNumber);
    expect([...numbers].sort()).toEqual(numbers);
  });
});

/** A manager whose counter query answers `last` (bigint comes back as text), recording the calls. */
function counter(last: string) {
  const calls: unknown[][] = [];
  const manager = {
    query: (sql: string, params: unknown[]) => {
      calls.push([sql, params]);
      return Promise.resolve([{ last_number: last }]);
    },
  } as unknown as EntityManager;
  return { manager, calls };
}

describe('nextLeadNumber', () => {
  it("takes one number of the organization's counter and formats it", async () => {
    const { manager, calls } = counter('42');
    await expect(nextLeadNumber(manager, 'org-1')).resolves.toBe('LEAD-000042');
    expect(calls).toHaveLength(1);
    expect(calls[0]![1]).toEqual(['org-1', 1]);
  });

  it('formats a counter past 999999 wider', async () => {
    await expect(nextLeadNumber(counter('1000000').manager, 'org-1')).resolves.toBe('LEAD-1000000');
  });
});

describe('nextLeadNumbers', () => {
  it('answers the consecutive numbers that end at the counter, in order, in one query', async () => {
    const { manager, calls } = counter('12');
    await expect(nextLeadNumbers(manager, 'org-2', 3)).resolves.toEqual([
      'LEAD-000010',
      'LEAD-000011',
      'LEAD-000012',
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]![1]).toEqual(['org-2', 3]);
  });

  it('widens the numbers of a batch that crosses 999999 from there on', async () => {
    await expect(nextLeadNumbers(counter('1000001').manager, 'org-3', 3)).resolves.toEqual([
      'LEAD-999999',
      'LEAD-1000000',
      'LEAD-1000001',
    ]);
  });
});
