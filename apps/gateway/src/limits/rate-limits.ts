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
      const options = { ...budgets[limit], keyPrefix: `${config.REDIS_KEY_PREFIX}:${limit}` };
      if (!redis) return new RateLimiterMemory(options);
      return new RateLimiterRedis({
        ...options,
        storeClient: redis,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    };
    this.limiters = { ip: make('ip'), user: make('user'), login: make('login') };
  }

  /** Spends one request of the client IP's budget. */
  async admitIp(ip: string): Promise<void> {
    await this.spend('ip', ip);
  }

  /** Spends one request of a signed-in user's budget. */
  async admitUser(userId: string): Promise<void> {
    await this.spend('user', userId);
  }

  /**
   * A login attempt for this e-mail from this client takes one of its failures up front, so that
   * attempts sent side by side cannot all pass the check before any has failed.
   */
  async startLogin(email: string, ip: string): Promise<void> {
    await this.spend('login', loginKey(email, ip));
  }

  /** The attempt did not fail (it succeeded, or never got an answer): its failure is given back. */
  async loginSucceededOrNotTried(email: string, ip: string): Promise<void> {
    await this.limiters.login.reward(loginKey(email, ip), 1).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
    // quit() is refused at once while Redis is unreachable; disconnect() stops the reconnecting.
    this.redis?.disconnect();
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
