/** How a service talks to the broker. Every name is prefixed with `prefix` (tests isolate runs with it). */
export interface BusOptions {
  /** The service's name: the `source` of its events and the stem of its queue names. */
  readonly service: string;
  readonly url: string;
  readonly prefix: string;
  /** Unacknowledged messages one instance holds at a time (and handles concurrently). */
  readonly prefetch: number;
  /** Delay before each retry of a failing handler; a message is dead-lettered after `retryDelaysMs.length + 1` tries. */
  readonly retryDelaysMs: readonly number[];
  /** Broker-side safety net: deliveries (crashes included) after which the broker dead-letters a message. */
  readonly deliveryLimit: number;
  /** Fallback poll of the outbox when no NOTIFY arrives. */
  readonly relayPollMs: number;
  readonly relayBatchSize: number;
  /** How long published outbox rows and inbox rows are kept. */
  readonly retentionHours: number;
}

export const DEFAULT_BUS_OPTIONS = {
  prefix: '',
  prefetch: 10,
  retryDelaysMs: [1_000, 5_000, 30_000],
  deliveryLimit: 20,
  relayPollMs: 1_000,
  relayBatchSize: 200,
  retentionHours: 24 * 7,
} as const satisfies Partial<BusOptions>;

/** The broker objects of one service. */
export class Topology {
  constructor(private readonly options: Pick<BusOptions, 'service' | 'prefix' | 'retryDelaysMs'>) {}

  get exchange(): string {
    return `${this.options.prefix}crm.events`;
  }

  get deadLetterExchange(): string {
    return `${this.options.prefix}crm.dead-letters`;
  }

  get queue(): string {
    return `${this.options.prefix}${this.options.service}.events`;
  }

  get deadLetterQueue(): string {
    return `${this.queue}.dead`;
  }

  retryQueue(delayMs: number): string {
    return `${this.queue}.retry.${delayMs}ms`;
  }

  get retryQueues(): { name: string; delayMs: number }[] {
    return this.options.retryDelaysMs.map((delayMs) => ({ name: this.retryQueue(delayMs), delayMs }));
  }
}

/** The channel NOTIFY uses to wake the relay when a transaction adds outbox rows. */
export const OUTBOX_CHANNEL = 'outbox_events';
