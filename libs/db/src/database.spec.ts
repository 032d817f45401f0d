import { dataSourceOptions, databaseUrl, ensureDatabase } from './database';
import { SnakeNamingStrategy } from './naming.strategy';

describe('databaseUrl', () => {
  it('appends the database to a server URL', () => {
    expect(databaseUrl('postgres://postgres@127.0.0.1:5432', 'crm_contacts')).toBe(
      'postgres://postgres@127.0.0.1:5432/crm_contacts',
    );
  });

  it('replaces a database already in the URL', () => {
    expect(databaseUrl('postgres://postgres@127.0.0.1:5432/postgres', 'crm_pipeline')).toBe(
      'postgres://postgres@127.0.0.1:5432/crm_pipeline',
    );
  });

  it('keeps credentials and query parameters', () => {
    expect(databaseUrl('postgres://app:s3cr%40t@db.internal:6432/x?sslmode=require', 'crm_ai')).toBe(
      'postgres://app:s3cr%40t@db.internal:6432/crm_ai?sslmode=require',
    );
  });

  it('refuses something that is not a URL', () => {
    expect(() => databaseUrl('127.0.0.1:5432', 'crm_ai')).toThrow();
  });
});

describe('dataSourceOptions', () => {
  const options = dataSourceOptions({
    url: 'postgres://postgres@127.0.0.1:5432',
    database: 'crm_support',
    entities: [],
    migrations: [],
  });

  it('points at the service database with snake_case naming', () => {
    expect(options).toMatchObject({
      type: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/crm_support',
    });
    expect(options.namingStrategy).toBeInstanceOf(SnakeNamingStrategy);
  });

  it('never synchronizes the schema and leaves migrations to runMigrations', () => {
    expect(options).toMatchObject({
      synchronize: false,
      migrationsRun: false,
      migrationsTransactionMode: 'each',
    });
  });

  it('does not log queries unless asked, with a pool of 10 named after the database', () => {
    expect(options.logging).toBe(false);
    expect(options.extra).toEqual({ max: 10, application_name: 'crm_support' });
  });

  it('honours the pool size and query logging it is given', () => {
    const custom = dataSourceOptions({
      url: 'postgres://h',
      database: 'd',
      entities: [],
      migrations: [],
      poolSize: 3,
      logQueries: true,
    });
    expect(custom.logging).toBe('all');
    expect(custom.extra).toMatchObject({ max: 3 });
  });
});

describe('ensureDatabase', () => {
  it.each(['Crm', 'crm-contacts', '1crm', 'crm"; DROP DATABASE postgres; --', '', 'x'.repeat(64)])(
    'refuses the name %p before connecting anywhere',
    async (name) => {
      // Port 9 (discard) is closed: a connection attempt would fail with ECONNREFUSED instead.
      await expect(ensureDatabase('postgres://postgres@127.0.0.1:9', name)).rejects.toThrow(
        `invalid database name: ${name}`,
      );
    },
  );
});
