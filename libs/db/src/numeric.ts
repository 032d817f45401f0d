import { type ValueTransformer } from 'typeorm';

/**
 * `numeric` columns come back from pg as strings (to keep their precision); money and scores of
 * ours fit a double exactly at two decimals, and the API answers them as JSON numbers.
 */
export const numericColumn: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
