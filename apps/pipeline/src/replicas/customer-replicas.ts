import { type CustomerSnapshot } from '@flow-crm/contracts';
import { upsertNewer } from '@flow-crm/db';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** The customers replica, kept from contacts' events: which accounts a conversion can join. */
@Injectable()
export class CustomerReplicas {
  apply(
    manager: EntityManager,
    customer: CustomerSnapshot,
    version: number,
    deleted = false,
  ): Promise<boolean> {
    return upsertNewer(manager, 'customer_replicas', {
      id: customer.id,
      organization_id: customer.organizationId,
      name: customer.name,
      deleted,
      aggregate_version: version,
    });
  }

  /** The oldest live account of the organization with this name (any case), as contacts picks it. */
  async idByName(manager: EntityManager, organizationId: string, name: string): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM customer_replicas
       WHERE organization_id = $1 AND lower(name) = lower($2) AND NOT deleted
       ORDER BY id LIMIT 1`,
      [organizationId, name],
    );
    return rows[0]?.id ?? null;
  }
}
