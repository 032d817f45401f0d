import { dropGenerationsSql, generationsSql } from '@flow-crm/db';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Leads, numbered per organization (LEAD-000001), their sources, and the generations their list
 * totals are kept by. The numbering counter is a row per organization: numbers are gapless and
 * never repeat, concurrent creates of one organization taking them in turn.
 */
export class CreateLeads1732500000000 implements MigrationInterface {
  name = 'CreateLeads1732500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE lead_numbers (
        organization_id uuid PRIMARY KEY,
        last_number     bigint NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE leads (
        id                    uuid PRIMARY KEY,
        organization_id       uuid NOT NULL,
        owner_id              uuid NOT NULL,
        lead_number           text NOT NULL,
        name                  text NOT NULL,
        email                 text,
        phone                 text,
        company               text,
        title                 text,
        source                text,
        status                text NOT NULL CHECK (status IN ('new', 'contacted', 'qualified', 'unqualified', 'converted')),
        score                 integer NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
        rating                text CHECK (rating IN ('hot', 'warm', 'cold')),
        budget                numeric(15, 2) CHECK (budget >= 0),
        authority             text,
        need                  text,
        timeline              text,
        estimated_value       numeric(15, 2) CHECK (estimated_value >= 0),
        last_contact_at       timestamptz,
        converted_at          timestamptz,
        converted_contact_id  uuid,
        converted_customer_id uuid,
        converted_deal_id     uuid,
        tags                  text[] NOT NULL DEFAULT '{}',
        version               integer NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        deleted_at            timestamptz,
        search_text           text GENERATED ALWAYS AS (
          lower(name || chr(31) || coalesce(email, '') || chr(31) || coalesce(company, '') || chr(31) || lead_number)
        ) STORED
      )`);
    await runner.query('CREATE UNIQUE INDEX leads_number ON leads (organization_id, lead_number)');
    await runner.query(
      'CREATE INDEX leads_search_trgm ON leads USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL',
    );
    await runner.query('CREATE INDEX leads_tags ON leads USING gin (tags) WHERE deleted_at IS NULL');
    for (const [name, columns] of [
      ['created', 'created_at DESC, id DESC'],
      ['updated', 'updated_at DESC, id DESC'],
      ['name', 'lower(name), id'],
      ['score', 'score DESC, id DESC'],
      ['estimated_value', 'estimated_value DESC NULLS LAST, id DESC'],
      ['status', 'status, created_at DESC, id DESC'],
      ['owner', 'owner_id, created_at DESC, id DESC'],
      ['source', 'source, created_at DESC, id DESC'],
    ]) {
      await runner.query(
        `CREATE INDEX leads_${name} ON leads (organization_id, ${columns}) WHERE deleted_at IS NULL`,
      );
    }
    for (const statement of generationsSql('leads')) await runner.query(statement);
    await runner.query(`
      CREATE TABLE lead_sources (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name            text NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE UNIQUE INDEX lead_sources_name ON lead_sources (organization_id, lower(name))',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['lead_sources', 'leads', 'lead_numbers']) await runner.query(`DROP TABLE ${table}`);
    for (const statement of dropGenerationsSql('leads')) await runner.query(statement);
  }
}
