import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics every service exposes on /metrics. One registry per process, so that
 * several apps started in one test process do not collide on metric names.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Integration events published to the broker by the outbox relay',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Integration events handled, by outcome (processed, duplicate)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly eventsFailed = new Counter({
    name: 'events_failed_total',
    help: 'Integration event handling failures, by what happened next (retried, dead_lettered)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  private backlogSource?: () => Promise<number>;

  readonly outboxBacklog: Gauge = new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox events written but not yet confirmed by the broker',
    registers: [this.registry],
    collect: async () => {
      if (this.backlogSource) this.outboxBacklog.set(await this.backlogSource().catch(() => Number.NaN));
    },
  });

  /** Where the backlog gauge reads its value at scrape time (the outbox relay). */
  measureOutboxBacklog(source: () => Promise<number>): void {
    this.backlogSource = source;
  }

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }
}
