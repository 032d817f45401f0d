import { NotFoundError } from '@flow-crm/http';
import { Column, DataSource, Entity, type EntityManager, PrimaryColumn } from 'typeorm';
import { SnakeNamingStrategy } from '@flow-crm/db';
import { type Principal, isManagerial } from './principal';
import { findVisible, findVisibleOrFail, inOrganization, ownerFor, scopeQuery, visibleTo } from './scoping';

const ORG = 'org-1';
const admin: Principal = { userId: 'u-admin', organizationId: ORG, role: 'admin' };
const manager: Principal = { userId: 'u-manager', organizationId: ORG, role: 'manager' };
const sales: Principal = { userId: 'u-sales', organizationId: ORG, role: 'sales' };

@Entity('deals')
class Deal {
  @PrimaryColumn('uuid')
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

describe('isManagerial', () => {
  it('is true for admin and manager, false for sales', () => {
    expect([admin, manager, sales].map(isManagerial)).toEqual([true, true, false]);
  });
});

describe('visibleTo', () => {
  it.each([admin, manager])('scopes $role to the organization only', (principal) => {
    expect(visibleTo(principal)).toEqual({ organizationId: ORG });
  });

  it('scopes sales to the organization and the records it owns', () => {
    expect(visibleTo(sales)).toEqual({ organizationId: ORG, ownerId: 'u-sales' });
  });

  it('uses the given owner column for sales', () => {
    expect(visibleTo(sales, 'assigneeId')).toEqual({ organizationId: ORG, assigneeId: 'u-sales' });
    expect(visibleTo(manager, 'assigneeId')).toEqual({ organizationId: ORG });
  });
});

describe('inOrganization', () => {
  it.each([admin, manager, sales])(
    'scopes $role to the organization, whoever owns the record',
    (principal) => {
      expect(inOrganization(principal)).toEqual({ organizationId: ORG });
    },
  );
});

describe('ownerFor', () => {
  it.each([admin, manager])('lets $role give a record to someone else', (principal) => {
    expect(ownerFor(principal, 'u-other')).toBe('u-other');
  });

  it.each([admin, manager])('makes $role the owner when the request names nobody', (principal) => {
    expect(ownerFor(principal, undefined)).toBe(principal.userId);
    expect(ownerFor(principal, '')).toBe(principal.userId);
  });

  it('makes a sales user the owner whatever the request says', () => {
    expect(ownerFor(sales, 'u-other')).toBe('u-sales');
    expect(ownerFor(sales, undefined)).toBe('u-sales');
  });
});

describe('scopeQuery', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    // Never connected: only the entity metadata is needed to render the SQL.
    dataSource = new DataSource({
      type: 'postgres',
      entities: [Deal],
      namingStrategy: new SnakeNamingStrategy(),
    });
    await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  });

  const deals = () => dataSource.createQueryBuilder(Deal, 'deal');
  const whereOf = (sql: string) => sql.slice(sql.indexOf(' WHERE ') + ' WHERE '.length);

  it.each([admin, manager])('limits $role to the organization', (principal) => {
    const [sql, parameters] = scopeQuery(deals(), 'deal', principal).getQueryAndParameters();
    expect(whereOf(sql)).toBe('"deal"."organization_id" = $1');
    expect(parameters).toEqual([ORG]);
  });

  it('limits sales to the organization and its own records', () => {
    const [sql, parameters] = scopeQuery(deals(), 'deal', sales).getQueryAndParameters();
    expect(whereOf(sql)).toBe('"deal"."organization_id" = $1 AND "deal"."owner_id" = $2');
    expect(parameters).toEqual([ORG, 'u-sales']);
  });

  it('limits sales to the organization alone when byOwner is false', () => {
    const [sql, parameters] = scopeQuery(deals(), 'deal', sales, { byOwner: false }).getQueryAndParameters();
    expect(whereOf(sql)).toBe('"deal"."organization_id" = $1');
    expect(parameters).toEqual([ORG]);
  });

  it('filters sales on the given owner column', () => {
    const [sql, parameters] = scopeQuery(deals(), 'deal', sales, {
      ownerColumn: 'assigneeId',
    }).getQueryAndParameters();
    expect(whereOf(sql)).toBe('"deal"."organization_id" = $1 AND "deal"."assignee_id" = $2');
    expect(parameters).toEqual([ORG, 'u-sales']);
  });

  it("keeps the query's own conditions and parameters", () => {
    const query = deals().where('deal.name = :name', { name: 'Acme' });
    const [sql, parameters] = scopeQuery(query, 'deal', sales).getQueryAndParameters();
    // The caller's condition may come back in parentheses: scopeQuery may group it to keep its ORs in.
    expect(whereOf(sql)).toMatch(
      /^\(?"deal"\."name" = \$1\)? AND "deal"\."organization_id" = \$2 AND "deal"\."owner_id" = \$3$/,
    );
    expect(parameters).toEqual(['Acme', ORG, 'u-sales']);
  });

  it('returns the query builder it was given, for chaining', () => {
    const query = deals();
    expect(scopeQuery(query, 'deal', admin)).toBe(query);
  });
});

describe('findVisible and findVisibleOrFail', () => {
  const sales: Principal = { userId: 'u1', organizationId: 'o1', role: 'sales' };
  const admin: Principal = { userId: 'u2', organizationId: 'o1', role: 'admin' };

  function managerFinding(found: object | null) {
    const findOne = jest.fn().mockResolvedValue(found);
    return { manager: { findOne } as unknown as EntityManager, findOne };
  }

  it("looks the id up within the principal's visibility, locked only when asked", async () => {
    const { manager, findOne } = managerFinding({ id: 'r1' });
    await findVisible(manager, 'records', sales, 'r1');
    expect(findOne).toHaveBeenLastCalledWith('records', {
      where: { id: 'r1', organizationId: 'o1', ownerId: 'u1' },
    });
    await findVisible(manager, 'records', admin, 'r1', { lock: true });
    expect(findOne).toHaveBeenLastCalledWith('records', {
      where: { id: 'r1', organizationId: 'o1' },
      lock: { mode: 'pessimistic_write' },
    });
  });

  it('answers null, or NotFoundError naming the record, when nothing is visible', async () => {
    const { manager } = managerFinding(null);
    await expect(findVisible(manager, 'records', sales, 'r1')).resolves.toBeNull();
    await expect(findVisibleOrFail(manager, 'records', sales, 'r1', 'Contact')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
