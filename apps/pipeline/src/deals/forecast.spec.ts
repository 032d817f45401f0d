import { DEFAULT_STAGES, type Stage } from '../pipelines/stages';
import { type DealSums, forecast, FORECAST_MONTHS, stageStatistics, utcMonth } from './forecast';

const sums = (key: string | null, count: number, value: number, weightedValue: number): DealSums => ({
  key,
  count,
  value,
  weightedValue,
});

describe('utcMonth', () => {
  it('is YYYY-MM of the UTC month, offset by whole months', () => {
    const now = new Date('2025-06-15T12:00:00.000Z');
    expect(utcMonth(now)).toBe('2025-06');
    expect(utcMonth(now, 0)).toBe('2025-06');
    expect(utcMonth(now, 1)).toBe('2025-07');
    expect(utcMonth(now, 5)).toBe('2025-11');
    expect(utcMonth(now, -1)).toBe('2025-05');
  });

  it('rolls December over into January of the next year', () => {
    const december = new Date('2025-12-10T08:00:00.000Z');
    expect(Array.from({ length: 6 }, (_, offset) => utcMonth(december, offset))).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
    ]);
    expect(utcMonth(new Date('2025-08-01T00:00:00.000Z'), 5)).toBe('2026-01');
    expect(utcMonth(new Date('2026-01-01T00:00:00.000Z'), -1)).toBe('2025-12');
  });

  it('does not skip a short month from the 31st (the day of the month plays no part)', () => {
    expect(utcMonth(new Date('2025-01-31T12:00:00.000Z'), 1)).toBe('2025-02');
    expect(utcMonth(new Date('2025-03-31T12:00:00.000Z'), 1)).toBe('2025-04');
    expect(utcMonth(new Date('2024-01-31T12:00:00.000Z'), 1)).toBe('2024-02');
  });

  it('is still the old month just before UTC midnight at the end of a month, the new one just after', () => {
    expect(utcMonth(new Date('2025-01-31T23:59:59.999Z'))).toBe('2025-01');
    expect(utcMonth(new Date('2025-02-01T00:00:00.000Z'))).toBe('2025-02');
    expect(utcMonth(new Date('2025-12-31T23:59:59.999Z'))).toBe('2025-12');
    expect(utcMonth(new Date('2026-01-01T00:00:00.000Z'))).toBe('2026-01');
    expect(utcMonth(new Date('2025-12-31T23:59:59.999Z'), 1)).toBe('2026-01');
  });

  it('reads the UTC month of instants written with an offset', () => {
    // 00:30 at +01:00 on 1 February is still 31 January in UTC; 20:00 at -05:00 on 31 January is 1 February.
    expect(utcMonth(new Date('2025-02-01T00:30:00+01:00'))).toBe('2025-01');
    expect(utcMonth(new Date('2025-01-31T20:00:00-05:00'))).toBe('2025-02');
  });
});

describe('forecast', () => {
  const now = new Date('2025-06-15T12:00:00.000Z');

  it('covers the current month and the next five, empty months at zero', () => {
    expect(FORECAST_MONTHS).toBe(6);
    expect(forecast([], now)).toEqual({
      totalPipeline: 0,
      weightedForecast: 0,
      dealsClosingThisMonth: 0,
      monthlyForecast: ['2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'].map((month) => ({
        month,
        count: 0,
        value: 0,
        weightedValue: 0,
      })),
    });
  });

  it('puts each month its sums and leaves the others at zero', () => {
    const result = forecast([sums('2025-08', 2, 3000, 1500), sums('2025-06', 1, 1000, 750)], now);
    expect(result.monthlyForecast).toEqual([
      { month: '2025-06', count: 1, value: 1000, weightedValue: 750 },
      { month: '2025-07', count: 0, value: 0, weightedValue: 0 },
      { month: '2025-08', count: 2, value: 3000, weightedValue: 1500 },
      { month: '2025-09', count: 0, value: 0, weightedValue: 0 },
      { month: '2025-10', count: 0, value: 0, weightedValue: 0 },
      { month: '2025-11', count: 0, value: 0, weightedValue: 0 },
    ]);
    expect(result.dealsClosingThisMonth).toBe(1);
    expect(result.totalPipeline).toBe(4000);
    expect(result.weightedForecast).toBe(2250);
  });

  it('counts deals without an expected close date in the totals only', () => {
    const result = forecast([sums(null, 3, 900, 90), sums('2025-07', 1, 100, 50)], now);
    expect(result.totalPipeline).toBe(1000);
    expect(result.weightedForecast).toBe(140);
    expect(result.dealsClosingThisMonth).toBe(0);
    expect(result.monthlyForecast.reduce((total, month) => total + month.count, 0)).toBe(1);
  });

  it('leaves months before and after the window out of the months but not out of the totals', () => {
    const result = forecast(
      [
        sums('2025-05', 4, 400, 40), // last month: overdue, still open
        sums('2025-12', 5, 500, 50), // the seventh month
        sums('2031-01', 1, 1, 1),
        sums('2025-11', 2, 200, 20), // the sixth month, inside
      ],
      now,
    );
    expect(result.monthlyForecast.map((month) => month.month)).toEqual([
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
    ]);
    expect(result.monthlyForecast[5]).toEqual({ month: '2025-11', count: 2, value: 200, weightedValue: 20 });
    expect(result.monthlyForecast.slice(0, 5).every((month) => month.count === 0)).toBe(true);
    expect(result.totalPipeline).toBe(1101);
    expect(result.weightedForecast).toBe(111);
    expect(result.dealsClosingThisMonth).toBe(0);
  });

  it('rounds every amount to the cent, sums included', () => {
    const result = forecast(
      [sums('2025-06', 1, 0.1, 100 / 3), sums('2025-07', 1, 0.2, 200 / 3), sums(null, 1, 0.005, 0.004)],
      now,
    );
    expect(result.monthlyForecast[0]).toEqual({
      month: '2025-06',
      count: 1,
      value: 0.1,
      weightedValue: 33.33,
    });
    expect(result.monthlyForecast[1]).toEqual({
      month: '2025-07',
      count: 1,
      value: 0.2,
      weightedValue: 66.67,
    });
    // 0.1 + 0.2 + 0.005 is 0.30500000000000005 in floating point.
    expect(result.totalPipeline).toBe(0.31);
    expect(result.weightedForecast).toBe(100);
  });

  it('starts the window at the UTC month of `now`, across a year end', () => {
    const result = forecast(
      [sums('2026-01', 2, 20, 10), sums('2025-12', 1, 10, 5)],
      new Date('2025-12-31T23:59:59.999Z'),
    );
    expect(result.monthlyForecast.map((month) => month.month)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
    ]);
    expect(result.dealsClosingThisMonth).toBe(1);
    expect(result.monthlyForecast[1]).toMatchObject({ count: 2, value: 20 });

    const justAfter = forecast([sums('2025-12', 1, 10, 5)], new Date('2026-01-01T00:00:00.000Z'));
    expect(justAfter.monthlyForecast[0]!.month).toBe('2026-01');
    expect(justAfter.dealsClosingThisMonth).toBe(0);
    expect(justAfter.totalPipeline).toBe(10);
  });
});

describe('stageStatistics', () => {
  it('answers every stage in the pipeline order, zeros included', () => {
    const result = stageStatistics(DEFAULT_STAGES, [
      sums('closed_won', 1, 500, 500),
      sums('qualified', 2, 1000, 250),
    ]);
    expect(result).toEqual([
      { stage: 'prospect', count: 0, totalValue: 0, weightedValue: 0 },
      { stage: 'qualified', count: 2, totalValue: 1000, weightedValue: 250 },
      { stage: 'proposal', count: 0, totalValue: 0, weightedValue: 0 },
      { stage: 'negotiation', count: 0, totalValue: 0, weightedValue: 0 },
      { stage: 'closed_won', count: 1, totalValue: 500, weightedValue: 500 },
      { stage: 'closed_lost', count: 0, totalValue: 0, weightedValue: 0 },
    ]);
  });

  it('follows the order of custom stages, not the order of the sums', () => {
    const stages: Stage[] = [
      { key: 'zeta', name: 'Zeta', probability: 10, isWon: false, isLost: false },
      { key: 'alpha', name: 'Alpha', probability: 90, isWon: true, isLost: false },
    ];
    expect(stageStatistics(stages, [sums('alpha', 1, 10, 9), sums('zeta', 3, 30, 3)])).toEqual([
      { stage: 'zeta', count: 3, totalValue: 30, weightedValue: 3 },
      { stage: 'alpha', count: 1, totalValue: 10, weightedValue: 9 },
    ]);
  });

  it('leaves out sums of keys that are no stage of the pipeline', () => {
    const result = stageStatistics(DEFAULT_STAGES, [sums('gone', 7, 700, 70), sums(null, 1, 1, 1)]);
    expect(result).toHaveLength(6);
    expect(result.every((row) => row.count === 0 && row.totalValue === 0 && row.weightedValue === 0)).toBe(
      true,
    );
  });

  it('rounds amounts to the cent', () => {
    const [first] = stageStatistics(DEFAULT_STAGES, [sums('prospect', 3, 0.1 + 0.2, 1 / 3)]);
    expect(first).toEqual({ stage: 'prospect', count: 3, totalValue: 0.3, weightedValue: 0.33 });
  });

  it('answers an empty list for a pipeline without stages', () => {
    expect(stageStatistics([], [sums('prospect', 1, 1, 1)])).toEqual([]);
  });
});
