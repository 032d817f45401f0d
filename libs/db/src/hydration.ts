import { type EntityMetadata, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { type ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { DriverUtils } from 'typeorm/driver/DriverUtils';

export type RawRow = Record<string, unknown>;

/**
 * Makes entities of the raw rows of `builder`'s query as TypeORM would — the same column aliases,
 * the driver's value preparation and the columns' transformers — without its generic transformer
 * for relations and embedded columns, which took a tenth of a list request's CPU. Only for queries
 * of one entity's own columns: a query with joins is refused.
 */
export function hydrator<T extends ObjectLiteral>(builder: SelectQueryBuilder<T>): (row: RawRow) => T {
  assertHydratable(builder);
  const alias = builder.expressionMap.mainAlias!;
  const metadata = alias.metadata;
  const driver = builder.connection.driver;
  // A column a row does not carry (not selected) stays unset, as TypeORM leaves it.
  const columns = valueColumns(metadata).map((column) => ({
    column,
    key: DriverUtils.buildAlias(driver, undefined, alias.name, column.databaseName),
  }));
  return (row) => {
    const entity = metadata.create() as T;
    for (const { column, key } of columns) {
      const value = row[key];
      if (value === undefined) continue;
      (entity as Record<string, unknown>)[column.propertyName] = driver.prepareHydratedValue(value, column);
    }
    return entity;
  };
}

/** Refuses a query the hydrator cannot read: joins, a sub-query, embedded columns. */
/**
 * The columns holding an entity's own values: not virtual, and not a relation's foreign key column
 * without a property of its own (that is the relation's business).
 */
export function valueColumns(metadata: EntityMetadata): ColumnMetadata[] {
  return metadata.columns.filter(
    (column) => !column.isVirtual && column.relationMetadata?.propertyName !== column.propertyName,
  );
}

export function assertHydratable<T extends ObjectLiteral>(builder: SelectQueryBuilder<T>): void {
  const { mainAlias, joinAttributes } = builder.expressionMap;
  if (!mainAlias?.hasMetadata || joinAttributes.length > 0 || mainAlias.metadata.embeddeds.length > 0)
    throw new Error('hydrator: only a query of one entity without joins or embedded columns');
}
