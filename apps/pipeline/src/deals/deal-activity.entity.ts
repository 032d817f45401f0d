import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'proposal', 'demo', 'note'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** Something done on a deal: a call, a demo, a proposal sent. */
@Entity('deal_activities')
export class DealActivity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid')
  dealId: string;

  @Column('uuid')
  userId: string;

  @Column('text')
  type: ActivityType;

  @Column('timestamptz')
  occurredAt: Date;

  @Column('text')
  description: string;

  @Column('text', { nullable: true })
  outcome: string | null;

  @Column('text', { nullable: true })
  nextStep: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
