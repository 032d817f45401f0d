import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Where leads come from (website, referral, a trade show), per organization. */
@Entity('lead_sources')
export class LeadSource {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('text')
  name: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
