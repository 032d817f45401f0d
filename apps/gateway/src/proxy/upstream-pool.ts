import CircuitBreaker from 'opossum';
import { type GatewayConfig } from '../config';
import { BREAKER_STATES, type GatewayMetrics } from '../gateway-metrics';
import { type RoutingTable, type ServiceRoute } from '../routing/routing-table';

/** Why a call to a service did not get an answer; the proxy turns it into 503 or 504. */
export class UpstreamError extends Error {
  constructor(
    readonly service: string,
    readonly kind: 'unavailable' | 'timeout',
    cause?: unknown,
  ) {
    super(kind === 'timeout' ? `${service} did not answer in time` : `${service} is unavailable`, { cause });
  }
}

/** One instance of a service, behind its own circuit breaker. */
export class Upstream {
  readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(
    readonly service: string,
    readonly url: string,
    config: GatewayConfig,
    metrics: GatewayMetrics,
  ) {
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      timeout: false, // the HTTP client times out itself, as a 504
      errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
      volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      resetTimeout: config.BREAKER_RESET_MS,
      rollingCountTimeout: 10_000,
      // Only a missing answer is the upstream's failure; an answer of any status is not.
      errorFilter: (error: unknown) => !(error instanceof UpstreamError),
    });
    const gauge = metrics.breakerState.labels({ service, upstream: url });
    gauge.set(BREAKER_STATES.closed);
    this.breaker.on('open', () => gauge.set(BREAKER_STATES.open));
    this.breaker.on('halfOpen', () => gauge.set(BREAKER_STATES.halfOpen));
    this.breaker.on('close', () => gauge.set(BREAKER_STATES.closed));
  }

  get isOpen(): boolean {
    return this.breaker.opened;
  }
}

/**
 * The instances of every service. Calls are spread round-robin over the instances whose breaker
 * is not open; when every breaker of a service is open the call fails at once, so a dead service
 * costs its callers nothing and never holds up the routes of other services.
 */
export class UpstreamPool {
  private readonly upstreams = new Map<string, Upstream[]>();
  private readonly next = new Map<string, number>();

  constructor(routing: RoutingTable, config: GatewayConfig, metrics: GatewayMetrics) {
    for (const route of routing.services) {
      this.upstreams.set(
        route.service,
        route.upstreams.map((url) => new Upstream(route.service, url, config, metrics)),
      );
    }
  }

  /**
   * Runs `call` against an instance of `route`'s service through its breaker. `call` rejects with
   * an UpstreamError when the instance gave no answer (that counts against the breaker).
   */
  async call<T>(route: ServiceRoute, call: (upstream: Upstream) => Promise<T>): Promise<T> {
    const upstream = this.pick(route.service);
    if (!upstream) throw new UpstreamError(route.service, 'unavailable');
    try {
      return (await upstream.breaker.fire(() => call(upstream))) as T;
    } catch (error) {
      // opossum's own refusal: the breaker opened since we picked this instance
      if ((error as { code?: string }).code === 'EOPENBREAKER')
        throw new UpstreamError(route.service, 'unavailable', error);
      throw error;
    }
  }

  instances(service: string): readonly Upstream[] {
    return this.upstreams.get(service) ?? [];
  }

  shutdown(): void {
    for (const list of this.upstreams.values()) for (const upstream of list) upstream.breaker.shutdown();
  }

  private pick(service: string): Upstream | undefined {
    const candidates = this.upstreams.get(service) ?? [];
    const start = this.next.get(service) ?? 0;
    for (let i = 0; i < candidates.length; i++) {
      const upstream = candidates[(start + i) % candidates.length]!;
      if (!upstream.isOpen) {
        this.next.set(service, (start + i + 1) % candidates.length);
        return upstream;
      }
    }
    return undefined;
  }
}
