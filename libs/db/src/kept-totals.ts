import { LRUCache } from 'lru-cache';
import { type EntityManager, type ObjectLiteral, type QueryRunner, type SelectQueryBuilder } from 'typeorm';
import { assertHydratable, hydrator, type RawRow } from './hydration';

/** Totals kept at once per process: a key and a number each, a few megabytes at most. */
const KEPT = 20_000;
const GENERATION = '__generation';
/** Computed values (forecasts, boards) kept at once per process: larger, so fewer. */
const KEPT_VALUES = 2_000;

/**
 * Pages of a large list with the list's total. Counting 100,000 rows for every page costs tens of
 * milliseconds, so a total is kept per (organization, generation, query). An organization's
 * generation moves on with every transaction that changes its rows, in whatever instance: a trigger
 * bumps one of the organization's rows in the generations table (`organization_id`, `shard`,
 * `generation`), the shard chosen by transaction id so that concurrent writers seldom queue on one
 * row. The generation read is all the shards together, so a kept total is never older than the
 * data.
 *
 * The generation is read in the same statement as the page (one round trip) and before the count:
 * a change committed in between makes a count newer than its key, never older.
 */
export class KeptTotals {
  private readonly totals = new LRUCache<string, number>({ max: KEPT });
  private readonly values = new LRUCache<string, { value: unknown }>({ max: KEPT_VALUES });
  private readonly hydrators = new Map<string, (row: RawRow) => ObjectLiteral>();

  /** @param generations the generations table the triggers of the listed table keep. */
  constructor(private readonly generations: string) {}

  private generationOf(organization: string): string {
    return `SELECT string_agg(g.shard || ':' || g.generation, ',' ORDER BY g.shard) AS generation FROM ${this.generations} g WHERE g.organization_id = ${organization}`;
  }

  async readPage<T extends ObjectLiteral>(
    builder: SelectQueryBuilder<T>,
    organizationId: string,
    window: { readonly skip: number; readonly take: number },
  ): Promise<[T[], number]> {
    assertHydratable(builder);
    const [sql, parameters] = builder
      .clone()
      .addSelect(`(${this.generationOf(`:${GENERATION}Organization`)})`, GENERATION)
      .setParameter(`${GENERATION}Organization`, organizationId)
      .getQueryAndParameters();
    // The builder's own query runner, when it has one: inside a transaction, the page reads it.
    const runner = runnerOf(builder);
    const query = (text: string, values: unknown[]) =>
      builder.connection.query(text, values, runner) as Promise<RawRow[]>;
    // The window is two integers (validated by the page query DTO), appended as TypeORM would.
    const rows = await query(
      `${sql} LIMIT ${Math.trunc(window.take)} OFFSET ${Math.trunc(window.skip)}`,
      parameters,
    );
    const entities = rows.map(this.hydratorFor(builder));
    // A transaction sees its own uncommitted generation, which may never be committed: its totals
    // are counted and not kept.
    if (runner?.isTransactionActive) return [entities, await builder.clone().orderBy().getCount()];
    // A page past the end has no row to carry the generation.
    const generation =
      rows.length > 0
        ? rows[0]![GENERATION]
        : (await query(this.generationOf('$1'), [organizationId]))[0]?.generation;
    // The page's SQL says what the list selects (its order too, which only splits the kept totals).
    const key = JSON.stringify([organizationId, generation ?? '', sql, parameters]);
    let total = this.totals.get(key);
    if (total === undefined) {
      total = await builder.clone().orderBy().getCount();
      this.totals.set(key, total);
    }
    return [entities, total];
  }

  /**
   * A value computed from the organization's rows (a forecast, a board), kept until they change:
   * the same generations decide, read first, so a kept value is never older than the data. `key`
   * says what else the value depends on (the caller's scope, the month, a pipeline's version).
   * Inside a transaction the value is computed and not kept.
   */
  async kept<V>(
    manager: EntityManager,
    organizationId: string,
    key: readonly unknown[],
    compute: () => Promise<V>,
  ): Promise<V> {
    if (manager.queryRunner?.isTransactionActive) return compute();
    const rows = (await manager.query(this.generationOf('$1'), [organizationId])) as RawRow[];
    const cacheKey = JSON.stringify([organizationId, rows[0]?.generation ?? '', ...key]);
    const known = this.values.get(cacheKey);
    if (known) return known.value as V;
    const value = await compute();
    this.values.set(cacheKey, { value });
    return value;
  }

  private hydratorFor<T extends ObjectLiteral>(builder: SelectQueryBuilder<T>): (row: RawRow) => T {
    const metadata = builder.expressionMap.mainAlias!.metadata;
    const key = `${builder.alias}:${metadata.name}`;
    let hydrate = this.hydrators.get(key);
    if (!hydrate) {
      hydrate = hydrator(builder) as (row: RawRow) => ObjectLiteral;
      this.hydrators.set(key, hydrate);
    }
    return hydrate as (row: RawRow) => T;
  }
}

/** The query runner a builder was made with (a transaction's), which TypeORM keeps protected. */
function runnerOf(builder: SelectQueryBuilder<ObjectLiteral>): QueryRunner | undefined {
  return (builder as unknown as { queryRunner?: QueryRunner }).queryRunner;
}
