import { AggregateRoot, numericColumn } from '@flow-crm/db';
import { Column, DeleteDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;
export const LEVELS = ['high', 'medium', 'low'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
export type Level = (typeof LEVELS)[number];

/**
 * An opportunity moving through a pipeline's stages. Products (quoting) will hang off it by id;
 * `contactName` is the contact replica's name, kept in step with contacts' events.
 */
@Entity('deals')
export class Deal extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid')
  ownerId: string;

  @Column('uuid')
  pipelineId: string;

  @Column('text')
  stage: string;

  @Column('text')
  status: DealStatus;

  @Column('text')
  title: string;

  @Column('uuid', { nullable: true })
  contactId: string | null;

  @Column('text', { nullable: true })
  contactName: string | null;

  @Column('uuid', { nullable: true })
  customerId: string | null;

  @Column('text', { nullable: true })
  company: string | null;

  @Column('numeric', { precision: 15, scale: 2, transformer: numericColumn })
  value: number;

  @Column('char', { length: 3 })
  currency: string;

  @Column('integer')
  probability: number;

  @Column('text')
  confidence: Level;

  @Column('date', { nullable: true })
  expectedCloseDate: string | null;

  @Column('date', { nullable: true })
  closedDate: string | null;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text')
  priority: Level;

  @Column('text', { nullable: true })
  competitorMentioned: string | null;

  @Column('text', { nullable: true })
  lossReason: string | null;

  @Column('timestamptz', { nullable: true })
  lastActivityAt: Date | null;

  @Column('text', { array: true })
  tags: string[];

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;
}
