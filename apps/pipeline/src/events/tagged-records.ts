import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** The tables whose records carry catalog tags. */
const TAGGED_TABLES = ['deals', 'leads'] as const;

/** Applies contacts' tag catalog changes to pipeline's records. */
@Injectable()
export class TaggedRecords {
  async removeTag(manager: EntityManager, organizationId: string, name: string): Promise<void> {
    for (const table of TAGGED_TABLES)
      await manager.query(
        `UPDATE ${table} SET tags = array_remove(tags, $2) WHERE organization_id = $1 AND tags @> ARRAY[$2]`,
        [organizationId, name],
      );
  }

  async renameTag(manager: EntityManager, organizationId: string, from: string, to: string): Promise<void> {
    for (const table of TAGGED_TABLES)
      await manager.query(
        // A record that already has the new name keeps one of it.
        `UPDATE ${table}
         SET tags = CASE WHEN tags @> ARRAY[$3] THEN array_remove(tags, $2) ELSE array_replace(tags, $2, $3) END
         WHERE organization_id = $1 AND tags @> ARRAY[$2]`,
        [organizationId, from, to],
      );
  }
}
