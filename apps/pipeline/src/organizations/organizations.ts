import { Outbox } from '@flow-crm/bus';
import { PipelineReplicasRequested, REPLICATED_AGGREGATES } from '@flow-crm/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { PipelinesService } from '../pipelines/pipelines.service';

/** Organizations remembered as met before the set starts over. */
const REMEMBERED = 100_000;

/**
 * The organizations pipeline knows. One announced by identity after this service's queue
 * existed brings all its users, contacts and customers in events; one met first in a request
 * is older than pipeline's database, so pipeline asks identity and contacts to send its records
 * again. Either way it gets the contract's default pipeline.
 */
@Injectable()
export class Organizations {
  /** Met and committed: checked before every request, so without a query. */
  private readonly met = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pipelines: PipelinesService,
    private readonly outbox: Outbox,
  ) {}

  /** `identity.organization.created`, in the transaction of its inbox row. */
  async announced(manager: EntityManager, organizationId: string): Promise<void> {
    await this.insert(manager, organizationId);
    await this.pipelines.createDefault(manager, organizationId);
  }

  /** Before a request of the organization's: the first one asks for its replicas. */
  async meet(organizationId: string): Promise<void> {
    if (this.met.has(organizationId)) return;
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.insert(manager, organizationId))) return;
      await this.pipelines.createDefault(manager, organizationId);
      await this.outbox.publish(manager, PipelineReplicasRequested, {
        organizationId,
        aggregateId: organizationId,
        aggregateVersion: 1,
        data: { organizationId, aggregates: [...REPLICATED_AGGREGATES] },
      });
    });
    if (this.met.size >= REMEMBERED) this.met.clear();
    this.met.add(organizationId);
  }

  /** Whether this is the first meeting. */
  private async insert(manager: EntityManager, organizationId: string): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      'INSERT INTO organizations (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id',
      [organizationId],
    );
    return inserted.length > 0;
  }
}
