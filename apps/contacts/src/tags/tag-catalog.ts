import { newId } from '@flow-crm/db';
import { ConflictError, normalizeTags } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

export const DEFAULT_TAG_COLOR = '#64748b';
/** Rounds of registering before giving up on tags that keep being renamed or deleted meanwhile. */
const MAX_ROUNDS = 5;

/**
 * Keeps the catalog complete: every tag a record carries is in it, so the catalog can offer,
 * rename and delete all of them. A tag is spelled everywhere as the catalog first spelled it.
 * Register a record's tags before locking the record.
 */
@Injectable()
export class TagCatalog {
  /** The catalog's spelling of a tag named in any case, for exact matching on records. */
  async spelling(manager: EntityManager, organizationId: string, tag: string): Promise<string> {
    const rows: { name: string }[] = await manager.query(
      'SELECT name FROM tags WHERE organization_id = $1 AND lower(name) = lower($2)',
      [organizationId, tag],
    );
    return rows[0]?.name ?? tag;
  }

  async register(
    manager: EntityManager,
    organizationId: string,
    names: readonly string[],
  ): Promise<string[]> {
    const tags = normalizeTags(names);
    if (tags.length === 0) return [];
    const spelling = new Map<string, string>();
    // A tag renamed or deleted by a transaction we waited for is gone from under its name when the
    // lock is granted; it is then created again, which the next round does.
    for (let round = 1; spelling.size < tags.length; round++) {
      if (round > MAX_ROUNDS) throw new ConflictError('The tags are being changed; try again');
      const missing = tags.filter((tag) => !spelling.has(tag.toLowerCase()));
      await manager.query(
        `INSERT INTO tags (id, organization_id, name, color, version)
         SELECT unnest($2::uuid[]), $1, unnest($3::text[]), $4, 1
         ON CONFLICT (organization_id, lower(name)) DO NOTHING`,
        [organizationId, missing.map(() => newId()), missing, DEFAULT_TAG_COLOR],
      );
      // FOR SHARE: a rename or delete of these tags waits until this record is written, and then
      // finds it; taken before the record's own lock (callers register first), so none deadlock.
      const rows: { name: string }[] = await manager.query(
        'SELECT name FROM tags WHERE organization_id = $1 AND lower(name) = ANY($2::text[]) ORDER BY id FOR SHARE',
        [organizationId, missing.map((tag) => tag.toLowerCase())],
      );
      for (const row of rows) spelling.set(row.name.toLowerCase(), row.name);
    }
    return tags.map((tag) => spelling.get(tag.toLowerCase())!);
  }
}
