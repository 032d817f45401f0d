import { stringify } from 'csv-stringify';
import { finished, type Readable } from 'node:stream';
import { type DataSource, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

/**
 * Streams what `builder` selects as CSV with a header row, straight from a database cursor: memory
 * stays flat whatever the number of rows, and the connection is released however the stream ends.
 * `columns` are [header, SQL expression] pairs; dates are written as ISO 8601.
 */
export async function streamCsv<T extends ObjectLiteral>(
  dataSource: DataSource,
  builder: SelectQueryBuilder<T>,
  columns: readonly (readonly [string, string])[],
): Promise<Readable> {
  builder.select([]);
  for (const [alias, expression] of columns) builder.addSelect(expression, alias);
  const runner = dataSource.createQueryRunner('slave');
  await runner.connect();
  try {
    const rows = await builder.setQueryRunner(runner).stream();
    const csv = stringify({
      header: true,
      columns: columns.map(([alias]) => alias),
      cast: { date: (date) => date.toISOString() },
    });
    rows.on('error', (error) => csv.destroy(error));
    csv.on('close', () => rows.destroy());
    finished(rows, () => void runner.release());
    return rows.pipe(csv);
  } catch (error) {
    await runner.release();
    throw error;
  }
}
