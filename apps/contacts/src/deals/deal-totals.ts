import { type DealSnapshot } from '@flow-crm/contracts';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** What the replica holds of a deal; its contact, value, loss and deletion are what the totals count. */
interface Counted {
  contact_id: string | null;
  value: string;
  is_lost: boolean;
  deleted: boolean;
  aggregate_version: number;
}

function countsDiffer(known: Counted, deal: DealSnapshot, deleted: boolean): boolean {
  return (
    known.contact_id !== deal.contactId ||
    Number(known.value) !== deal.value ||
    known.is_lost !== deal.isLost ||
    deleted
  );
}

/**
 * Each contact's `totalDealsCount`/`totalDealsValue`: the deals linked to it that are neither
 * deleted nor lost, from the replica of pipeline's deals that pipeline's events keep.
 */
@Injectable()
export class DealTotals {
  /**
   * Records a deal's state as of `version` unless the replica already holds that version or a
   * later one (a redelivered or out-of-order event), then refreshes the totals of the contacts it
   * left and joined. Returns whether anything changed.
   */
  async apply(
    manager: EntityManager,
    deal: DealSnapshot,
    version: number,
    deleted: boolean,
  ): Promise<boolean> {
    // One deal's events are applied one at a time: after this lock, the next statement sees the
    // row as the previous event (committed meanwhile) left it, even when that event created it.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`deal:${deal.id}`]);
    const previous: Counted[] = await manager.query(
      'SELECT contact_id, value, is_lost, deleted, aggregate_version FROM deal_replicas WHERE deal_id = $1',
      [deal.id],
    );
    const known: Counted | undefined = previous[0];
    if (known && (known.deleted || known.aggregate_version >= version)) return false;
    await manager.query(
      `INSERT INTO deal_replicas (deal_id, organization_id, contact_id, value, is_lost, deleted, aggregate_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (deal_id) DO UPDATE
         SET contact_id = EXCLUDED.contact_id, value = EXCLUDED.value, is_lost = EXCLUDED.is_lost,
             deleted = EXCLUDED.deleted, aggregate_version = EXCLUDED.aggregate_version`,
      [deal.id, deal.organizationId, deal.contactId, deal.value, deal.isLost, deleted, version],
    );
    // Most changes (a move between open stages, a new title) leave what the totals count alone:
    // the contact's row is then not written, nor its lists' generation moved.
    if (!known || countsDiffer(known, deal, deleted))
      await this.refresh(manager, [known?.contact_id ?? null, deal.contactId]);
    return true;
  }

  /** The deals of a merged contact count for the contact it was merged into. */
  async moveDeals(manager: EntityManager, fromContactId: string, toContactId: string): Promise<void> {
    await manager.query('UPDATE deal_replicas SET contact_id = $2 WHERE contact_id = $1', [
      fromContactId,
      toContactId,
    ]);
  }

  /** Recomputes the totals of these contacts from the replica. */
  async refresh(manager: EntityManager, contactIds: readonly (string | null)[]): Promise<void> {
    const ids = [...new Set(contactIds.filter((id): id is string => id !== null))].sort();
    if (ids.length === 0) return;
    // Lock first, then total in a new statement: its snapshot then includes every deal change
    // committed by a concurrent consumer that held the lock before us (READ COMMITTED).
    await manager.query('SELECT id FROM contacts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [ids]);
    await manager.query(
      `UPDATE contacts c
       SET (total_deals_count, total_deals_value) = (
         SELECT count(*), coalesce(sum(d.value), 0) FROM deal_replicas d
         WHERE d.contact_id = c.id AND d.organization_id = c.organization_id AND NOT d.deleted AND NOT d.is_lost
       )
       WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
  }
}
