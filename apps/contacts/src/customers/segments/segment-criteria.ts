import { type Condition } from '@flow-crm/db';
import { Money, RequiredText, TagFilter, ValidationError } from '@flow-crm/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CUSTOMER_TIERS, CUSTOMER_TYPES, type CustomerTier, type CustomerType } from '../customer.entity';

/** Which customers belong to a segment; every criterion given must hold. */
export class SegmentCriteria {
  @ApiPropertyOptional({ example: 'Manufacturing', description: 'Case-insensitive' })
  @IsOptional()
  @RequiredText(100)
  readonly industry?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_TYPES })
  @IsOptional()
  @IsIn(CUSTOMER_TYPES)
  readonly type?: CustomerType;

  @ApiPropertyOptional({ enum: CUSTOMER_TIERS })
  @IsOptional()
  @IsIn(CUSTOMER_TIERS)
  readonly tier?: CustomerTier;

  @ApiPropertyOptional({ example: 1000000, description: 'annualRevenue at least this' })
  @IsOptional()
  @Money()
  readonly minRevenue?: number;

  @ApiPropertyOptional({ example: 'vip' })
  @TagFilter()
  readonly tag?: string;
}

/** A segment without any criterion would be "every customer": refused, it is what the list is for. */
export function assertSomeCriterion(criteria: SegmentCriteria): void {
  const given = Object.values(criteria).some((value) => value !== undefined && value !== null);
  if (!given)
    throw ValidationError.of(
      'criteria',
      'criteria must name at least one of industry, type, tier, minRevenue, tag',
    );
}

/** The SQL conditions on the `customer` alias that select a segment's members. */
export function segmentConditions(criteria: SegmentCriteria): Condition[] {
  const conditions: Condition[] = [];
  if (criteria.industry)
    conditions.push({
      sql: 'lower(customer.industry) = lower(:industry)',
      params: { industry: criteria.industry },
    });
  if (criteria.type) conditions.push({ sql: 'customer.type = :type', params: { type: criteria.type } });
  if (criteria.tier) conditions.push({ sql: 'customer.tier = :tier', params: { tier: criteria.tier } });
  if (criteria.minRevenue !== undefined && criteria.minRevenue !== null)
    conditions.push({
      sql: 'customer.annual_revenue >= :minRevenue',
      params: { minRevenue: criteria.minRevenue },
    });
  if (criteria.tag)
    conditions.push({
      sql: 'EXISTS (SELECT 1 FROM unnest(customer.tags) AS t (name) WHERE lower(t.name) = lower(:tag))',
      params: { tag: criteria.tag },
    });
  return conditions;
}
