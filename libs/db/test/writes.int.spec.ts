import { TestRun } from '@flow-crm/testing';
import {
  Column,
  type DataSource,
  DeleteDateColumn,
  Entity,
  type MigrationInterface,
  PrimaryColumn,
  type QueryRunner,
} from 'typeorm';
import { AggregateRoot, insertNew, newId, numericColumn, openDatabase, updateLoaded } from '../src';

@Entity('widgets')
class Widget extends AggregateRoot {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('numeric', { precision: 12, scale: 2, transformer: numericColumn })
  price!: number;

  @Column('text', { array: true })
  tags!: string[];

  @Column('text', { nullable: true })
  note!: string | null;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt!: Date | null;
}

class CreateWidgets1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE widgets (
        id uuid PRIMARY KEY, name text NOT NULL, price numeric(12, 2) NOT NULL, tags text[] NOT NULL,
        note text, version integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE widgets');
  }
}

describe('writing aggregates in one statement', () => {
  let run: TestRun;
  let dataSource: DataSource;

  beforeAll(async () => {
    run = await TestRun.create();
    dataSource = await openDatabase({
      url: run.infra.postgresUrl,
      database: run.database('db_writes'),
      entities: [Widget],
      migrations: [CreateWidgets1700000000000],
    });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await run?.cleanup();
  });

  const widget = (fields: Partial<Widget> = {}) =>
    dataSource.manager.create(Widget, {
      id: newId(),
      name: 'Cog',
      price: 9.5,
      tags: ['a'],
      note: null,
      ...fields,
    });
  const statements = () => {
    const logged: string[] = [];
    const original = dataSource.driver.createQueryRunner.bind(dataSource.driver);
    jest.spyOn(dataSource.driver, 'createQueryRunner').mockImplementation((mode) => {
      const runner = original(mode);
      const query = runner.query.bind(runner);
      runner.query = ((sql: string, ...rest: unknown[]) => {
        if (!/^(START TRANSACTION|COMMIT|ROLLBACK)/.test(sql)) logged.push(sql);
        return (query as (...args: unknown[]) => unknown)(sql, ...rest);
      }) as typeof runner.query;
      return runner;
    });
    return logged;
  };
  afterEach(() => jest.restoreAllMocks());

  it('inserts a new aggregate with one INSERT, its first version and timestamps coming back', async () => {
    const logged = statements();
    const fresh = widget();
    const inserted = await dataSource.transaction((manager) => insertNew(manager, Widget, fresh));
    expect(inserted).toBe(fresh);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^INSERT INTO "widgets"/);
    expect(inserted.version).toBe(1);
    expect(inserted.createdAt).toBeInstanceOf(Date);
    expect(await dataSource.manager.findOneByOrFail(Widget, { id: fresh.id })).toMatchObject({
      name: 'Cog',
      price: 9.5,
      tags: ['a'],
      version: 1,
    });
  });

  it('writes every column of a loaded aggregate with one UPDATE, raising its version and updatedAt', async () => {
    const saved = await dataSource.manager.save(widget());
    const loaded = await dataSource.manager.findOneByOrFail(Widget, { id: saved.id });
    const logged = statements();
    await new Promise((resolve) => setTimeout(resolve, 5));
    loaded.name = 'Sprocket';
    loaded.price = 12.25;
    loaded.tags = ['b', 'c'];
    loaded.note = 'oiled';
    const updated = await dataSource.transaction((manager) => updateLoaded(manager, Widget, loaded));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^UPDATE "widgets"/);
    expect(updated.version).toBe(saved.version + 1);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(saved.updatedAt.getTime());
    const read = await dataSource.manager.findOneByOrFail(Widget, { id: saved.id });
    expect(read).toMatchObject({ name: 'Sprocket', price: 12.25, tags: ['b', 'c'], note: 'oiled' });
    expect(read.version).toBe(updated.version);
    expect(read.updatedAt.getTime()).toBe(updated.updatedAt.getTime());
    expect(read.createdAt.getTime()).toBe(saved.createdAt.getTime());
  });

  it('clears a column set to null and writes a soft delete', async () => {
    const saved = await dataSource.manager.save(widget({ note: 'keep?' }));
    saved.note = null;
    saved.deletedAt = new Date();
    await dataSource.transaction((manager) => updateLoaded(manager, Widget, saved));
    const read = await dataSource.manager.findOneOrFail(Widget, {
      where: { id: saved.id },
      withDeleted: true,
    });
    expect(read.note).toBeNull();
    expect(read.deletedAt).toBeInstanceOf(Date);
  });

  it('refuses to update a row that is gone', async () => {
    const ghost = widget();
    ghost.version = 1;
    await expect(dataSource.transaction((manager) => updateLoaded(manager, Widget, ghost))).rejects.toThrow(
      /gone/,
    );
  });
});
