import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What pipeline knows of a user: whom deals and leads may be assigned to. */
@Entity('user_replicas')
export class UserReplica {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('text')
  name: string;

  @Column('text')
  email: string;

  @Column('text')
  role: string;

  @Column('boolean')
  isActive: boolean;

  @Column('integer')
  aggregateVersion: number;
}
