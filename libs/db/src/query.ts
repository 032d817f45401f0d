import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { containsPattern } from './sql';

/** A SQL condition on a query's alias, with its named parameters. */
export interface Condition {
  readonly sql: string;
  readonly params: Record<string, unknown>;
}

/**
 * Joins the searched fields of a table's generated `search_text` column (see the migrations); a
 * search never holds it, so that it cannot match across two fields.
 */
export const SEARCH_FIELD_SEPARATOR = String.fromCharCode(31);

/**
 * A case-insensitive substring search on `alias.search_text`, served by its trigram index; none for
 * a search that is blank once the separator is stripped.
 */
export function searchCondition(alias: string, search: string | undefined): Condition[] {
  const text = search?.replaceAll(SEARCH_FIELD_SEPARATOR, '').trim();
  return text
    ? [{ sql: `${alias}.search_text LIKE :search`, params: { search: containsPattern(text) } }]
    : [];
}

/** Rows of `alias` carrying the tag (records hold tags as the catalog spells them). */
export function tagCondition(alias: string, tag: string | undefined): Condition[] {
  return tag ? [{ sql: `${alias}.tags @> ARRAY[:tag]::text[]`, params: { tag } }] : [];
}

export function applyConditions<T extends ObjectLiteral>(
  builder: SelectQueryBuilder<T>,
  conditions: readonly Condition[],
): SelectQueryBuilder<T> {
  for (const condition of conditions) builder.andWhere(condition.sql, condition.params);
  return builder;
}

/** How a list may be sorted: the SQL of each sortable field, which of them can be null, the id column. */
export interface Sorting<F extends string> {
  readonly columns: Readonly<Record<F, string>>;
  readonly nullable?: readonly F[];
  readonly id: string;
}

/** `field` ascending or `-field` descending. */
export type SortKey<F extends string> = F | `-${F}`;

export interface OrderTerm {
  readonly expression: string;
  readonly direction: 'ASC' | 'DESC';
  /** Only for columns that can be null: the planner matches an index only on the same null ordering. */
  readonly nulls?: 'NULLS FIRST' | 'NULLS LAST';
}

/** Every value a list's `sort` parameter accepts. */
export function sortKeys<F extends string>(sorting: Sorting<F>): SortKey<F>[] {
  return (Object.keys(sorting.columns) as F[]).flatMap((field) => [field, `-${field}` as const]);
}

/**
 * ORDER BY terms for `sort`: the field, then the id in the same direction so that pages never
 * overlap. Missing values come last descending and first ascending, which is exactly the
 * reverse, so one index (`DESC NULLS LAST`) serves both directions.
 */
export function orderTerms<F extends string>(sort: SortKey<F>, sorting: Sorting<F>): OrderTerm[] {
  const descending = sort.startsWith('-');
  const field = (descending ? sort.slice(1) : sort) as F;
  const direction = descending ? 'DESC' : 'ASC';
  const nulls = sorting.nullable?.includes(field) ? (descending ? 'NULLS LAST' : 'NULLS FIRST') : undefined;
  return [
    { expression: sorting.columns[field], direction, ...(nulls ? { nulls } : {}) },
    { expression: sorting.id, direction },
  ];
}

export function applyOrder<T extends ObjectLiteral>(
  builder: SelectQueryBuilder<T>,
  terms: readonly OrderTerm[],
): SelectQueryBuilder<T> {
  for (const term of terms) builder.addOrderBy(term.expression, term.direction, term.nulls);
  return builder;
}

/** One page of a query and the total it pages through, read in parallel. */
export function readPage<T extends ObjectLiteral>(
  builder: SelectQueryBuilder<T>,
  window: { readonly skip: number; readonly take: number },
): Promise<[T[], number]> {
  return Promise.all([
    builder.clone().offset(window.skip).limit(window.take).getMany(),
    builder.clone().orderBy().getCount(),
  ]);
}
