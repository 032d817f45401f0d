import { AggregateRoot, numericColumn } from '@flow-crm/db';
import { Column, DeleteDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { type Address } from '../shared/address';

export const CUSTOMER_TYPES = ['prospect', 'customer', 'partner', 'vendor'] as const;
export const CUSTOMER_STATUSES = ['active', 'inactive', 'churned'] as const;
export const CUSTOMER_TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'] as const;

export type CustomerType = (typeof CUSTOMER_TYPES)[number];
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];
export type CompanySize = (typeof COMPANY_SIZES)[number];

/** An account: a company the team sells to, buys from or partners with. */
@Entity('customers')
export class Customer extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  parentId: string | null;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  legalName: string | null;

  @Column('text', { nullable: true })
  industry: string | null;

  @Column('text', { nullable: true })
  website: string | null;

  @Column('text', { nullable: true })
  phone: string | null;

  @Column('text', { nullable: true })
  email: string | null;

  @Column('text', { default: 'prospect' })
  type: CustomerType;

  @Column('text', { default: 'active' })
  status: CustomerStatus;

  @Column('text', { nullable: true })
  tier: CustomerTier | null;

  @Column('text', { nullable: true })
  size: CompanySize | null;

  @Column('numeric', { precision: 15, scale: 2, nullable: true, transformer: numericColumn })
  annualRevenue: number | null;

  @Column('integer', { nullable: true })
  employeeCount: number | null;

  @Column('integer', { nullable: true })
  healthScore: number | null;

  @Column('jsonb', { nullable: true })
  billingAddress: Address | null;

  @Column('jsonb', { nullable: true })
  shippingAddress: Address | null;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;
}
