import {
  type Condition,
  searchCondition,
  tagCondition,
  type OrderTerm,
  orderTerms,
  type Sorting,
  sortKeys,
} from '@flow-crm/db';
import { utcToday } from './stage-rules';

export const DEAL_FILTERS = ['hot', 'at-risk', 'closing-soon', 'open', 'won', 'lost'] as const;
export type DealFilter = (typeof DEAL_FILTERS)[number];

export const HOT_ABOVE = 70;
export const AT_RISK_BELOW = 30;
export const CLOSING_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

/** The contract's definition of each named filter; `now` fixes "within 30 days" (UTC days). */
export function filterCondition(filter: DealFilter, now: Date): Condition {
  switch (filter) {
    case 'hot':
      return { sql: 'deal.probability > :hotAbove', params: { hotAbove: HOT_ABOVE } };
    case 'at-risk':
      return {
        sql: "deal.status = 'open' AND deal.probability < :atRiskBelow",
        params: { atRiskBelow: AT_RISK_BELOW },
      };
    case 'closing-soon':
      return {
        sql: "deal.status = 'open' AND deal.expected_close_date BETWEEN :soonFrom AND :soonUntil",
        params: {
          soonFrom: utcToday(now),
          soonUntil: utcToday(new Date(now.getTime() + CLOSING_SOON_DAYS * DAY_MS)),
        },
      };
    case 'open':
    case 'won':
    case 'lost':
      return { sql: 'deal.status = :status', params: { status: filter } };
  }
}

export interface DealCriteria {
  readonly search?: string;
  readonly filter?: DealFilter;
  readonly stage?: string;
  readonly pipelineId?: string;
  readonly contactId?: string;
  readonly customerId?: string;
  readonly ownerId?: string;
  readonly tag?: string;
}

/** The conditions of a list query, besides the caller's scope and `deleted_at IS NULL`. */
export function criteriaConditions(criteria: DealCriteria, now: Date): Condition[] {
  const conditions: Condition[] = searchCondition('deal', criteria.search);
  if (criteria.filter) conditions.push(filterCondition(criteria.filter, now));
  const equal = (column: string, name: string, value: string | undefined) => {
    if (value) conditions.push({ sql: `deal.${column} = :${name}`, params: { [name]: value } });
  };
  equal('stage', 'stage', criteria.stage);
  equal('pipeline_id', 'pipelineId', criteria.pipelineId);
  equal('contact_id', 'contactId', criteria.contactId);
  equal('customer_id', 'customerId', criteria.customerId);
  equal('owner_id', 'ownerId', criteria.ownerId);
  conditions.push(...tagCondition('deal', criteria.tag));
  return conditions;
}

const DEAL_SORTING: Sorting<
  'title' | 'value' | 'probability' | 'expectedCloseDate' | 'createdAt' | 'updatedAt' | 'lastActivityAt'
> = {
  columns: {
    title: 'lower(deal.title)',
    value: 'deal.value',
    probability: 'deal.probability',
    expectedCloseDate: 'deal.expected_close_date',
    createdAt: 'deal.created_at',
    updatedAt: 'deal.updated_at',
    lastActivityAt: 'deal.last_activity_at',
  },
  nullable: ['expectedCloseDate', 'lastActivityAt'],
  id: 'deal.id',
};

export const DEAL_SORTS = sortKeys(DEAL_SORTING);
export type DealSort = (typeof DEAL_SORTS)[number];
export const DEFAULT_DEAL_SORT: DealSort = '-createdAt';

export function sortTerms(sort: DealSort = DEFAULT_DEAL_SORT): OrderTerm[] {
  return orderTerms(sort, DEAL_SORTING);
}
