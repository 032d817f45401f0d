import { numericColumn } from '@flow-crm/db';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What contacts knows of one of pipeline's deals: enough to total a contact's deals. */
@Entity('deal_replicas')
export class DealReplica {
  @PrimaryColumn('uuid')
  dealId: string;

  @Column('uuid')
  organizationId: string;

  @Column('uuid', { nullable: true })
  contactId: string | null;

  @Column('numeric', { precision: 15, scale: 2, transformer: numericColumn })
  value: number;

  @Column('boolean')
  isLost: boolean;

  /** A tombstone: an older event arriving after the deletion must not bring the deal back. */
  @Column('boolean')
  deleted: boolean;

  @Column('integer')
  aggregateVersion: number;
}
