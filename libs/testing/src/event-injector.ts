import { type EventEnvelope } from '@flow-crm/contracts';
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
