import { Client } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './naming.strategy';

export interface DatabaseOptions {
  /** Server URL without a database name, e.g. postgres://postgres@127.0.0.1:5432 */
  readonly url: string;
  /** The service's own database, e.g. crm_identity; created when missing. */
  readonly database: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function | string>;
  readonly poolSize?: number;
  readonly logQueries?: boolean;
}

/** The URL of one database on the server `url` points at. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates the database when it does not exist; safe when several instances start at once. */
export async function ensureDatabase(url: string, database: string): Promise<void> {
  if (!IDENTIFIER.test(database)) throw new Error(`invalid database name: ${database}`);
  const client = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE "${database}"`);
  } catch (error) {
    // Another instance created it between our check and our CREATE: PostgreSQL says so either as
    // 42P04 (duplicate_database) or, when the two CREATEs overlap, as 23505 on pg_database.
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl(options.url, options.database),
    entities: options.entities,
    migrations: options.migrations,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // Failed queries are not logged here: their parameters can hold password hashes and tokens.
    logging: options.logQueries ? 'all' : false,
    extra: { max: options.poolSize ?? 10, application_name: options.database },
  };
}

/**
 * Creates the database if needed, connects, and applies pending migrations. Migrations run
 * under an advisory lock so that instances starting together do not race.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  await ensureDatabase(options.url, options.database);
  return initializeAndMigrate(new DataSource(dataSourceOptions(options)));
}

/** Connects and migrates; a failed migration closes the pool instead of leaking it. */
export async function initializeAndMigrate(dataSource: DataSource): Promise<DataSource> {
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}

const MIGRATION_LOCK = 7_261_100;

export async function runMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
