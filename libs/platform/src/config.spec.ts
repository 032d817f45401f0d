import { z } from 'zod';
import { ConfigError, importLimitsSchema, loadConfig, platformConfigSchema } from './config';

const schema = platformConfigSchema({ port: 3002, database: 'crm_contacts' });
const load = (env: NodeJS.ProcessEnv) => loadConfig(schema, env);

function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('platformConfigSchema and loadConfig', () => {
  it("defaults to the service's port and database and ARCHITECTURE.md's localhost servers", () => {
    expect(load({})).toEqual({
      PORT: 3002,
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432',
      DATABASE_NAME: 'crm_contacts',
      DB_POOL_SIZE: 10,
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
      BUS_PREFIX: '',
      BUS_PREFETCH: 10,
      BUS_RETRY_DELAYS_MS: [1_000, 5_000, 30_000],
      BUS_DELIVERY_LIMIT: 20,
      OUTBOX_POLL_MS: 1_000,
      JWKS_URL: 'http://127.0.0.1:3001/api/auth/jwks.json',
      JWT_ISSUER: 'flow-crm-identity',
      JWT_AUDIENCE: 'flow-crm',
      LOG_LEVEL: 'info',
      LOG_PRETTY: false,
    });
  });

  it('takes its defaults from the service it is built for', () => {
    const identity = loadConfig(platformConfigSchema({ port: 3001, database: 'crm_identity' }), {});
    expect(identity).toMatchObject({ PORT: 3001, DATABASE_NAME: 'crm_identity' });
  });

  it('reads and converts the variables that are set', () => {
    const config = load({
      PORT: '8088',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://app:secret@db:5432',
      DATABASE_NAME: 't_ab12cd34_contacts',
      DB_POOL_SIZE: '4',
      RABBITMQ_URL: 'amqp://app:secret@mq:5672/crm',
      BUS_PREFIX: 't.ab12cd34.',
      BUS_PREFETCH: '50',
      BUS_DELIVERY_LIMIT: '5',
      OUTBOX_POLL_MS: '250',
      JWKS_URL: 'http://identity:3001/api/auth/jwks.json',
      JWT_ISSUER: 'issuer',
      JWT_AUDIENCE: 'audience',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      PORT: 8088,
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://app:secret@db:5432',
      DATABASE_NAME: 't_ab12cd34_contacts',
      DB_POOL_SIZE: 4,
      RABBITMQ_URL: 'amqp://app:secret@mq:5672/crm',
      BUS_PREFIX: 't.ab12cd34.',
      BUS_PREFETCH: 50,
      BUS_DELIVERY_LIMIT: 5,
      OUTBOX_POLL_MS: 250,
      JWKS_URL: 'http://identity:3001/api/auth/jwks.json',
      JWT_ISSUER: 'issuer',
      JWT_AUDIENCE: 'audience',
      LOG_LEVEL: 'debug',
    });
  });

  it('treats empty strings as unset', () => {
    expect(
      load({ PORT: '', DATABASE_URL: '', BUS_RETRY_DELAYS_MS: '', LOG_PRETTY: '', LOG_LEVEL: '' }),
    ).toMatchObject({
      PORT: 3002,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432',
      BUS_RETRY_DELAYS_MS: [1_000, 5_000, 30_000],
      LOG_PRETTY: false,
      LOG_LEVEL: 'info',
    });
  });

  it('ignores variables it does not know', () => {
    const config = load({ PATH: '/usr/bin', HOME: '/root' }) as Record<string, unknown>;
    expect(config.PATH).toBeUndefined();
    expect(config.HOME).toBeUndefined();
  });

  describe('BUS_RETRY_DELAYS_MS', () => {
    it.each([
      ['1000', [1000]],
      ['100,200,400', [100, 200, 400]],
      ['0,50', [0, 50]],
    ])('parses %p as %p', (value, delays) => {
      expect(load({ BUS_RETRY_DELAYS_MS: value }).BUS_RETRY_DELAYS_MS).toEqual(delays);
    });

    it.each(['1000,', ',1000', '1000;2000', '1s,5s', '-100', '1.5', '1000, 2000'])(
      'refuses %p, naming the variable',
      (value) => {
        const error = configErrorOf({ BUS_RETRY_DELAYS_MS: value });
        expect(error.message).toContain('BUS_RETRY_DELAYS_MS');
        expect(error.message).toContain('a comma-separated list of milliseconds');
      },
    );
  });

  describe('LOG_PRETTY', () => {
    it.each(['true', '1', 'yes', 'on', 'TRUE'])('reads %p as true', (value) => {
      expect(load({ LOG_PRETTY: value }).LOG_PRETTY).toBe(true);
    });

    it.each(['false', '0', 'no', 'off', 'FALSE'])('reads %p as false', (value) => {
      expect(load({ LOG_PRETTY: value }).LOG_PRETTY).toBe(false);
    });

    it('refuses a value that is neither, naming the variable', () => {
      expect(configErrorOf({ LOG_PRETTY: 'maybe' }).message).toMatch(/^\s+LOG_PRETTY: /m);
    });
  });

  describe('a malformed variable stops the boot with a ConfigError naming it', () => {
    it.each([
      ['PORT', 'eighty'],
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['DATABASE_URL', 'not a url'],
      ['DATABASE_NAME', 'crm-contacts'],
      ['DATABASE_NAME', 'CRM'],
      ['DATABASE_NAME', 'x'.repeat(64)],
      ['DB_POOL_SIZE', '0'],
      ['RABBITMQ_URL', '127.0.0.1:5672'],
      ['BUS_PREFETCH', 'many'],
      ['BUS_DELIVERY_LIMIT', '-3'],
      ['OUTBOX_POLL_MS', '0'],
      ['JWKS_URL', '/api/auth/jwks.json'],
      ['LOG_LEVEL', 'verbose'],
    ])('%s=%p', (name, value) => {
      const error = configErrorOf({ [name]: value });
      expect(error.message).toMatch(/^invalid configuration:/);
      expect(error.message).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
    });

    it('names every malformed variable at once', () => {
      const error = configErrorOf({ PORT: 'x', LOG_LEVEL: 'loud', DB_POOL_SIZE: '0' });
      expect(error.message).toMatch(/^\s+PORT: /m);
      expect(error.message).toMatch(/^\s+LOG_LEVEL: /m);
      expect(error.message).toMatch(/^\s+DB_POOL_SIZE: /m);
    });

    it('does not mention the variables that are fine', () => {
      expect(configErrorOf({ PORT: 'x', HOST: 'localhost' }).message).not.toContain('HOST');
    });
  });

  it("validates a service's extension of the schema the same way", () => {
    const extended = schema.extend({
      SMTP_URL: z.url(),
      DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
    });
    expect(loadConfig(extended, { SMTP_URL: 'smtp://mail:25' })).toMatchObject({
      SMTP_URL: 'smtp://mail:25',
      DIGEST_HOUR: 7,
      PORT: 3002,
    });
    expect(() => loadConfig(extended, {})).toThrow(/^\s+SMTP_URL: /m);
    expect(() => loadConfig(extended, { SMTP_URL: '' })).toThrow(ConfigError);
  });

  it('reads process.env when given no environment', () => {
    const saved = process.env.DB_POOL_SIZE;
    process.env.DB_POOL_SIZE = '7';
    try {
      expect(loadConfig(schema).DB_POOL_SIZE).toBe(7);
    } finally {
      if (saved === undefined) delete process.env.DB_POOL_SIZE;
      else process.env.DB_POOL_SIZE = saved;
    }
  });
});

describe('importLimitsSchema', () => {
  const withImports = schema.extend(importLimitsSchema.shape);

  it('allows 10 MB and 50,000 rows unless told otherwise', () => {
    expect(loadConfig(withImports, {})).toMatchObject({
      IMPORT_MAX_BYTES: 10 * 1024 * 1024,
      IMPORT_MAX_ROWS: 50_000,
    });
    expect(loadConfig(withImports, { IMPORT_MAX_ROWS: '100' }).IMPORT_MAX_ROWS).toBe(100);
  });

  it('refuses a limit that is not a positive whole number', () => {
    for (const value of ['0', '-1', '1.5', 'lots'])
      expect(() => loadConfig(withImports, { IMPORT_MAX_BYTES: value })).toThrow(ConfigError);
  });
});
