import { Metrics } from '@flow-crm/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

export const BREAKER_STATES = { closed: 0, halfOpen: 1, open: 2 } as const;

/** The gateway's own metrics, in the app's registry beside the HTTP ones every app has. */
export class GatewayMetrics {
  readonly upstreamDuration: Histogram<'service' | 'status'>;
  readonly breakerState: Gauge<'service' | 'upstream'>;
  readonly rateLimited: Counter<'limit'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.upstreamDuration = new Histogram({
      name: 'gateway_upstream_duration_seconds',
      help: 'Time from forwarding a request to the upstream answer, by service and status',
      labelNames: ['service', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.breakerState = new Gauge({
      name: 'gateway_circuit_breaker_state',
      help: 'Circuit breaker of each upstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['service', 'upstream'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429, by limit (ip, user, login)',
      labelNames: ['limit'],
      registers,
    });
  }
}
