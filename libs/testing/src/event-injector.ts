import {
  type EventEnvelope,
  PipelineReplicasRequested,
  REPLICATED_AGGREGATES,
  type ReplicatedAggregate,
} from '@flow-crm/contracts';
import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { type TestRun } from './test-run';

/**
 * A valid envelope of `type` carrying `data`, with fresh ids and the service part of `type` as its
 * source; `overrides` sets any field a test cares about (the organization, the aggregate…).
 */
export function envelope<TData>(
  type: string,
  data: TData,
  overrides: Partial<Omit<EventEnvelope<TData>, 'type' | 'data'>> = {},
): EventEnvelope<TData> {
  // v4 rather than the services' v7: the envelope accepts any UUID, and consumers never rely on id order.
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: type.split('.')[0],
    organizationId: randomUUID(),
    actorId: randomUUID(),
    correlationId: `test-${randomUUID()}`,
    causationId: null,
    aggregateId: randomUUID(),
    aggregateVersion: 1,
    ...overrides,
    data,
  };
}

/** pipeline.replicas.requested as pipeline's Organizations.meet publishes it, for the services that answer it. */
export function replicasRequested(
  organizationId: string,
  aggregates: ReplicatedAggregate[] = [...REPLICATED_AGGREGATES],
): EventEnvelope {
  return envelope(
    PipelineReplicasRequested.type,
    { organizationId, aggregates },
    { organizationId, aggregateId: organizationId, aggregateVersion: 1, actorId: null },
  );
}

/**
 * Publishes events on a run's exchange the way another service's outbox relay would, so a
 * consumer can be tested without starting the service that owns the events.
 */
export class EventInjector {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    readonly exchange: string,
  ) {}

  static async start(run: TestRun): Promise<EventInjector> {
    const connection = await connect(run.infra.rabbitmqUrl);
    try {
      const channel = await connection.createConfirmChannel();
      const exchange = `${run.prefix}crm.events`;
      run.track({ exchanges: [exchange] });
      await channel.assertExchange(exchange, 'topic', { durable: true });
      return new EventInjector(connection, channel, exchange);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** Publishes `event` with the relay's routing key and properties; resolves once the broker confirms it. */
  async publish(event: EventEnvelope): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.channel.publish(
        this.exchange,
        event.type,
        Buffer.from(JSON.stringify(event)),
        {
          persistent: true,
          messageId: event.id,
          type: event.type,
          contentType: 'application/json',
        },
        (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/** A prom-client counter as @flow-crm/observability's Metrics holds it. */
interface LabelledCounter {
  get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }>;
}

/** The consumer's counters of a service under test (its Metrics). */
export interface ConsumerCounters {
  readonly eventsConsumed: LabelledCounter;
  readonly eventsFailed: LabelledCounter;
}

export interface DeliveryOptions {
  /** Wait for this outcome only (a redelivered event is `duplicate`); any by default. */
  readonly outcome?: 'processed' | 'duplicate';
  /** Fail at once when a handler fails, instead of waiting for the consumer's retries. */
  readonly failFast?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Publishes the events together, as other services' relays would, and waits until the consumer
 * has finished with every one of them, so that a test can assert what did NOT change.
 */
export async function deliverAndWait(
  inject: EventInjector,
  counters: ConsumerCounters,
  events: readonly EventEnvelope[],
  { outcome, failFast = false, timeoutMs = 20_000 }: DeliveryOptions = {},
): Promise<void> {
  const types = new Set(events.map((event) => event.type));
  const counted = async (counter: LabelledCounter, byOutcome?: string) =>
    (await counter.get()).values
      .filter(({ labels }) => types.has(labels.type as string))
      .filter(({ labels }) => byOutcome === undefined || labels.outcome === byOutcome)
      .reduce((sum, { value }) => sum + value, 0);
  const handled = (await counted(counters.eventsConsumed, outcome)) + events.length;
  const failed = await counted(counters.eventsFailed);
  await Promise.all(events.map((event) => inject.publish(event)));
  const deadline = Date.now() + timeoutMs;
  while ((await counted(counters.eventsConsumed, outcome)) < handled) {
    if (failFast && (await counted(counters.eventsFailed)) > failed)
      throw new Error(`the consumer failed to handle ${[...types].join(', ')}`);
    if (Date.now() > deadline)
      throw new Error(`the consumer did not handle ${[...types].join(', ')} in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
