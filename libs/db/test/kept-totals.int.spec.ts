import {
  Column,
  type DataSource,
  Entity,
  type EntityManager,
  JoinColumn,
  ManyToOne,
  type MigrationInterface,
  PrimaryColumn,
  type QueryRunner,
  type Repository,
  SelectQueryBuilder,
} from 'typeorm';
import {
  AggregateRoot,
  generationsSql,
  hydrator,
  KeptTotals,
  newId,
  numericColumn,
  openDatabase,
  type RawRow,
} from '../src';
import { TestRun } from '@flow-crm/testing';

/** What the jsonb column holds. */
interface Specs {
  weight?: number;
  size?: { width: number; height: number };
  colors?: string[];
  fragile?: boolean;
  maker?: string | null;
  long?: boolean;
}

@Entity('gadgets')
class Gadget extends AggregateRoot {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  @Column('text')
  name!: string;

  @Column('numeric', { precision: 12, scale: 2, transformer: numericColumn })
  price!: number;

  @Column('timestamptz')
  madeAt!: Date;

  @Column('jsonb', { nullable: true })
  specs!: Specs | null;

  @Column('text', { array: true, nullable: true })
  tags!: string[] | null;

  @Column('int')
  stock!: number;

  @Column('text', { nullable: true })
  note!: string | null;
}

/** A gadget's part: a foreign key declared as a column and as a relation, and a column not selected by default. */
@Entity('parts')
class Part {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  gadgetId!: string;

  @ManyToOne(() => Gadget)
  @JoinColumn({ name: 'gadget_id' })
  gadget?: Gadget;

  @Column('text')
  label!: string;

  @Column('text', { nullable: true, select: false })
  secret!: string | null;
}

/** Gadgets and their generations (generationsSql), as the services' migrations make them. */
class CreateGadgets1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE gadgets (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name            text NOT NULL,
        price           numeric(12, 2) NOT NULL,
        made_at         timestamptz NOT NULL,
        specs           jsonb,
        tags            text[],
        stock           int NOT NULL,
        note            text,
        version         int NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    for (const statement of generationsSql('gadgets')) await runner.query(statement);
    await runner.query(
      'CREATE TABLE parts (id uuid PRIMARY KEY, gadget_id uuid NOT NULL, label text NOT NULL, secret text)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE parts');
    await runner.query('DROP TABLE gadgets');
    await runner.query('DROP FUNCTION bump_gadget_generation()');
    await runner.query('DROP TABLE gadget_generations');
  }
}

const GENERATIONS = 'gadget_generations';

describe('KeptTotals and hydrator on a real PostgreSQL', () => {
  let run: TestRun;
  let dataSource: DataSource;
  let gadgets: Repository<Gadget>;
  const open: DataSource[] = [];
  let sequence = 0;

  beforeAll(async () => {
    run = await TestRun.create();
    dataSource = await openDatabase({
      url: run.infra.postgresUrl,
      database: run.database('db_kept_totals'),
      entities: [Gadget, Part],
      migrations: [CreateGadgets1700000000000],
      // Room for the concurrent transactions below to run at once rather than queue for a connection.
      poolSize: 30,
    });
    open.push(dataSource);
    gadgets = dataSource.getRepository(Gadget);
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await Promise.all(open.splice(0).map((source) => source.destroy()));
    await run?.cleanup();
  });

  /** A gadget of `organizationId`; names sort in the order gadgets are made. */
  const gadget = (organizationId: string, fields: Partial<Gadget> = {}): Gadget =>
    Object.assign(new Gadget(), {
      id: newId(),
      organizationId,
      name: `gadget ${String(++sequence).padStart(5, '0')}`,
      price: 19.99,
      madeAt: new Date('2024-05-01T10:00:00.123Z'),
      specs: { weight: 1.5 },
      tags: ['new'],
      stock: 1,
      note: null,
      ...fields,
    });

  const insertGadgets = async (organizationId: string, count: number, fields: Partial<Gadget> = {}) => {
    const made = Array.from({ length: count }, () => gadget(organizationId, fields));
    await gadgets.insert(made);
    return made;
  };

  /** The list query of an organization's gadgets, as a service would build it. */
  const listOf = (organizationId: string, manager: EntityManager = dataSource.manager) =>
    manager
      .getRepository(Gadget)
      .createQueryBuilder('gadget')
      .where('gadget.organizationId = :organizationId', { organizationId })
      .orderBy('gadget.name', 'ASC')
      .addOrderBy('gadget.id', 'ASC');

  const countOf = async (organizationId: string) =>
    (
      (await dataSource.query('SELECT count(*)::int AS n FROM gadgets WHERE organization_id = $1', [
        organizationId,
      ])) as { n: number }[]
    )[0]!.n;

  /** The sum of the organization's generation shards: one per statement that changed its gadgets. */
  const generationSum = async (organizationId: string) =>
    (
      (await dataSource.query(
        'SELECT coalesce(sum(generation), 0)::int AS n FROM gadget_generations WHERE organization_id = $1',
        [organizationId],
      )) as { n: number }[]
    )[0]!.n;

  const countsRun = () => jest.spyOn(SelectQueryBuilder.prototype, 'getCount');

  const ALL = { skip: 0, take: 1_000 };

  describe('hydrator', () => {
    it('makes from raw rows the entities getMany makes: dates, transformed numerics, jsonb, arrays and nulls', async () => {
      const organizationId = newId();
      await gadgets.insert([
        gadget(organizationId, {
          name: 'a full',
          price: 1234.5,
          madeAt: new Date('2023-12-31T23:59:59.999Z'),
          specs: { size: { width: 2, height: 3.25 }, colors: ['red', 'blue'], fragile: true, maker: null },
          tags: ['x', 'y, with comma', 'z "quoted"'],
          stock: 7,
          note: 'handle with care',
        }),
        gadget(organizationId, {
          name: 'b nulls',
          price: 0.1,
          specs: null,
          tags: null,
          note: null,
          stock: 0,
        }),
        gadget(organizationId, { name: 'c empties', price: 0, specs: {}, tags: [], note: '', stock: -3 }),
      ]);
      await gadgets.insert(gadget(newId(), { name: 'a of another organization' }));
      const builder = listOf(organizationId);

      const hydrated = (await builder.getRawMany<RawRow>()).map(hydrator(builder));
      const loaded = await builder.getMany();

      expect(loaded).toHaveLength(3);
      expect(hydrated).toEqual(loaded);
      for (const entity of hydrated) expect(entity).toBeInstanceOf(Gadget);
      const [full, nulls, empties] = hydrated;
      expect(full).toEqual(
        expect.objectContaining({
          name: 'a full',
          organizationId,
          price: 1234.5,
          madeAt: new Date('2023-12-31T23:59:59.999Z'),
          specs: { size: { width: 2, height: 3.25 }, colors: ['red', 'blue'], fragile: true, maker: null },
          tags: ['x', 'y, with comma', 'z "quoted"'],
          stock: 7,
          note: 'handle with care',
          version: 1,
        }),
      );
      expect(typeof full!.price).toBe('number');
      expect(full!.madeAt).toBeInstanceOf(Date);
      expect(full!.createdAt).toBeInstanceOf(Date);
      expect(full!.updatedAt).toBeInstanceOf(Date);
      expect(nulls).toEqual(
        expect.objectContaining({ price: 0.1, specs: null, tags: null, note: null, stock: 0 }),
      );
      expect(empties).toEqual(
        expect.objectContaining({ price: 0, specs: {}, tags: [], note: '', stock: -3 }),
      );
    });

    it('finds the columns under the hashed aliases of a long query alias', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 2, { specs: { long: true } });
      const alias = 'gadget_listed_under_an_unusually_long_alias_of_fifty';
      const builder = gadgets
        .createQueryBuilder(alias)
        .where(`${alias}.organizationId = :organizationId`, { organizationId })
        .orderBy(`${alias}.name`);
      const raw = await builder.getRawMany<RawRow>();
      // TypeORM hashes an alias longer than PostgreSQL's 63 characters: the hydrator must find it too.
      expect(Object.keys(raw[0]!)).not.toContain(`${alias}_organization_id`);

      const hydrated = raw.map(hydrator(builder));

      expect(hydrated).toEqual(await builder.getMany());
      expect(hydrated.map((g) => g.organizationId)).toEqual([organizationId, organizationId]);
    });

    it('sets only the selected columns of a partial selection, as getMany does', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 2);
      const builder = listOf(organizationId).select(['gadget.id', 'gadget.name', 'gadget.price']);

      const hydrated = (await builder.getRawMany<RawRow>()).map(hydrator(builder));

      expect(hydrated).toEqual(await builder.getMany());
      const defined = Object.entries(hydrated[0]!).flatMap(([key, value]) =>
        value === undefined ? [] : [key],
      );
      expect(defined.sort()).toEqual(['id', 'name', 'price']);
      expect(typeof hydrated[0]!.price).toBe('number');
    });

    it('refuses a query with a join', () => {
      const joined = gadgets.createQueryBuilder('gadget').innerJoin(Gadget, 'twin', 'twin.id = gadget.id');
      const joinedAndSelected = gadgets
        .createQueryBuilder('gadget')
        .leftJoinAndSelect(Gadget, 'twin', 'twin.organizationId = gadget.organizationId');

      expect(() => hydrator(joined)).toThrow(/without joins/);
      expect(() => hydrator(joinedAndSelected)).toThrow(/without joins/);
    });

    it('refuses a query of no entity', () => {
      const fromSubQuery = dataSource
        .createQueryBuilder()
        .select('sub.n')
        .from((qb) => qb.subQuery().select('1', 'n').from(Gadget, 'g'), 'sub');

      expect(() => hydrator(fromSubQuery)).toThrow(/without joins/);
    });
  });

  describe('KeptTotals.readPage', () => {
    it('reads the page getMany reads and the total getCount counts, past the end too', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 7);
      await insertGadgets(newId(), 3);
      const totals = new KeptTotals(GENERATIONS);
      const builder = listOf(organizationId).andWhere('gadget.stock >= :least', { least: 0 });
      const queryBefore = builder.getQueryAndParameters();
      const count = await builder.getCount();
      expect(count).toBe(7);

      for (const window of [
        { skip: 0, take: 3 },
        { skip: 3, take: 3 },
        { skip: 6, take: 3 },
        { skip: 0, take: 100 },
        { skip: 7, take: 3 },
        { skip: 40, take: 20 },
      ]) {
        const [page, total] = await totals.readPage(builder, organizationId, window);
        const expected = await builder.clone().offset(window.skip).limit(window.take).getMany();

        expect(page).toEqual(expected);
        expect(page.map((g) => g.id)).toEqual(expected.map((g) => g.id));
        expect(page.every((g) => g instanceof Gadget)).toBe(true);
        expect(total).toBe(count);
      }
      // The caller's builder is left as it was (no generation select, no limit).
      expect(builder.getQueryAndParameters()).toEqual(queryBefore);
    });

    it('follows the order of the query, descending included', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 4, { stock: 2 });
      await insertGadgets(organizationId, 3, { stock: 5 });
      const builder = gadgets
        .createQueryBuilder('gadget')
        .where('gadget.organizationId = :organizationId', { organizationId })
        .orderBy('gadget.stock', 'DESC')
        .addOrderBy('gadget.name', 'DESC');

      const [page, total] = await new KeptTotals(GENERATIONS).readPage(builder, organizationId, {
        skip: 2,
        take: 3,
      });

      expect(page).toEqual(await builder.clone().offset(2).limit(3).getMany());
      expect(page.map((g) => g.stock)).toEqual([5, 2, 2]);
      expect(total).toBe(7);
    });

    it('answers an empty page and a total of 0 for an organization that never had a row', async () => {
      const organizationId = newId();

      const [page, total] = await new KeptTotals(GENERATIONS).readPage(
        listOf(organizationId),
        organizationId,
        {
          skip: 0,
          take: 10,
        },
      );

      expect(page).toEqual([]);
      expect(total).toBe(0);
    });
  });

  describe('kept totals', () => {
    it('counts once while nothing changes, for any window, past the end included', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 5);
      const totals = new KeptTotals(GENERATIONS);
      const counts = countsRun();

      expect((await totals.readPage(listOf(organizationId), organizationId, { skip: 0, take: 2 }))[1]).toBe(
        5,
      );
      expect(counts).toHaveBeenCalledTimes(1);
      expect((await totals.readPage(listOf(organizationId), organizationId, { skip: 0, take: 2 }))[1]).toBe(
        5,
      );
      expect((await totals.readPage(listOf(organizationId), organizationId, { skip: 2, take: 2 }))[1]).toBe(
        5,
      );
      // Past the end the generation comes from its own query: the same generation, the same total.
      const [pastTheEnd, total] = await totals.readPage(listOf(organizationId), organizationId, {
        skip: 10,
        take: 2,
      });
      expect(pastTheEnd).toEqual([]);
      expect(total).toBe(5);
      expect(counts).toHaveBeenCalledTimes(1);
    });

    it('counts again after an insert, an update that keeps the count, and a delete', async () => {
      const organizationId = newId();
      const [first] = await insertGadgets(organizationId, 5);
      const totals = new KeptTotals(GENERATIONS);
      const read = () => totals.readPage(listOf(organizationId), organizationId, { skip: 0, take: 3 });
      const counts = countsRun();
      expect((await read())[1]).toBe(5);
      expect((await read())[1]).toBe(5);
      expect(counts).toHaveBeenCalledTimes(1);

      await gadgets.insert(gadget(organizationId));
      expect((await read())[1]).toBe(6);
      expect(counts).toHaveBeenCalledTimes(2);
      expect((await read())[1]).toBe(6);
      expect(counts).toHaveBeenCalledTimes(2);

      // The count stays, but the generation moves on: the total is counted again.
      await dataSource.query('UPDATE gadgets SET stock = stock + 1 WHERE id = $1', [first!.id]);
      expect((await read())[1]).toBe(6);
      expect(counts).toHaveBeenCalledTimes(3);
      // The page shows the update (pages are never kept, only totals).
      expect((await read())[0][0]).toEqual(expect.objectContaining({ id: first!.id, stock: 2 }));
      expect(counts).toHaveBeenCalledTimes(3);

      // Through TypeORM too: an update of the repository is a statement like any other.
      await gadgets.update({ id: first!.id }, { note: 'checked' });
      expect((await read())[1]).toBe(6);
      expect(counts).toHaveBeenCalledTimes(4);

      await gadgets.delete({ id: first!.id });
      const [page, total] = await read();
      expect(total).toBe(5);
      expect(page.map((g) => g.id)).not.toContain(first!.id);
      expect(counts).toHaveBeenCalledTimes(5);

      // A statement that changes no row does not move the generation.
      await dataSource.query('UPDATE gadgets SET stock = 0 WHERE id = $1', [newId()]);
      expect((await read())[1]).toBe(5);
      expect(counts).toHaveBeenCalledTimes(5);
    });

    it('keeps a total per query and per parameter values', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 4, { stock: 1 });
      await insertGadgets(organizationId, 2, { stock: 9 });
      const totals = new KeptTotals(GENERATIONS);
      const atLeast = (least: number) => listOf(organizationId).andWhere('gadget.stock >= :least', { least });
      const counts = countsRun();

      expect((await totals.readPage(listOf(organizationId), organizationId, ALL))[1]).toBe(6);
      expect((await totals.readPage(atLeast(0), organizationId, ALL))[1]).toBe(6);
      expect((await totals.readPage(atLeast(5), organizationId, ALL))[1]).toBe(2);
      expect((await totals.readPage(atLeast(10), organizationId, ALL))[1]).toBe(0);
      expect(counts).toHaveBeenCalledTimes(4);

      expect((await totals.readPage(atLeast(5), organizationId, ALL))[1]).toBe(2);
      expect((await totals.readPage(atLeast(0), organizationId, ALL))[1]).toBe(6);
      expect(counts).toHaveBeenCalledTimes(4);
    });

    it('counts again when the first row of an organization without a generation arrives', async () => {
      const organizationId = newId();
      const totals = new KeptTotals(GENERATIONS);
      const counts = countsRun();
      expect((await totals.readPage(listOf(organizationId), organizationId, ALL))[1]).toBe(0);

      await gadgets.insert(gadget(organizationId));

      const [page, total] = await totals.readPage(listOf(organizationId), organizationId, ALL);
      expect(page).toHaveLength(1);
      expect(total).toBe(1);
      expect(counts).toHaveBeenCalledTimes(2);
    });
  });

  describe('tenancy', () => {
    it('keeps the totals of two organizations apart for the same query', async () => {
      const [a, b] = [newId(), newId()];
      await insertGadgets(a, 3);
      const bGadgets = await insertGadgets(b, 5);
      const totals = new KeptTotals(GENERATIONS);
      const read = (organizationId: string) => totals.readPage(listOf(organizationId), organizationId, ALL);
      const counts = countsRun();

      expect((await read(a))[1]).toBe(3);
      expect((await read(b))[1]).toBe(5);
      expect(counts).toHaveBeenCalledTimes(2);

      await gadgets.insert(gadget(a));
      const [aPage, aTotal] = await read(a);
      expect(aTotal).toBe(4);
      expect(aPage.every((g) => g.organizationId === a)).toBe(true);
      expect(counts).toHaveBeenCalledTimes(3);
      // B's generation did not move: its kept total is still right.
      const [bPage, bTotal] = await read(b);
      expect(bTotal).toBe(5);
      expect(bPage.map((g) => g.id)).toEqual(bGadgets.map((g) => g.id));
      expect(counts).toHaveBeenCalledTimes(3);

      await gadgets.delete({ id: bGadgets[0]!.id });
      expect((await read(b))[1]).toBe(4);
      expect((await read(a))[1]).toBe(4);
      expect(counts).toHaveBeenCalledTimes(4);
      expect([await countOf(a), await countOf(b)]).toEqual([4, 4]);
    });

    it('moves the generations of both organizations a statement changes', async () => {
      const [a, b] = [newId(), newId()];
      await insertGadgets(a, 1);
      await insertGadgets(b, 1);
      const totals = new KeptTotals(GENERATIONS);
      const read = (organizationId: string) => totals.readPage(listOf(organizationId), organizationId, ALL);
      expect([(await read(a))[1], (await read(b))[1]]).toEqual([1, 1]);

      await gadgets.insert([gadget(b), gadget(a), gadget(b)]);

      expect([(await read(a))[1], (await read(b))[1]]).toEqual([2, 3]);
    });
  });

  describe('concurrent writers', () => {
    /** A transaction with its id assigned, and the generation shard its statements bump. */
    const begin = async () => {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const [{ shard }] = (await runner.query('SELECT (txid_current() % 16)::int AS shard')) as {
        shard: number;
      }[];
      return { runner, shard: shard! };
    };

    it('sees the rows of two interleaved transactions as each commits', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 2);
      const totals = new KeptTotals(GENERATIONS);
      const read = () => totals.readPage(listOf(organizationId), organizationId, ALL);
      expect((await read())[1]).toBe(2);

      const first = await begin();
      let second = await begin();
      const runners = [first.runner];
      try {
        // Two transactions on one shard would queue on its row: make them bump two shards.
        while (second.shard === first.shard) {
          await second.runner.rollbackTransaction();
          await second.runner.release();
          second = await begin();
        }
        runners.push(second.runner);
        const [one, two] = [gadget(organizationId), gadget(organizationId)];
        await first.runner.manager.insert(Gadget, one);
        await second.runner.manager.insert(Gadget, two);

        // Neither has committed: the kept total stays right.
        expect((await read())[1]).toBe(2);

        await first.runner.commitTransaction();
        const [afterFirst, totalAfterFirst] = await read();
        expect(totalAfterFirst).toBe(3);
        expect(afterFirst.map((g) => g.id)).toContain(one.id);

        await second.runner.commitTransaction();
        const [afterBoth, totalAfterBoth] = await read();
        expect(totalAfterBoth).toBe(4);
        expect(afterBoth.map((g) => g.id)).toEqual(expect.arrayContaining([one.id, two.id]));
        expect(totalAfterBoth).toBe(await countOf(organizationId));

        const shards = (
          (await dataSource.query('SELECT shard FROM gadget_generations WHERE organization_id = $1', [
            organizationId,
          ])) as { shard: number }[]
        ).map((row) => row.shard);
        expect(shards).toEqual(expect.arrayContaining([first.shard, second.shard]));
      } finally {
        for (const runner of runners) {
          if (runner.isTransactionActive) await runner.rollbackTransaction();
          await runner.release();
        }
      }
    });

    it('runs 20 concurrent transactions of one organization without a deadlock', async () => {
      const organizationId = newId();
      const totals = new KeptTotals(GENERATIONS);
      await insertGadgets(organizationId, 1);
      expect((await totals.readPage(listOf(organizationId), organizationId, ALL))[1]).toBe(1);
      const before = await generationSum(organizationId);

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          dataSource.transaction(async (manager) => {
            await manager.insert(Gadget, gadget(organizationId));
            // Held open a moment so that the transactions overlap, several on one shard.
            await manager.query('SELECT pg_sleep(0.05)');
          }),
        ),
      );

      expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual([]);
      const [page, total] = await totals.readPage(listOf(organizationId), organizationId, ALL);
      expect(total).toBe(21);
      expect(page).toHaveLength(21);
      expect(await generationSum(organizationId)).toBe(before + 20);
    });

    it('runs 20 concurrent transactions writing two organizations in either order without a deadlock', async () => {
      const [a, b] = [newId(), newId()].sort();
      const totals = new KeptTotals(GENERATIONS);

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          dataSource.transaction(async (manager) => {
            const rows = [gadget(a!), gadget(b!)];
            await manager.insert(Gadget, i % 2 === 0 ? rows : rows.reverse());
            await manager.query('SELECT pg_sleep(0.05)');
            await manager.update(Gadget, { id: rows[0]!.id }, { stock: 2 });
          }),
        ),
      );

      expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual([]);
      expect((await totals.readPage(listOf(a!), a!, ALL))[1]).toBe(20);
      expect((await totals.readPage(listOf(b!), b!, ALL))[1]).toBe(20);
    });
  });

  describe('edges', () => {
    it('readPage refuses a query with a join even after it read one without', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 3);
      const totals = new KeptTotals(GENERATIONS);
      await totals.readPage(listOf(organizationId), organizationId, ALL);
      const joined = listOf(organizationId).innerJoinAndSelect(
        Gadget,
        'twin',
        'twin.organizationId = gadget.organizationId',
      );

      await expect(new KeptTotals(GENERATIONS).readPage(joined, organizationId, ALL)).rejects.toThrow(
        /without joins/,
      );
      await expect(totals.readPage(joined, organizationId, ALL)).rejects.toThrow(/without joins/);
    });

    it('readPage reads a transaction’s builder in that transaction', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 2);
      const totals = new KeptTotals(GENERATIONS);

      await dataSource.transaction(async (manager) => {
        await manager.insert(Gadget, gadget(organizationId));
        const builder = listOf(organizationId, manager);
        const [page, total] = await totals.readPage(builder, organizationId, ALL);
        expect([page.length, total]).toEqual([3, 3]);
        expect(page).toEqual(await builder.getMany());
      });
    });

    it('a total counted in a transaction that rolls back is not kept for the committed generation', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 2);
      const totals = new KeptTotals(GENERATIONS);

      await expect(
        dataSource.transaction(async (manager) => {
          await manager.insert(Gadget, gadget(organizationId));
          await totals.readPage(listOf(organizationId, manager), organizationId, ALL);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');

      const [page, total] = await totals.readPage(listOf(organizationId), organizationId, ALL);
      expect(page).toHaveLength(2);
      expect(total).toBe(2);
    });

    it('hydrates a foreign key column that a relation also maps, as getMany does', async () => {
      const gadgetId = newId();
      await dataSource.getRepository(Part).insert({ id: newId(), gadgetId, label: 'axle', secret: 's' });
      const builder = dataSource.getRepository(Part).createQueryBuilder('part').where({ gadgetId });

      const hydrated = (await builder.getRawMany<RawRow>()).map(hydrator(builder));

      expect(hydrated).toEqual(await builder.getMany());
      expect(hydrated[0]!.gadgetId).toBe(gadgetId);
    });

    it('hydrates a column not selected by default when the query adds it, as getMany does', async () => {
      const id = newId();
      await dataSource
        .getRepository(Part)
        .insert({ id, gadgetId: newId(), label: 'wheel', secret: 'hidden' });
      const builder = dataSource
        .getRepository(Part)
        .createQueryBuilder('part')
        .addSelect('part.secret')
        .where({ id });

      const hydrated = (await builder.getRawMany<RawRow>()).map(hydrator(builder));

      expect((await builder.getMany())[0]!.secret).toBe('hidden');
      expect(hydrated[0]!.secret).toBe('hidden');
    });
  });
  describe('kept values', () => {
    it("computes a value once while the organization's rows stay as they are, again after a change", async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 2);
      const totals = new KeptTotals(GENERATIONS);
      let computed = 0;
      const count = () =>
        totals.kept(dataSource.manager, organizationId, ['count'], async () => {
          computed += 1;
          return (await dataSource.getRepository(Gadget).countBy({ organizationId })) as number;
        });
      expect(await count()).toBe(2);
      expect(await count()).toBe(2);
      expect(computed).toBe(1);
      await insertGadgets(organizationId, 1);
      expect(await count()).toBe(3);
      expect(computed).toBe(2);
    });

    it('keeps a value per key and per organization', async () => {
      const [a, b] = [newId(), newId()];
      await insertGadgets(a, 1);
      await insertGadgets(b, 1);
      const totals = new KeptTotals(GENERATIONS);
      const seen: string[] = [];
      const value = (organizationId: string, key: string) =>
        totals.kept(dataSource.manager, organizationId, [key], async () => {
          seen.push(`${organizationId}:${key}`);
          return key;
        });
      await value(a, 'x');
      await value(a, 'y');
      await value(b, 'x');
      await value(a, 'x');
      expect(seen).toEqual([`${a}:x`, `${a}:y`, `${b}:x`]);
    });

    it('computes inside a transaction and keeps nothing from it', async () => {
      const organizationId = newId();
      await insertGadgets(organizationId, 1);
      const totals = new KeptTotals(GENERATIONS);
      let computed = 0;
      await dataSource.transaction(async (manager) => {
        await totals.kept(manager, organizationId, ['k'], async () => ++computed);
        await totals.kept(manager, organizationId, ['k'], async () => ++computed);
      });
      expect(computed).toBe(2);
      expect(await totals.kept(dataSource.manager, organizationId, ['k'], async () => ++computed)).toBe(3);
    });
  });
});
