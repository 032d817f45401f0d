import { AggregateRoot } from '@flow-crm/db';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tag of the organization's catalog; records carry tags by name. */
@Entity('tags')
export class Tag extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('text')
  name: string;

  /** `#rrggbb`, lower case. */
  @Column('text')
  color: string;
}
