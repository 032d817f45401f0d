import {
  type Condition,
  searchCondition,
  tagCondition,
  type OrderTerm,
  orderTerms,
  type Sorting,
  sortKeys,
} from '@flow-crm/db';
import { type LeadStatus } from '@flow-crm/contracts';
import { type Rating } from './lead.entity';

export interface LeadCriteria {
  readonly search?: string;
  readonly status?: LeadStatus;
  readonly source?: string;
  readonly ownerId?: string;
  readonly rating?: Rating;
  readonly minScore?: number;
  readonly isConverted?: boolean;
  readonly tag?: string;
}

/** The conditions of a list or export query, besides the caller's scope and `deleted_at IS NULL`. */
export function criteriaConditions(criteria: LeadCriteria): Condition[] {
  const conditions: Condition[] = searchCondition('lead', criteria.search);
  if (criteria.status) conditions.push({ sql: 'lead.status = :status', params: { status: criteria.status } });
  if (criteria.source)
    conditions.push({ sql: 'lower(lead.source) = lower(:source)', params: { source: criteria.source } });
  if (criteria.ownerId)
    conditions.push({ sql: 'lead.owner_id = :ownerId', params: { ownerId: criteria.ownerId } });
  if (criteria.rating) conditions.push({ sql: 'lead.rating = :rating', params: { rating: criteria.rating } });
  if (criteria.minScore !== undefined)
    conditions.push({ sql: 'lead.score >= :minScore', params: { minScore: criteria.minScore } });
  if (criteria.isConverted !== undefined)
    conditions.push({
      sql: criteria.isConverted ? "lead.status = 'converted'" : "lead.status <> 'converted'",
      params: {},
    });
  conditions.push(...tagCondition('lead', criteria.tag));
  return conditions;
}

const LEAD_SORTING: Sorting<'name' | 'score' | 'estimatedValue' | 'createdAt' | 'updatedAt'> = {
  columns: {
    name: 'lower(lead.name)',
    score: 'lead.score',
    estimatedValue: 'lead.estimated_value',
    createdAt: 'lead.created_at',
    updatedAt: 'lead.updated_at',
  },
  nullable: ['estimatedValue'],
  id: 'lead.id',
};

export const LEAD_SORTS = sortKeys(LEAD_SORTING);
export type LeadSort = (typeof LEAD_SORTS)[number];

export function sortTerms(sort: LeadSort = '-createdAt'): OrderTerm[] {
  return orderTerms(sort, LEAD_SORTING);
}
