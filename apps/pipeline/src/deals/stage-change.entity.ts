import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One move of a deal between stages; the first has no `fromStage`. */
@Entity('deal_stage_changes')
export class StageChange {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid')
  dealId: string;

  @Column('text', { nullable: true })
  fromStage: string | null;

  @Column('text')
  toStage: string;

  @Column('timestamptz')
  changedAt: Date;

  @Column('uuid')
  changedBy: string;
}
