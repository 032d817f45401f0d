import { AggregateRoot } from '@flow-crm/db';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type Stage } from './stages';

/** A sales process: ordered stages a deal moves through. The stages are part of the aggregate. */
@Entity('pipelines')
export class Pipeline extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Column('text')
  name: string;

  @Column('boolean')
  isDefault: boolean;

  @Column('jsonb')
  stages: Stage[];

  stage(key: string): Stage | undefined {
    return this.stages.find((stage) => stage.key === key);
  }
}
