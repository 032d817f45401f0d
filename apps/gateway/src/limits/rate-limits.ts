import { AppError } from '@flow-crm/http';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { type GatewayConfig } from '../config';
import { type GatewayMetrics } from '../gateway-metrics';

/** 429 with the seconds to wait, which the proxy sends as `Retry-After`. */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'Too many requests; retry later');
  }
}

type Limit = 'ip' | 'user' | 'login';

/**
 * Request budgets per client IP and per user, and a stricter one for failed logins per e-mail
 * and client. Counters live in Redis when REDIS_URL is set, so that every gateway instance draws
 * on the same budget; when Redis is unreachable, each instance falls back to its own memory
 * rather than refusing traffic.
 */
export class RateLimits {
  private readonly logger = new Logger('RateLimits');
  private readonly redis?: Redis;
  private readonly limiters: Record<Limit, RateLimiterAbstract>;

  constructor(
    config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    const window = config.RATE_LIMIT_WINDOW_SECONDS;
    const budgets: Record<Limit, { points: number; duration: number }> = {
      ip: { points: config.RATE_LIMIT_PER_IP, duration: window },
      user: { points: config.RATE_LIMIT_PER_USER, duration: window },
      login: { points: config.LOGIN_FAILURES_PER_MINUTE, duration: 60 },
    };
    if (config.REDIS_URL) {
      this.redis = new Redis(config.REDIS_URL, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      });
      this.redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    }
    const redis = this.redis;
    const make = (limit: Limit): RateLimiterAbstract => {
      const options = { ...budgets[limit], keyPrefix: `gateway:${limit}` };
      if (!redis) return new RateLimiterMemory(options);
      return new RateLimiterRedis({
        ...options,
        storeClient: redis,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    };
    this.limiters = { ip: make('ip'), user: make('user'), login: make('login') };
  }

  /** Spends one request of the IP's budget and, for a signed-in caller, of the user's. */
  async admit(ip: string, userId?: string): Promise<void> {
    await this.spend('ip', ip);
    if (userId) await this.spend('user', userId);
  }

  /** Refuses a login attempt once this e-mail has failed too often from this client. */
  async admitLogin(email: string, ip: string): Promise<void> {
    const state = await this.limiters.login.get(loginKey(email, ip));
    if (state && state.consumedPoints >= this.limiters.login.points) this.refuse('login', state);
  }

  /** Counts a failed login (the upstream answered 401). */
  async loginFailed(email: string, ip: string): Promise<void> {
    await this.limiters.login.penalty(loginKey(email, ip)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  private async spend(limit: Limit, key: string): Promise<void> {
    try {
      await this.limiters[limit].consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) this.refuse(limit, rejection);
      throw rejection;
    }
  }

  private refuse(limit: Limit, state: RateLimiterRes): never {
    this.metrics.rateLimited.inc({ limit });
    throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
  }
}

function loginKey(email: string, ip: string): string {
  return `${email.trim().toLowerCase()}|${ip}`;
}
