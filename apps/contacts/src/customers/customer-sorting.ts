import { type Sorting, sortKeys } from '@flow-crm/db';

export const CUSTOMER_SORTING: Sorting<'name' | 'createdAt' | 'updatedAt' | 'annualRevenue' | 'healthScore'> =
  {
    columns: {
      name: 'lower(customer.name)',
      createdAt: 'customer.created_at',
      updatedAt: 'customer.updated_at',
      annualRevenue: 'customer.annual_revenue',
      healthScore: 'customer.health_score',
    },
    nullable: ['annualRevenue', 'healthScore'],
    id: 'customer.id',
  };

export const CUSTOMER_SORTS = sortKeys(CUSTOMER_SORTING);
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
