import { type Stage } from '../pipelines/stages';

/**
 * Open deals summed by a key (a month `YYYY-MM` of the expected close date, or a stage), as the
 * database groups them: `weightedValue` is the sum of value × probability / 100.
 */
export interface DealSums {
  readonly key: string | null;
  readonly count: number;
  readonly value: number;
  readonly weightedValue: number;
}

export interface MonthForecast {
  month: string;
  count: number;
  value: number;
  weightedValue: number;
}

export interface Forecast {
  totalPipeline: number;
  weightedForecast: number;
  dealsClosingThisMonth: number;
  monthlyForecast: MonthForecast[];
}

export const FORECAST_MONTHS = 6;

/** Money to the cent, so that sums of many deals do not show floating-point dust. */
const cents = (amount: number) => Math.round(amount * 100) / 100;

/** `YYYY-MM` of the UTC month `offset` months from `now`'s. */
export function utcMonth(now: Date, offset = 0): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
}

/**
 * The forecast over open deals from their sums by month: the whole pipeline and its weighted
 * value (deals without an expected close date included), the deals expected to close this UTC
 * month, and the current month and the next five, empty months included.
 */
export function forecast(byMonth: readonly DealSums[], now: Date): Forecast {
  const sums = new Map(byMonth.map((row) => [row.key, row]));
  const monthlyForecast = Array.from({ length: FORECAST_MONTHS }, (_, offset) => {
    const month = utcMonth(now, offset);
    const row = sums.get(month);
    return {
      month,
      count: row?.count ?? 0,
      value: cents(row?.value ?? 0),
      weightedValue: cents(row?.weightedValue ?? 0),
    };
  });
  return {
    totalPipeline: cents(byMonth.reduce((total, row) => total + row.value, 0)),
    weightedForecast: cents(byMonth.reduce((total, row) => total + row.weightedValue, 0)),
    dealsClosingThisMonth: monthlyForecast[0]!.count,
    monthlyForecast,
  };
}

export interface StageStatistics {
  stage: string;
  count: number;
  totalValue: number;
  weightedValue: number;
}

/** Every stage of the pipeline in order, zeros included, from the deals' sums by stage. */
export function stageStatistics(stages: readonly Stage[], byStage: readonly DealSums[]): StageStatistics[] {
  const sums = new Map(byStage.map((row) => [row.key, row]));
  return stages.map((stage) => {
    const row = sums.get(stage.key);
    return {
      stage: stage.key,
      count: row?.count ?? 0,
      totalValue: cents(row?.value ?? 0),
      weightedValue: cents(row?.weightedValue ?? 0),
    };
  });
}
