import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An organization's generation in shards: with one row, every transaction that changed the
 * organization's contacts held that row's lock until it committed, so concurrent creates queued
 * behind each other's commits. A transaction now bumps the shard its id picks (the same one for all
 * its statements, so two transactions never lock two shards in opposite orders); the generation is
 * all the shards read together (KeptTotals).
 */
export class ShardContactGenerations1732300000000 implements MigrationInterface {
  name = 'ShardContactGenerations1732300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE contact_generations ADD COLUMN shard smallint NOT NULL DEFAULT 0');
    await runner.query('ALTER TABLE contact_generations ALTER COLUMN shard DROP DEFAULT');
    await runner.query(
      'ALTER TABLE contact_generations DROP CONSTRAINT contact_generations_pkey, ADD PRIMARY KEY (organization_id, shard)',
    );
    await runner.query(`
      CREATE OR REPLACE FUNCTION bump_contact_generation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO contact_generations AS g (organization_id, shard, generation)
        SELECT DISTINCT organization_id, (txid_current() % 16)::smallint, 1 FROM changed_rows
        ORDER BY organization_id
        ON CONFLICT (organization_id, shard) DO UPDATE SET generation = g.generation + 1;
        RETURN NULL;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE OR REPLACE FUNCTION bump_contact_generation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO contact_generations AS g (organization_id, generation)
        SELECT DISTINCT organization_id, 1 FROM changed_rows
        ON CONFLICT (organization_id) DO UPDATE SET generation = g.generation + 1;
        RETURN NULL;
      END $$`);
    await runner.query(`
      DELETE FROM contact_generations g USING contact_generations other
      WHERE g.organization_id = other.organization_id AND g.shard > other.shard`);
    await runner.query(
      'ALTER TABLE contact_generations DROP CONSTRAINT contact_generations_pkey, ADD PRIMARY KEY (organization_id)',
    );
    await runner.query('ALTER TABLE contact_generations DROP COLUMN shard');
  }
}
