import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What pipeline knows of a contact: its name for deals, its owner and account for defaults. */
@Entity('contact_replicas')
export class ContactReplica {
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
  company: string | null;

  /** A tombstone: deals keep the last known name, and an older event cannot revive it. */
  @Column('boolean')
  deleted: boolean;

  @Column('integer')
  aggregateVersion: number;
}
