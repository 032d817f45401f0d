import { loadConfig, platformConfigSchema } from '@flow-crm/platform';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

export const identityConfigSchema = platformConfigSchema({ port: 3001, database: 'crm_identity' }).extend({
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(15 * 60),
  REFRESH_TOKEN_TTL_DAYS: positiveInt.default(7),
  PASSWORD_RESET_TTL_MINUTES: positiveInt.default(60),
  /** argon2id cost; the defaults are OWASP's recommendation. Tests lower them to stay fast. */
  ARGON2_MEMORY_KIB: positiveInt.min(8 * 1024).default(19 * 1024),
  ARGON2_TIME_COST: positiveInt.min(2).default(2),
  TOTP_ISSUER: z.string().min(1).default('Flow CRM'),
});

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadConfig(identityConfigSchema, env);
}
