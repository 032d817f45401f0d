import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The customers replica: a converted lead's company is matched to an existing account by name. */
export class CreateCustomerReplicas1732600000000 implements MigrationInterface {
  name = 'CreateCustomerReplicas1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customer_replicas (
        id                uuid PRIMARY KEY,
        organization_id   uuid NOT NULL,
        name              text NOT NULL,
        deleted           boolean NOT NULL DEFAULT false,
        aggregate_version integer NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX customer_replicas_name ON customer_replicas (organization_id, lower(name)) WHERE NOT deleted',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_replicas');
  }
}
