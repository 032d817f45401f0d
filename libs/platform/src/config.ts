import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const flag = z.stringbool().default(false);

/** The comma-separated back-off steps of the bus, in milliseconds. */
const delays = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'a comma-separated list of milliseconds')
  .transform((value) => value.split(',').map(Number));

export interface ServiceDefaults {
  readonly port: number;
  readonly database: string;
}

/** What every app reads, the gateway included: where to listen, how to verify tokens, how to log. */
export function appConfigSchema(defaults: { port: number }) {
  return z.object({
    PORT: port.default(defaults.port),
    HOST: z.string().min(1).default('0.0.0.0'),
    JWKS_URL: z.url().default('http://127.0.0.1:3001/api/auth/jwks.json'),
    JWT_ISSUER: z.string().min(1).default('flow-crm-identity'),
    JWT_AUDIENCE: z.string().min(1).default('flow-crm'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: flag,
  });
}

export type AppConfig = z.infer<ReturnType<typeof appConfigSchema>>;

/**
 * The environment every service reads (README, "Configuration"), with the localhost defaults of
 * ARCHITECTURE.md. A service extends it with its own variables.
 */
export function platformConfigSchema(defaults: ServiceDefaults) {
  return appConfigSchema(defaults).extend({
    DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432'),
    DATABASE_NAME: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default(defaults.database),
    DB_POOL_SIZE: positiveInt.default(10),
    RABBITMQ_URL: z.url().default('amqp://guest:guest@127.0.0.1:5672'),
    BUS_PREFIX: z.string().default(''),
    BUS_PREFETCH: positiveInt.default(10),
    BUS_RETRY_DELAYS_MS: delays.default([1_000, 5_000, 30_000]),
    BUS_DELIVERY_LIMIT: positiveInt.default(20),
    OUTBOX_POLL_MS: positiveInt.default(1_000),
  });
}

export type PlatformConfig = z.infer<ReturnType<typeof platformConfigSchema>>;

export class ConfigError extends Error {}

/**
 * Reads and validates the configuration once, at boot. A missing or malformed variable stops
 * the process with a message naming it; nothing else in the code reads process.env.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

/** The CSV imports' limits, for a service that has them: the gateway allows 10 MB on import routes, the service checks the same by itself. */
export const importLimitsSchema = z.object({
  IMPORT_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
  IMPORT_MAX_ROWS: positiveInt.default(50_000),
});
