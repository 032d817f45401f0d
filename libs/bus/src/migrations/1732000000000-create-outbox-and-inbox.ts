import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Tables of the transactional outbox and the idempotent inbox; every service includes this migration. */
export class CreateOutboxAndInbox1732000000000 implements MigrationInterface {
  name = 'CreateOutboxAndInbox1732000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox_events (
        seq          bigserial PRIMARY KEY,
        id           uuid NOT NULL UNIQUE,
        type         text NOT NULL,
        aggregate_id uuid NOT NULL,
        envelope     jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await runner.query(
      'CREATE INDEX outbox_events_pending ON outbox_events (seq) WHERE published_at IS NULL',
    );
    await runner.query(
      'CREATE INDEX outbox_events_pending_by_aggregate ON outbox_events (aggregate_id, seq) WHERE published_at IS NULL',
    );
    await runner.query(
      'CREATE INDEX outbox_events_published_at ON outbox_events (published_at) WHERE published_at IS NOT NULL',
    );
    await runner.query(`
      CREATE TABLE inbox_events (
        event_id    uuid PRIMARY KEY,
        type        text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX inbox_events_received_at ON inbox_events (received_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox_events');
    await runner.query('DROP TABLE outbox_events');
  }
}
