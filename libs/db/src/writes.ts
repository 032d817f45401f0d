import { type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { valueColumns } from './hydration';

/**
 * Writes every column of an aggregate loaded (and locked) in this transaction, raising its version
 * and `updatedAt` as TypeORM's save would, in one statement: save() first reads the row again to
 * work out what changed. The entity gets the new version and `updatedAt` back.
 */
export async function updateLoaded<
  T extends ObjectLiteral & { id: string; version: number; updatedAt: Date },
>(manager: EntityManager, target: EntityTarget<T>, entity: T): Promise<T> {
  const metadata = manager.connection.getMetadata(target);
  const values: Record<string, unknown> = {};
  for (const column of valueColumns(metadata)) {
    if (
      column.isPrimary ||
      column.isVersion ||
      column.isUpdateDate ||
      column.isCreateDate ||
      column.isGenerated
    )
      continue;
    values[column.propertyName] = entity[column.propertyName];
  }
  const result = await manager
    .createQueryBuilder()
    .update(target)
    .set({ ...values, version: () => 'version + 1', updatedAt: () => 'now()' } as never)
    .where('id = :id', { id: entity.id })
    .returning('version, updated_at')
    .execute();
  const row = (result.raw as { version: number; updated_at: Date }[])[0];
  if (!row) throw new Error(`updateLoaded: ${metadata.name} ${entity.id} is gone`);
  Object.assign(entity, { version: row.version, updatedAt: row.updated_at });
  return entity;
}

/**
 * Inserts a new entity in one statement (save() would first look for its id), the database's
 * defaults (timestamps, the first version) coming back into it.
 */
export async function insertNew<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  entity: T,
): Promise<T> {
  await manager.insert(target, entity as never);
  return entity;
}
