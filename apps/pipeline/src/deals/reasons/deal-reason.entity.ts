import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const REASON_TYPES = ['won', 'lost'] as const;
export type ReasonType = (typeof REASON_TYPES)[number];

/** Why deals are won or lost, as the organization words it ("Price too high", "Feature gap"). */
@Entity('deal_reasons')
export class DealReason {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('text')
  type: ReasonType;

  @Column('text')
  reason: string;

  @Column('text', { nullable: true })
  category: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
