import {
  type Condition,
  searchCondition,
  tagCondition,
  type OrderTerm,
  orderTerms,
  type Sorting,
  sortKeys,
} from '@flow-crm/db';

export const CONTACT_FILTERS = ['high-value', 'at-risk', 'recent', 'needs-follow-up'] as const;
export type ContactFilter = (typeof CONTACT_FILTERS)[number];

export const HIGH_VALUE_ABOVE = 50_000;
export const AT_RISK_ABOVE = 60;
export const RECENT_DAYS = 7;
const DAY_MS = 86_400_000;

/** The end of the current day, in UTC (the API speaks UTC; users' time zones are the client's). */
export function endOfUtcDay(now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
}

/** The contract's definition of each named filter; the stats count with the same ones. */
export function filterCondition(filter: ContactFilter, now: Date): Condition {
  switch (filter) {
    case 'high-value':
      return {
        sql: 'contact.total_deals_value > :highValueAbove',
        params: { highValueAbove: HIGH_VALUE_ABOVE },
      };
    case 'at-risk':
      return { sql: 'contact.churn_risk > :atRiskAbove', params: { atRiskAbove: AT_RISK_ABOVE } };
    case 'recent':
      return {
        sql: 'contact.last_contact_at >= :recentSince',
        params: { recentSince: new Date(now.getTime() - RECENT_DAYS * DAY_MS) },
      };
    case 'needs-follow-up':
      return {
        sql: 'contact.next_follow_up_at < :followUpBefore',
        params: { followUpBefore: endOfUtcDay(now) },
      };
  }
}

export interface ContactCriteria {
  readonly search?: string;
  readonly filter?: ContactFilter;
  readonly tag?: string;
  readonly customerId?: string;
  readonly ownerId?: string;
}

/** The conditions of a list or export query, besides the caller's scope and `deleted_at IS NULL`. */
export function criteriaConditions(criteria: ContactCriteria, now: Date): Condition[] {
  const conditions: Condition[] = searchCondition('contact', criteria.search);
  if (criteria.filter) conditions.push(filterCondition(criteria.filter, now));
  conditions.push(...tagCondition('contact', criteria.tag));
  if (criteria.customerId)
    conditions.push({
      sql: 'contact.customer_id = :customerId',
      params: { customerId: criteria.customerId },
    });
  if (criteria.ownerId)
    conditions.push({ sql: 'contact.owner_id = :ownerId', params: { ownerId: criteria.ownerId } });
  return conditions;
}

const CONTACT_SORTING: Sorting<
  'name' | 'createdAt' | 'updatedAt' | 'healthScore' | 'churnRisk' | 'lastContactAt' | 'totalDealsValue'
> = {
  columns: {
    name: 'lower(contact.name)',
    createdAt: 'contact.created_at',
    updatedAt: 'contact.updated_at',
    healthScore: 'contact.health_score',
    churnRisk: 'contact.churn_risk',
    lastContactAt: 'contact.last_contact_at',
    totalDealsValue: 'contact.total_deals_value',
  },
  // Never-contacted contacts are not the most recent ones: they come last in `-lastContactAt`.
  nullable: ['lastContactAt'],
  id: 'contact.id',
};

export const CONTACT_SORTS = sortKeys(CONTACT_SORTING);
export type ContactSort = (typeof CONTACT_SORTS)[number];
export const DEFAULT_CONTACT_SORT: ContactSort = '-createdAt';

export function sortTerms(sort: ContactSort = DEFAULT_CONTACT_SORT): OrderTerm[] {
  return orderTerms(sort, CONTACT_SORTING);
}
