import { NotFoundError } from '@flow-crm/http';
import {
  Brackets,
  type EntityManager,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
  type SelectQueryBuilder,
} from 'typeorm';
import { type Principal, isManagerial } from './principal';

/**
 * The rows a principal may see, as a TypeORM `where`: always its organization; for `sales`,
 * only the records it owns. Every repository query of a business record starts from this.
 */
export function visibleTo(principal: Principal, ownerColumn = 'ownerId'): Record<string, string> {
  return isManagerial(principal)
    ? { organizationId: principal.organizationId }
    : { organizationId: principal.organizationId, [ownerColumn]: principal.userId };
}

/** The organization scope alone, for records without an owner (users, teams, tags). */
export function inOrganization(principal: Principal): { organizationId: string } {
  return { organizationId: principal.organizationId };
}

/** Adds the same scope to a query builder on `alias`. */
export function scopeQuery<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  principal: Principal,
  options: { byOwner?: boolean; ownerColumn?: string } = {},
): SelectQueryBuilder<T> {
  // The query's own conditions go in brackets first: `a OR b` must become `(a OR b) AND scope`.
  const own = query.expressionMap.wheres;
  if (own.length > 0) {
    query.expressionMap.wheres = [];
    query.where(new Brackets((inner) => void ((inner as SelectQueryBuilder<T>).expressionMap.wheres = own)));
  }
  query.andWhere(`${alias}.organizationId = :scopeOrganizationId`, {
    scopeOrganizationId: principal.organizationId,
  });
  if (options.byOwner !== false && !isManagerial(principal)) {
    query.andWhere(`${alias}.${options.ownerColumn ?? 'ownerId'} = :scopeOwnerId`, {
      scopeOwnerId: principal.userId,
    });
  }
  return query;
}

/**
 * The owner a write should record: admin and manager may name anyone (validated by the caller);
 * a `sales` user's records are always its own, whatever the body says.
 */
export function ownerFor(principal: Principal, requested: string | undefined): string {
  return isManagerial(principal) && requested ? requested : principal.userId;
}

/** A record by id if the principal may see it (see `visibleTo`), optionally locked for update. */
export function findVisible<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  principal: Principal,
  id: string,
  options: { lock?: boolean; ownerColumn?: string } = {},
): Promise<T | null> {
  return manager.findOne(entity, {
    where: { id, ...visibleTo(principal, options.ownerColumn) } as unknown as FindOptionsWhere<T>,
    ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
}

/** The same, answered 404 when missing or not visible: another tenant's id is never a 403. */
export async function findVisibleOrFail<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  principal: Principal,
  id: string,
  what: string,
  options: { lock?: boolean; ownerColumn?: string } = {},
): Promise<T> {
  const found = await findVisible(manager, entity, principal, id, options);
  if (!found) throw new NotFoundError(what);
  return found;
}
