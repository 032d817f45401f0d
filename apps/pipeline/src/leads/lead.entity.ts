import { type LeadStatus } from '@flow-crm/contracts';
import { AggregateRoot, numericColumn } from '@flow-crm/db';
import { Column, DeleteDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const RATINGS = ['hot', 'warm', 'cold'] as const;
export type Rating = (typeof RATINGS)[number];

/** Someone who may become a customer, qualified (BANT) until converted into a contact and a deal. */
@Entity('leads')
export class Lead extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid')
  ownerId: string;

  @Column('text')
  leadNumber: string;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  email: string | null;

  @Column('text', { nullable: true })
  phone: string | null;

  @Column('text', { nullable: true })
  company: string | null;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('text', { nullable: true })
  source: string | null;

  @Column('text')
  status: LeadStatus;

  @Column('integer')
  score: number;

  @Column('text', { nullable: true })
  rating: Rating | null;

  @Column('numeric', { precision: 15, scale: 2, nullable: true, transformer: numericColumn })
  budget: number | null;

  @Column('text', { nullable: true })
  authority: string | null;

  @Column('text', { nullable: true })
  need: string | null;

  @Column('text', { nullable: true })
  timeline: string | null;

  @Column('numeric', { precision: 15, scale: 2, nullable: true, transformer: numericColumn })
  estimatedValue: number | null;

  @Column('timestamptz', { nullable: true })
  lastContactAt: Date | null;

  @Column('timestamptz', { nullable: true })
  convertedAt: Date | null;

  @Column('uuid', { nullable: true })
  convertedContactId: string | null;

  @Column('uuid', { nullable: true })
  convertedCustomerId: string | null;

  @Column('uuid', { nullable: true })
  convertedDealId: string | null;

  @Column('text', { array: true })
  tags: string[];

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;
}
