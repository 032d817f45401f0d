import { AggregateRoot, numericColumn } from '@flow-crm/db';
import { Column, DeleteDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { type Address } from '../shared/address';

export const RELATIONSHIP_HEALTH = ['high', 'medium', 'low'] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
export const CONTACT_METHODS = ['email', 'phone', 'sms', 'meeting'] as const;

export type RelationshipHealth = (typeof RELATIONSHIP_HEALTH)[number];
export type Sentiment = (typeof SENTIMENTS)[number];
export type ContactMethod = (typeof CONTACT_METHODS)[number];

@Entity('contacts')
export class Contact extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid')
  ownerId: string;

  @Column('uuid', { nullable: true })
  customerId: string | null;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  email: string | null;

  @Column('text', { nullable: true })
  phone: string | null;

  @Column('text', { nullable: true })
  mobile: string | null;

  @Column('text', { nullable: true })
  company: string | null;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('text', { nullable: true })
  department: string | null;

  @Column('text', { nullable: true })
  avatarUrl: string | null;

  @Column('text', { nullable: true })
  linkedinUrl: string | null;

  @Column('text', { default: 'medium' })
  relationshipHealth: RelationshipHealth;

  @Column('integer', { default: 50 })
  healthScore: number;

  @Column('text', { default: 'neutral' })
  sentiment: Sentiment;

  @Column('integer', { default: 0 })
  churnRisk: number;

  @Column('timestamptz', { nullable: true })
  lastContactAt: Date | null;

  @Column('timestamptz', { nullable: true })
  nextFollowUpAt: Date | null;

  /** Maintained from pipeline's deal events; never written from a request. */
  @Column('integer', { default: 0 })
  totalDealsCount: number;

  @Column('numeric', { precision: 15, scale: 2, default: 0, transformer: numericColumn })
  totalDealsValue: number;

  @Column('text', { nullable: true })
  preferredContactMethod: ContactMethod | null;

  @Column('boolean', { default: false })
  emailOptOut: boolean;

  @Column('boolean', { default: false })
  phoneOptOut: boolean;

  @Column('boolean', { default: false })
  isDecisionMaker: boolean;

  @Column('jsonb', { nullable: true })
  address: Address | null;

  @Column('text', { nullable: true })
  notes: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  /** Set on a contact merged into another; it is deleted at the same time. */
  @Column('uuid', { nullable: true })
  mergedIntoId: string | null;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;
}
