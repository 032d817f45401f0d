import {
  Column,
  type DataSource,
  Entity,
  type MigrationInterface,
  PrimaryColumn,
  type QueryRunner,
} from 'typeorm';
import { type Principal, scopeQuery, visibleTo } from '../src';
import { openDatabase } from '@flow-crm/db';
import { TestRun } from '@flow-crm/testing';

@Entity('deals')
class Deal {
  @PrimaryColumn('text')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  @Column('uuid')
  ownerId!: string;

  @Column('uuid')
  assigneeId!: string;

  @Column('text')
  name!: string;
}

class CreateDeals1700000000001 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE TABLE deals (id text PRIMARY KEY, organization_id uuid NOT NULL, owner_id uuid NOT NULL, assignee_id uuid NOT NULL, name text NOT NULL)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE deals');
  }
}

const ORG_A = '0190a5b2-0000-7000-8000-00000000000a';
const ORG_B = '0190a5b2-0000-7000-8000-00000000000b';
const ANN = '0190a5b2-0000-7000-8000-0000000000a1';
const BOB = '0190a5b2-0000-7000-8000-0000000000b0';
const CARL = '0190a5b2-0000-7000-8000-0000000000c1';

const ROWS: Deal[] = [
  { id: 'a1', organizationId: ORG_A, ownerId: ANN, assigneeId: BOB, name: 'Acme' },
  { id: 'a2', organizationId: ORG_A, ownerId: BOB, assigneeId: ANN, name: 'Globex' },
  { id: 'a3', organizationId: ORG_A, ownerId: ANN, assigneeId: ANN, name: 'Initech' },
  { id: 'b1', organizationId: ORG_B, ownerId: CARL, assigneeId: CARL, name: 'Acme' },
  { id: 'b2', organizationId: ORG_B, ownerId: CARL, assigneeId: CARL, name: 'Initech' },
];

const adminA: Principal = { userId: BOB, organizationId: ORG_A, role: 'admin' };
const managerA: Principal = { userId: BOB, organizationId: ORG_A, role: 'manager' };
const annSales: Principal = { userId: ANN, organizationId: ORG_A, role: 'sales' };

describe('tenancy scopes against PostgreSQL', () => {
  let run: TestRun;
  let dataSource: DataSource;

  beforeAll(async () => {
    run = await TestRun.create();
    dataSource = await openDatabase({
      url: run.infra.postgresUrl,
      database: run.database('auth_scoping'),
      entities: [Deal],
      migrations: [CreateDeals1700000000001],
      poolSize: 2,
    });
    await dataSource.getRepository(Deal).insert(ROWS);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await run?.cleanup();
  });

  const ids = (deals: Deal[]) => deals.map((d) => d.id).sort();
  const deals = () => dataSource.getRepository(Deal).createQueryBuilder('deal');

  describe('visibleTo as a repository where', () => {
    it.each([adminA, managerA])(
      'shows $role every record of its organization and none of another',
      async (principal) => {
        expect(ids(await dataSource.getRepository(Deal).find({ where: visibleTo(principal) }))).toEqual([
          'a1',
          'a2',
          'a3',
        ]);
      },
    );

    it('shows sales only the records it owns', async () => {
      expect(ids(await dataSource.getRepository(Deal).find({ where: visibleTo(annSales) }))).toEqual([
        'a1',
        'a3',
      ]);
    });

    it('shows sales the records it is assigned when told the owner column', async () => {
      expect(
        ids(await dataSource.getRepository(Deal).find({ where: visibleTo(annSales, 'assigneeId') })),
      ).toEqual(['a2', 'a3']);
    });
  });

  describe('scopeQuery', () => {
    it.each([adminA, managerA])(
      'shows $role every record of its organization and none of another',
      async (principal) => {
        expect(ids(await scopeQuery(deals(), 'deal', principal).getMany())).toEqual(['a1', 'a2', 'a3']);
      },
    );

    it('shows sales only the records it owns', async () => {
      expect(ids(await scopeQuery(deals(), 'deal', annSales).getMany())).toEqual(['a1', 'a3']);
    });

    it('shows sales every record of its organization with byOwner false', async () => {
      expect(ids(await scopeQuery(deals(), 'deal', annSales, { byOwner: false }).getMany())).toEqual([
        'a1',
        'a2',
        'a3',
      ]);
    });

    it('combines with the query’s own AND conditions', async () => {
      const query = deals().where('deal.name = :name', { name: 'Acme' });
      expect(ids(await scopeQuery(query, 'deal', managerA).getMany())).toEqual(['a1']);
    });

    it('keeps another organization out when the query already has an orWhere', async () => {
      // A search on two fields: name = 'Acme' OR name = 'Initech'. Scoped to Ann, it must find
      // a1 and a3, never b1 or b2 of the other organization.
      const query = deals()
        .where('deal.name = :first', { first: 'Acme' })
        .orWhere('deal.name = :second', { second: 'Initech' });
      expect(ids(await scopeQuery(query, 'deal', annSales).getMany())).toEqual(['a1', 'a3']);
    });

    it('keeps another organization out when the query already has an OR inside a where string', async () => {
      const query = deals().where('deal.name = :first OR deal.name = :second', {
        first: 'Acme',
        second: 'Initech',
      });
      expect(ids(await scopeQuery(query, 'deal', managerA).getMany())).toEqual(['a1', 'a3']);
    });
  });
});
