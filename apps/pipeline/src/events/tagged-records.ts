import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** The tables whose records carry catalog tags. */
const TAGGED_TABLES = ['deals', 'leads'] as const;

/**
 * Applies contacts' tag catalog changes to pipeline's records. Pipeline's records may spell a tag in
 * another case than the catalog (tags compare without case everywhere), so matching ignores case;
 * a rename keeps one tag where the record already had the new name.
 */
@Injectable()
export class TaggedRecords {
  async removeTag(manager: EntityManager, organizationId: string, name: string): Promise<void> {
    for (const table of TAGGED_TABLES)
      await manager.query(
        `UPDATE ${table}
         SET tags = ARRAY(SELECT tag FROM unnest(tags) WITH ORDINALITY AS t(tag, n) WHERE lower(tag) <> lower($2) ORDER BY n)
         WHERE organization_id = $1 AND EXISTS (SELECT 1 FROM unnest(tags) AS t(tag) WHERE lower(tag) = lower($2))`,
        [organizationId, name],
      );
  }

  async renameTag(manager: EntityManager, organizationId: string, from: string, to: string): Promise<void> {
    for (const table of TAGGED_TABLES)
      await manager.query(
        `UPDATE ${table}
         SET tags = ARRAY(
           SELECT renamed FROM (
             SELECT DISTINCT ON (lower(renamed)) renamed, n
             FROM (
               SELECT CASE WHEN lower(tag) = lower($2) THEN $3 ELSE tag END AS renamed, n
               FROM unnest(tags) WITH ORDINALITY AS t(tag, n)
             ) spelled
             ORDER BY lower(renamed), n
           ) kept
           ORDER BY n)
         WHERE organization_id = $1 AND EXISTS (SELECT 1 FROM unnest(tags) AS t(tag) WHERE lower(tag) = lower($2))`,
        [organizationId, from, to],
      );
  }
}
