import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The organizations pipeline has met. Left empty on purpose for a database that already holds
 * pipelines: meeting each of its organizations again asks for their replicas, which fills what
 * was missed before (replicas keep only newer versions, so nothing goes back).
 */
export class CreateOrganizations1732700000000 implements MigrationInterface {
  name = 'CreateOrganizations1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE organizations (
        id     uuid PRIMARY KEY,
        met_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE organizations');
  }
}
