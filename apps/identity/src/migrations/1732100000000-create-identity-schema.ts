import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateIdentitySchema1732100000000 implements MigrationInterface {
  name = 'CreateIdentitySchema1732100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE organizations (
        id         uuid PRIMARY KEY,
        name       text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE users (
        id                        uuid PRIMARY KEY,
        organization_id           uuid NOT NULL REFERENCES organizations (id),
        email                     text NOT NULL CHECK (email = lower(email)),
        password_hash             text NOT NULL,
        name                      text NOT NULL,
        avatar_url                text,
        role                      text NOT NULL CHECK (role IN ('admin', 'manager', 'sales')),
        is_active                 boolean NOT NULL DEFAULT true,
        two_factor_enabled        boolean NOT NULL DEFAULT false,
        two_factor_secret         text,
        two_factor_pending_secret text,
        two_factor_last_step      bigint,
        preferences               jsonb NOT NULL,
        last_login_at             timestamptz,
        version                   integer NOT NULL,
        created_at                timestamptz NOT NULL DEFAULT now(),
        updated_at                timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE UNIQUE INDEX users_email_key ON users (email)');
    await runner.query('CREATE INDEX users_organization_created ON users (organization_id, created_at, id)');
    await runner.query(
      "CREATE INDEX users_organization_admins ON users (organization_id) WHERE role = 'admin' AND is_active",
    );
    await runner.query(`
      CREATE TABLE sessions (
        id              uuid PRIMARY KEY,
        family_id       uuid NOT NULL,
        user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL,
        token_hash      text NOT NULL UNIQUE,
        expires_at      timestamptz NOT NULL,
        rotated_at      timestamptz,
        revoked_at      timestamptz,
        user_agent      text,
        ip_address      text,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX sessions_family ON sessions (family_id)');
    await runner.query('CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL');
    await runner.query('CREATE INDEX sessions_expires_at ON sessions (expires_at)');
    await runner.query(`
      CREATE TABLE signing_keys (
        kid             text PRIMARY KEY,
        algorithm       text NOT NULL,
        public_jwk      jsonb NOT NULL,
        private_key_pem text NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        retired_at      timestamptz
      )`);
    await runner.query(`
      CREATE TABLE one_time_tokens (
        id         uuid PRIMARY KEY,
        purpose    text NOT NULL CHECK (purpose IN ('password_reset', 'login_challenge')),
        user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at    timestamptz,
        attempts   integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose) WHERE used_at IS NULL',
    );
    await runner.query(`
      CREATE TABLE teams (
        id              uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations (id),
        name            text NOT NULL,
        manager_id      uuid REFERENCES users (id),
        version         integer NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        deleted_at      timestamptz
      )`);
    await runner.query(
      'CREATE UNIQUE INDEX teams_live_name ON teams (organization_id, lower(name)) WHERE deleted_at IS NULL',
    );
    await runner.query(`
      CREATE TABLE team_members (
        team_id  uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      )`);
    await runner.query('CREATE INDEX team_members_user ON team_members (user_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'team_members',
      'teams',
      'one_time_tokens',
      'signing_keys',
      'sessions',
      'users',
      'organizations',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
