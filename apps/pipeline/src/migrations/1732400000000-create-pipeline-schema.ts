import { dropGenerationsSql, generationsSql } from '@flow-crm/db';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Pipelines with their ordered stages, deals with their stage history and activities, the
 * per-organization win/loss reasons, and the replicas of contacts and users that pipeline reads
 * (names for deals, owners for assignment). Indexes are partial on live rows, as in contacts.
 */
export class CreatePipelineSchema1732400000000 implements MigrationInterface {
  name = 'CreatePipelineSchema1732400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await runner.query(`
      CREATE TABLE pipelines (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name            text NOT NULL,
        is_default      boolean NOT NULL DEFAULT false,
        stages          jsonb NOT NULL,
        version         integer NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    // One default pipeline per organization: creating it twice (the event and a first request
    // racing) inserts one row.
    await runner.query(
      'CREATE UNIQUE INDEX pipelines_default ON pipelines (organization_id) WHERE is_default',
    );
    await runner.query('CREATE UNIQUE INDEX pipelines_name ON pipelines (organization_id, lower(name))');

    await runner.query(`
      CREATE TABLE deals (
        id                   uuid PRIMARY KEY,
        organization_id      uuid NOT NULL,
        owner_id             uuid NOT NULL,
        pipeline_id          uuid NOT NULL REFERENCES pipelines (id),
        stage                text NOT NULL,
        -- The stage's kind when the deal entered it (kept in step when a pipeline's stages change).
        status               text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
        title                text NOT NULL,
        contact_id           uuid,
        contact_name         text,
        customer_id          uuid,
        company              text,
        value                numeric(15, 2) NOT NULL DEFAULT 0 CHECK (value >= 0),
        currency             char(3) NOT NULL DEFAULT 'USD',
        probability          integer NOT NULL CHECK (probability BETWEEN 0 AND 100),
        confidence           text NOT NULL DEFAULT 'medium' CHECK (confidence IN ('high', 'medium', 'low')),
        expected_close_date  date,
        closed_date          date,
        description          text,
        priority             text NOT NULL DEFAULT 'medium' CHECK (priority IN ('high', 'medium', 'low')),
        competitor_mentioned text,
        loss_reason          text,
        last_activity_at     timestamptz,
        tags                 text[] NOT NULL DEFAULT '{}',
        version              integer NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        deleted_at           timestamptz,
        search_text          text GENERATED ALWAYS AS (
          lower(title || chr(31) || coalesce(company, '') || chr(31) || coalesce(contact_name, ''))
        ) STORED
      )`);
    await runner.query(
      'CREATE INDEX deals_search_trgm ON deals USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL',
    );
    await runner.query('CREATE INDEX deals_tags ON deals USING gin (tags) WHERE deleted_at IS NULL');
    await runner.query('CREATE INDEX deals_contact ON deals (contact_id) WHERE contact_id IS NOT NULL');
    for (const [name, columns] of [
      ['created', 'created_at DESC, id DESC'],
      ['updated', 'updated_at DESC, id DESC'],
      ['title', 'lower(title), id'],
      ['value', 'value DESC, id DESC'],
      ['probability', 'probability DESC, id DESC'],
      ['expected_close', 'expected_close_date, id'],
      ['last_activity', 'last_activity_at DESC NULLS LAST, id DESC'],
      ['stage', 'pipeline_id, stage, created_at DESC, id DESC'],
      ['board', 'pipeline_id, stage, value DESC, id DESC'],
      ['status', 'status, expected_close_date, id'],
      ['owner', 'owner_id, created_at DESC, id DESC'],
    ]) {
      await runner.query(
        `CREATE INDEX deals_${name} ON deals (organization_id, ${columns}) WHERE deleted_at IS NULL`,
      );
    }

    // List totals kept per generation (KeptTotals, libs/db); sharded so that writers do not queue.
    for (const statement of generationsSql('deals')) await runner.query(statement);

    await runner.query(`
      CREATE TABLE deal_stage_changes (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        deal_id         uuid NOT NULL REFERENCES deals (id),
        from_stage      text,
        to_stage        text NOT NULL,
        changed_at      timestamptz NOT NULL,
        changed_by      uuid NOT NULL
      )`);
    await runner.query('CREATE INDEX deal_stage_changes_deal ON deal_stage_changes (deal_id, changed_at)');

    await runner.query(`
      CREATE TABLE deal_activities (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        deal_id         uuid NOT NULL REFERENCES deals (id),
        user_id         uuid NOT NULL,
        type            text NOT NULL CHECK (type IN ('call', 'email', 'meeting', 'proposal', 'demo', 'note')),
        occurred_at     timestamptz NOT NULL,
        description     text NOT NULL,
        outcome         text,
        next_step       text,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX deal_activities_deal ON deal_activities (deal_id, occurred_at DESC)');

    await runner.query(`
      CREATE TABLE deal_reasons (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        type            text NOT NULL CHECK (type IN ('won', 'lost')),
        reason          text NOT NULL,
        category        text,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE UNIQUE INDEX deal_reasons_reason ON deal_reasons (organization_id, type, lower(reason))',
    );

    // Replicas, kept from contacts' and identity's events; aggregate_version orders the updates.
    await runner.query(`
      CREATE TABLE contact_replicas (
        id                uuid PRIMARY KEY,
        organization_id   uuid NOT NULL,
        owner_id          uuid NOT NULL,
        customer_id       uuid,
        name              text NOT NULL,
        email             text,
        company           text,
        deleted           boolean NOT NULL DEFAULT false,
        aggregate_version integer NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE user_replicas (
        id                uuid PRIMARY KEY,
        organization_id   uuid NOT NULL,
        name              text NOT NULL,
        email             text NOT NULL,
        role              text NOT NULL,
        is_active         boolean NOT NULL,
        aggregate_version integer NOT NULL
      )`);
    await runner.query('CREATE INDEX user_replicas_organization ON user_replicas (organization_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'user_replicas',
      'contact_replicas',
      'deal_reasons',
      'deal_activities',
      'deal_stage_changes',
      'deals',
      'pipelines',
    ])
      await runner.query(`DROP TABLE ${table}`);
    for (const statement of dropGenerationsSql('deals')) await runner.query(statement);
  }
}
