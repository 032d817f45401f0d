import { AggregateRoot } from '@flow-crm/db';
import { Column, DeleteDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { type SegmentCriteria } from './segment-criteria';

/** A saved definition of a group of customers; its members are evaluated on live data. */
@Entity('customer_segments')
export class Segment extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('jsonb')
  criteria: SegmentCriteria;

  @Column('uuid')
  createdBy: string;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;
}
