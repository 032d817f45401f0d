import { type ContactSnapshot } from '@flow-crm/contracts';
import { upsertNewer } from '@flow-crm/db';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { ContactReplica } from './contact-replica.entity';

/** The contacts replica, kept from contacts' events; deals show its names. */
@Injectable()
export class ContactReplicas {
  /**
   * Records a contact as of `version` (a deletion leaves a tombstone with the last known name), and
   * gives its deals that name. Returns whether anything changed.
   */
  async apply(
    manager: EntityManager,
    contact: ContactSnapshot,
    version: number,
    deleted = false,
  ): Promise<boolean> {
    const written = await upsertNewer(manager, 'contact_replicas', {
      id: contact.id,
      organization_id: contact.organizationId,
      owner_id: contact.ownerId,
      customer_id: contact.customerId,
      name: contact.name,
      email: contact.email,
      company: contact.company,
      deleted,
      aggregate_version: version,
    });
    if (written)
      await manager.query(
        `UPDATE deals SET contact_name = $3
         WHERE organization_id = $1 AND contact_id = $2 AND contact_name IS DISTINCT FROM $3`,
        [contact.organizationId, contact.id, contact.name],
      );
    return written;
  }

  /** A live contact of the organization, or null: deals may only point at those. */
  live(manager: EntityManager, organizationId: string, id: string): Promise<ContactReplica | null> {
    return manager.findOneBy(ContactReplica, { id, organizationId, deleted: false });
  }
}
