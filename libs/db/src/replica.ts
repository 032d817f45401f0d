import { type EntityManager } from 'typeorm';

/**
 * Writes a replica's row (column → value, `id` and `aggregate_version` included) unless the
 * replica already holds that version or a later one, in one statement: a redelivered or
 * out-of-order event changes nothing, and two consumers of the same row serialize on its lock.
 * Returns whether the row was written. `table` and the column names are the caller's constants.
 */
export async function upsertNewer(
  manager: EntityManager,
  table: string,
  row: Readonly<Record<string, unknown>> & { id: string; aggregate_version: number },
): Promise<boolean> {
  const columns = Object.keys(row);
  const updates = columns
    .filter((column) => column !== 'id')
    .map((column) => `${column} = EXCLUDED.${column}`);
  const written: unknown[] = await manager.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}
     WHERE ${table}.aggregate_version < EXCLUDED.aggregate_version
     RETURNING id`,
    columns.map((column) => row[column]),
  );
  return written.length > 0;
}
