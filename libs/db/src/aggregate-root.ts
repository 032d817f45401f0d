import { CreateDateColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * Columns every aggregate root has: a version that TypeORM raises on each save and that its
 * events carry as `aggregateVersion` (replicas ignore anything older), and its timestamps.
 */
export abstract class AggregateRoot {
  @VersionColumn()
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
