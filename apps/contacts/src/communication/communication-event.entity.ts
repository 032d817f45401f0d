import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { type Sentiment } from '../contacts/contact.entity';

export const COMMUNICATION_TYPES = ['email', 'call', 'meeting', 'note'] as const;
export type CommunicationType = (typeof COMMUNICATION_TYPES)[number];

/** One touchpoint with a contact: an email, a call, a meeting or a note. */
@Entity('communication_events')
export class CommunicationEvent {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid')
  contactId: string;

  /** Who logged it. */
  @Column('uuid')
  userId: string;

  @Column('text')
  type: CommunicationType;

  @Column('timestamptz')
  occurredAt: Date;

  @Column('text', { nullable: true })
  subject: string | null;

  @Column('text')
  summary: string;

  @Column('text', { nullable: true })
  sentiment: Sentiment | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
