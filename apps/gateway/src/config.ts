import { appConfigSchema, loadConfig } from '@flow-crm/platform';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

export const gatewayConfigSchema = appConfigSchema({ port: 8080 }).extend({
  /** A routing table (services, prefixes, public routes) to use instead of the bundled routing/routes.json. */
  ROUTES_FILE: z.string().min(1).optional(),
  /** Shared rate-limit counters for several gateway instances; in memory when unset. */
  REDIS_URL: z.url().optional(),
  /** Prefix of the counters' keys, so that several gateway deployments can share one Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]+$/)
    .default('gateway'),
  /**
   * Which X-Forwarded-For hops to believe for the client IP (rate limits): `false` at the edge,
   * a hop count or a comma-separated list of proxy addresses/CIDRs behind a load balancer.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value): boolean | number | string =>
      value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value,
    ),
  CORS_ORIGINS: list.default(['http://localhost:5173', 'http://localhost:3000']),
  RATE_LIMIT_PER_IP: positiveInt.default(3_000),
  RATE_LIMIT_PER_USER: positiveInt.default(1_200),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
  LOGIN_FAILURES_PER_MINUTE: positiveInt.default(10),
  BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  LARGE_BODY_LIMIT_BYTES: positiveInt.default(10 * 1024 * 1024),
  UPSTREAM_TIMEOUT_MS: positiveInt.default(10_000),
  /** Tries of an idempotent read after the first, on connection failures only. */
  UPSTREAM_READ_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  BREAKER_ERROR_PERCENT: positiveInt.max(100).default(50),
  BREAKER_VOLUME_THRESHOLD: positiveInt.default(5),
  BREAKER_RESET_MS: positiveInt.default(5_000),
  /** How long /api/docs-json keeps a merged document before asking the services again. */
  DOCS_CACHE_SECONDS: z.coerce.number().int().min(0).default(30),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, env);
}
