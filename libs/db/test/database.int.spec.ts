import { Client } from 'pg';
import {
  Column,
  type DataSource,
  Entity,
  type MigrationInterface,
  PrimaryColumn,
  type QueryRunner,
} from 'typeorm';
import { containsPattern, databaseUrl, ensureDatabase, escapeLike, openDatabase } from '../src';
import { eventually, TestRun } from '@flow-crm/testing';

@Entity('widgets')
class Widget {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  displayName!: string;

  @Column('int')
  stockCount!: number;
}

/** Slow on purpose: two instances that did not wait for each other would both be inside it. */
class CreateWidgets1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('SELECT pg_sleep(0.3)');
    await runner.query(
      'CREATE TABLE widgets (id uuid PRIMARY KEY, display_name text NOT NULL, stock_count int NOT NULL)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE widgets');
  }
}

class AddWidgetColor1700000000001 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query("ALTER TABLE widgets ADD COLUMN color text NOT NULL DEFAULT 'grey'");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE widgets DROP COLUMN color');
  }
}

describe('databases on a real PostgreSQL', () => {
  let run: TestRun;
  let admin: Client;
  const open: DataSource[] = [];

  beforeAll(async () => {
    run = await TestRun.create();
    admin = new Client({ connectionString: databaseUrl(run.infra.postgresUrl, 'postgres') });
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((dataSource) => dataSource.destroy()));
  });

  afterAll(async () => {
    await admin?.end();
    await run?.cleanup();
  });

  const exists = async (database: string) =>
    (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1;

  const openWidgets = async (
    database: string,
    migrations: (new () => MigrationInterface)[] = [CreateWidgets1700000000000],
  ) => {
    const dataSource = await openDatabase({
      url: run.infra.postgresUrl,
      database,
      entities: [Widget],
      migrations,
      poolSize: 2,
    });
    open.push(dataSource);
    return dataSource;
  };

  const appliedMigrations = async (dataSource: DataSource) =>
    ((await dataSource.query('SELECT name FROM migrations ORDER BY id')) as { name: string }[]).map(
      (row) => row.name,
    );

  describe('ensureDatabase', () => {
    it('creates a database that does not exist', async () => {
      const name = run.database('db_ensure_missing');
      expect(await exists(name)).toBe(false);
      await ensureDatabase(run.infra.postgresUrl, name);
      expect(await exists(name)).toBe(true);
    });

    it('leaves an existing database and its data alone', async () => {
      const name = run.database('db_ensure_existing');
      await ensureDatabase(run.infra.postgresUrl, name);
      const client = new Client({ connectionString: databaseUrl(run.infra.postgresUrl, name) });
      await client.connect();
      try {
        await client.query('CREATE TABLE marker (id int)');
        await client.query('INSERT INTO marker VALUES (1)');
        await ensureDatabase(run.infra.postgresUrl, name);
        expect((await client.query('SELECT id FROM marker')).rows).toEqual([{ id: 1 }]);
      } finally {
        await client.end();
      }
    });

    it('creates the database once when three instances start at the same time', async () => {
      // Repeated on fresh names: the window between the existence check and CREATE DATABASE is short.
      for (const round of [1, 2, 3]) {
        const name = run.database(`db_ensure_race_${round}`);
        const results = await Promise.allSettled(
          [1, 2, 3].map(() => ensureDatabase(run.infra.postgresUrl, name)),
        );
        const failures = results.flatMap((r) =>
          r.status === 'rejected' ? [String((r.reason as Error).message)] : [],
        );
        expect(failures).toEqual([]);
        expect(await exists(name)).toBe(true);
      }
    });
  });

  describe('openDatabase', () => {
    let consoleLog: jest.SpyInstance;

    beforeEach(() => {
      // TypeORM prints failed migrations to the console whatever the logging option says.
      consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    });

    afterEach(() => consoleLog.mockRestore());

    it('creates the database, applies the migrations and maps camelCase properties to snake_case columns', async () => {
      const name = run.database('db_open');
      const dataSource = await openWidgets(name);
      expect(await exists(name)).toBe(true);
      expect(await appliedMigrations(dataSource)).toEqual(['CreateWidgets1700000000000']);

      await dataSource
        .getRepository(Widget)
        .insert({ id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b', displayName: 'Gear', stockCount: 3 });
      expect(await dataSource.query('SELECT display_name, stock_count FROM widgets')).toEqual([
        { display_name: 'Gear', stock_count: 3 },
      ]);
    });

    it('runs each migration once when two instances open an existing database at the same time', async () => {
      const name = run.database('db_open_race');
      await ensureDatabase(run.infra.postgresUrl, name);
      const [first, second] = await Promise.all([openWidgets(name), openWidgets(name)]);
      expect(await appliedMigrations(first)).toEqual(['CreateWidgets1700000000000']);
      expect(await second.query("SELECT to_regclass('public.widgets') IS NOT NULL AS present")).toEqual([
        { present: true },
      ]);
    });

    it('runs each migration once when two instances create a fresh database at the same time', async () => {
      const name = run.database('db_open_fresh_race');
      const results = await Promise.allSettled([openWidgets(name), openWidgets(name)]);
      expect(
        results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : [])),
      ).toEqual([]);
      expect(await appliedMigrations(open[0]!)).toEqual(['CreateWidgets1700000000000']);
    });

    it('applies only the new migration when an instance starts with one more', async () => {
      const name = run.database('db_open_upgrade');
      const before = await openWidgets(name);
      await before
        .getRepository(Widget)
        .insert({ id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7c', displayName: 'Bolt', stockCount: 1 });

      const after = await openWidgets(name, [CreateWidgets1700000000000, AddWidgetColor1700000000001]);
      expect(await appliedMigrations(after)).toEqual([
        'CreateWidgets1700000000000',
        'AddWidgetColor1700000000001',
      ]);
      expect(await after.query('SELECT display_name, color FROM widgets')).toEqual([
        { display_name: 'Bolt', color: 'grey' },
      ]);
    });

    it('rolls back a failing migration and fails to open', async () => {
      class Broken1700000000002 implements MigrationInterface {
        async up(runner: QueryRunner): Promise<void> {
          await runner.query('CREATE TABLE half_done (id int)');
          await runner.query('SELECT * FROM no_such_table');
        }

        async down(): Promise<void> {}
      }
      const name = run.database('db_open_broken');
      await expect(openWidgets(name, [CreateWidgets1700000000000, Broken1700000000002])).rejects.toThrow(
        /no_such_table/,
      );

      const client = new Client({ connectionString: databaseUrl(run.infra.postgresUrl, name) });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT name FROM migrations ORDER BY id');
        expect(rows).toEqual([{ name: 'CreateWidgets1700000000000' }]);
        expect((await client.query("SELECT to_regclass('public.half_done') AS t")).rows).toEqual([
          { t: null },
        ]);
      } finally {
        await client.end();
      }
    });

    it('closes its connections when a migration fails', async () => {
      class Broken1700000000003 implements MigrationInterface {
        async up(runner: QueryRunner): Promise<void> {
          await runner.query('SELECT * FROM no_such_table');
        }

        async down(): Promise<void> {}
      }
      const name = run.database('db_open_broken_pool');
      await expect(openWidgets(name, [Broken1700000000003])).rejects.toThrow(/no_such_table/);
      // A backend leaves pg_stat_activity a moment after its client hung up: wait for it, briefly.
      await eventually(async () => {
        const { rows } = await admin.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        expect(rows).toEqual([{ n: 0 }]);
      }, 2_000);
    });
  });

  describe('LIKE patterns', () => {
    const likes = async (value: string, pattern: string) =>
      ((await admin.query('SELECT $1::text ILIKE $2 AS hit', [value, pattern])).rows[0] as { hit: boolean })
        .hit;

    it('matches user input literally, wildcards included', async () => {
      expect(await likes('50% off', containsPattern('50%'))).toBe(true);
      expect(await likes('500 off', containsPattern('50%'))).toBe(false);
      expect(await likes('snake_case', containsPattern('E_C'))).toBe(true);
      expect(await likes('snakeXcase', containsPattern('e_c'))).toBe(false);
      expect(await likes('C:\\temp', containsPattern('c:\\t'))).toBe(true);
      expect(await likes('C:temp', `%${escapeLike('C:\\t')}%`)).toBe(false);
    });

    it('finds a substring in any case', async () => {
      expect(await likes('Acme Corporation', containsPattern(' CORP '))).toBe(true);
    });
  });
});
