import { type Principal } from '@flow-crm/auth';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { type Contact } from './contact.entity';

/**
 * The totals of contact lists. Counting 100,000 rows for every page costs tens of milliseconds,
 * so a total is kept per (organization, generation, query); the organization's generation moves
 * on with every statement that changes its contacts (a trigger, see the migration), in whatever
 * instance, so a kept total is never older than the data.
 */
@Injectable()
export class ContactCounts {
  private readonly totals = new LRUCache<string, number>({ max: 20_000 });

  async count(
    manager: EntityManager,
    principal: Principal,
    query: SelectQueryBuilder<Contact>,
  ): Promise<number> {
    // The generation is read before counting: a change committed in between makes the count newer
    // than its key, never older.
    const rows: { generation: string }[] = await manager.query(
      'SELECT generation FROM contact_generations WHERE organization_id = $1',
      [principal.organizationId],
    );
    const [sql, parameters] = query.getQueryAndParameters();
    const key = JSON.stringify([principal.organizationId, rows[0]?.generation ?? '0', sql, parameters]);
    const known = this.totals.get(key);
    if (known !== undefined) return known;
    const total = await query.getCount();
    this.totals.set(key, total);
    return total;
  }
}
