/**
 * The statements that give `table` its generations for KeptTotals: a generations table of
 * (organization, shard, generation) and statement-level triggers that, for every statement changing
 * rows of `table`, bump the shard of the writing transaction (`txid_current() % 16`: concurrent
 * writers seldom queue on one row, and one transaction never locks two shards) for each organization
 * the statement touched. Migrations run these; what a migration ran must never change, so a different
 * shape gets a new function rather than an edit of this one.
 */
export function generationsSql(table: string): string[] {
  const generations = generationsTable(table);
  const bump = `bump_${singular(table)}_generation`;
  return [
    `CREATE TABLE ${generations} (
       organization_id uuid NOT NULL,
       shard           smallint NOT NULL,
       generation      bigint NOT NULL,
       PRIMARY KEY (organization_id, shard)
     )`,
    `CREATE FUNCTION ${bump}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO ${generations} AS g (organization_id, shard, generation)
       SELECT DISTINCT organization_id, (txid_current() % 16)::smallint, 1 FROM changed_rows
       ORDER BY organization_id
       ON CONFLICT (organization_id, shard) DO UPDATE SET generation = g.generation + 1;
       RETURN NULL;
     END $$`,
    ...(
      [
        ['INSERT', 'NEW'],
        ['UPDATE', 'NEW'],
        ['DELETE', 'OLD'],
      ] as const
    ).map(
      ([event, rows]) =>
        `CREATE TRIGGER ${table}_${event.toLowerCase()}_generation AFTER ${event} ON ${table}
         REFERENCING ${rows} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ${bump}()`,
    ),
  ];
}

/** What `generationsSql` created, for a migration's `down`. */
export function dropGenerationsSql(table: string): string[] {
  return [`DROP TABLE ${generationsTable(table)}`, `DROP FUNCTION bump_${singular(table)}_generation()`];
}

/** The generations table of `table` (`deals` → `deal_generations`), for KeptTotals. */
export function generationsTable(table: string): string {
  return `${singular(table)}_generations`;
}

const singular = (table: string): string => table.replace(/s$/, '');
