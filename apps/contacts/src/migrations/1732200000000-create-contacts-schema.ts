import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Customers, contacts, their communication and tags, segments, and the replica of pipeline's
 * deals that feeds each contact's totals. Indexes are partial on live rows (`deleted_at IS NULL`):
 * every list, filter and sort reads live rows only, and the indexes stay as small as the data.
 */
export class CreateContactsSchema1732200000000 implements MigrationInterface {
  name = 'CreateContactsSchema1732200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await runner.query(`
      CREATE TABLE customers (
        id               uuid PRIMARY KEY,
        organization_id  uuid NOT NULL,
        owner_id         uuid NOT NULL,
        parent_id        uuid REFERENCES customers (id),
        name             text NOT NULL,
        legal_name       text,
        industry         text,
        website          text,
        phone            text,
        email            text,
        type             text NOT NULL DEFAULT 'prospect' CHECK (type IN ('prospect', 'customer', 'partner', 'vendor')),
        status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'churned')),
        tier             text CHECK (tier IN ('bronze', 'silver', 'gold', 'platinum')),
        size             text CHECK (size IN ('1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+')),
        annual_revenue   numeric(15, 2) CHECK (annual_revenue >= 0),
        employee_count   integer CHECK (employee_count >= 0),
        health_score     integer CHECK (health_score BETWEEN 0 AND 100),
        billing_address  jsonb,
        shipping_address jsonb,
        description      text,
        tags             text[] NOT NULL DEFAULT '{}',
        version          integer NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        deleted_at       timestamptz
      )`);
    await runner.query(
      'CREATE INDEX customers_created ON customers (organization_id, created_at DESC, id) WHERE deleted_at IS NULL',
    );
    await runner.query(
      'CREATE INDEX customers_name ON customers (organization_id, lower(name)) WHERE deleted_at IS NULL',
    );
    await runner.query(
      'CREATE INDEX customers_parent ON customers (parent_id) WHERE deleted_at IS NULL AND parent_id IS NOT NULL',
    );
    await runner.query(
      'CREATE INDEX customers_owner ON customers (organization_id, owner_id) WHERE deleted_at IS NULL',
    );
    await runner.query('CREATE INDEX customers_tags ON customers USING gin (tags) WHERE deleted_at IS NULL');
    await runner.query(
      'CREATE INDEX customers_name_trgm ON customers USING gin (lower(name) gin_trgm_ops) WHERE deleted_at IS NULL',
    );

    await runner.query(`
      CREATE TABLE contacts (
        id                       uuid PRIMARY KEY,
        organization_id          uuid NOT NULL,
        owner_id                 uuid NOT NULL,
        customer_id              uuid REFERENCES customers (id),
        name                     text NOT NULL,
        email                    text,
        phone                    text,
        mobile                   text,
        company                  text,
        title                    text,
        department               text,
        avatar_url               text,
        linkedin_url             text,
        relationship_health      text NOT NULL DEFAULT 'medium' CHECK (relationship_health IN ('high', 'medium', 'low')),
        health_score             integer NOT NULL DEFAULT 50 CHECK (health_score BETWEEN 0 AND 100),
        sentiment                text NOT NULL DEFAULT 'neutral' CHECK (sentiment IN ('positive', 'neutral', 'negative')),
        churn_risk               integer NOT NULL DEFAULT 0 CHECK (churn_risk BETWEEN 0 AND 100),
        last_contact_at          timestamptz,
        next_follow_up_at        timestamptz,
        total_deals_count        integer NOT NULL DEFAULT 0,
        total_deals_value        numeric(15, 2) NOT NULL DEFAULT 0,
        preferred_contact_method text CHECK (preferred_contact_method IN ('email', 'phone', 'sms', 'meeting')),
        email_opt_out            boolean NOT NULL DEFAULT false,
        phone_opt_out            boolean NOT NULL DEFAULT false,
        is_decision_maker        boolean NOT NULL DEFAULT false,
        address                  jsonb,
        notes                    text,
        tags                     text[] NOT NULL DEFAULT '{}',
        merged_into_id           uuid REFERENCES contacts (id),
        -- One lower-cased text for the substring search on name, email and company; the unit
        -- separator keeps a search from matching across two fields.
        search_text              text GENERATED ALWAYS AS (
                                   lower(name) || chr(31) || lower(coalesce(email, '')) || chr(31) || lower(coalesce(company, ''))
                                 ) STORED,
        version                  integer NOT NULL,
        created_at               timestamptz NOT NULL DEFAULT now(),
        updated_at               timestamptz NOT NULL DEFAULT now(),
        deleted_at               timestamptz
      )`);
    // An email belongs to one live contact per organization; deleting the contact frees it.
    await runner.query(
      'CREATE UNIQUE INDEX contacts_email_key ON contacts (organization_id, lower(email)) WHERE deleted_at IS NULL AND email IS NOT NULL',
    );
    await runner.query(
      'CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL',
    );
    await runner.query('CREATE INDEX contacts_tags ON contacts USING gin (tags) WHERE deleted_at IS NULL');
    for (const [name, columns] of [
      ['created', 'created_at DESC, id DESC'],
      ['updated', 'updated_at DESC, id DESC'],
      ['name', 'lower(name), id'],
      ['health_score', 'health_score DESC, id DESC'],
      ['churn_risk', 'churn_risk DESC, id DESC'],
      ['last_contact', 'last_contact_at DESC NULLS LAST, id DESC'],
      ['next_follow_up', 'next_follow_up_at, id'],
      ['deals_value', 'total_deals_value DESC, id DESC'],
      ['owner', 'owner_id, created_at DESC, id DESC'],
      ['customer', 'customer_id, created_at DESC, id DESC'],
    ]) {
      await runner.query(
        `CREATE INDEX contacts_${name} ON contacts (organization_id, ${columns}) WHERE deleted_at IS NULL`,
      );
    }

    // Every statement that changes an organization's contacts moves its generation on: a list's
    // total counted at one generation stays right until the next (KeptTotals keeps them).
    await runner.query(`
      CREATE TABLE contact_generations (
        organization_id uuid PRIMARY KEY,
        generation      bigint NOT NULL
      )`);
    await runner.query(`
      CREATE FUNCTION bump_contact_generation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO contact_generations AS g (organization_id, generation)
        SELECT DISTINCT organization_id, 1 FROM changed_rows
        ON CONFLICT (organization_id) DO UPDATE SET generation = g.generation + 1;
        RETURN NULL;
      END $$`);
    for (const [event, table] of [
      ['INSERT', 'NEW'],
      ['UPDATE', 'NEW'],
      ['DELETE', 'OLD'],
    ]) {
      await runner.query(
        `CREATE TRIGGER contacts_${event.toLowerCase()}_generation AFTER ${event} ON contacts
         REFERENCING ${table} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_contact_generation()`,
      );
    }

    await runner.query(`
      CREATE TABLE communication_events (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        contact_id      uuid NOT NULL REFERENCES contacts (id),
        user_id         uuid NOT NULL,
        type            text NOT NULL CHECK (type IN ('email', 'call', 'meeting', 'note')),
        occurred_at     timestamptz NOT NULL,
        subject         text,
        summary         text NOT NULL,
        sentiment       text CHECK (sentiment IN ('positive', 'neutral', 'negative')),
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX communication_events_contact ON communication_events (contact_id, occurred_at DESC, id DESC)',
    );

    await runner.query(`
      CREATE TABLE tags (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name            text NOT NULL,
        color           text NOT NULL CHECK (color ~ '^#[0-9a-f]{6}$'),
        version         integer NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE UNIQUE INDEX tags_name_key ON tags (organization_id, lower(name))');

    await runner.query(`
      CREATE TABLE customer_segments (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name            text NOT NULL,
        description     text,
        criteria        jsonb NOT NULL,
        created_by      uuid NOT NULL,
        version         integer NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        deleted_at      timestamptz
      )`);
    await runner.query(
      'CREATE UNIQUE INDEX customer_segments_name_key ON customer_segments (organization_id, lower(name)) WHERE deleted_at IS NULL',
    );

    // What contacts knows of pipeline's deals: enough to total them per contact. A deleted deal
    // stays as a tombstone, so that an older event arriving late cannot bring it back.
    await runner.query(`
      CREATE TABLE deal_replicas (
        deal_id           uuid PRIMARY KEY,
        organization_id   uuid NOT NULL,
        contact_id        uuid,
        value             numeric(15, 2) NOT NULL,
        is_lost           boolean NOT NULL,
        deleted           boolean NOT NULL,
        aggregate_version integer NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX deal_replicas_contact ON deal_replicas (contact_id) WHERE contact_id IS NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'deal_replicas',
      'customer_segments',
      'tags',
      'communication_events',
      'contacts',
      'contact_generations',
      'customers',
    ])
      await runner.query(`DROP TABLE ${table}`);
    await runner.query('DROP FUNCTION bump_contact_generation()');
  }
}
