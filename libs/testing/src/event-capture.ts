import { type EventEnvelope } from '@flow-crm/contracts';
import { type ChannelModel, connect } from 'amqplib';
import { sleep } from './async';
import { type TestRun } from './test-run';

/** JSON whose shape a test asserts as it reads it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyData = any;

/** An event as captured; its `data` is asserted by the test. */
export type CapturedEvent<TData = AnyData> = EventEnvelope<TData>;

/**
 * The events published on a run's exchange, as a consumer would see them: a temporary queue bound
 * with `bindingKey`. Start it before whatever publishes the events a test expects, since a queue
 * only receives what is published after it is bound.
 */
export class EventCapture<TData = AnyData> {
  readonly events: CapturedEvent<TData>[] = [];
  /** The AMQP messageId and routing key each event arrived with, by event id. */
  readonly messageIds = new Map<string, string>();
  readonly routingKeys = new Map<string, string>();

  private constructor(private readonly connection: ChannelModel) {}

  static async start<TData = AnyData>(run: TestRun, bindingKey = '#'): Promise<EventCapture<TData>> {
    const connection = await connect(run.infra.rabbitmqUrl);
    const capture = new EventCapture<TData>(connection);
    try {
      const channel = await connection.createChannel();
      const exchange = `${run.prefix}crm.events`;
      run.track({ exchanges: [exchange] });
      await channel.assertExchange(exchange, 'topic', { durable: true });
      // Exclusive and auto-deleted: the broker drops it with the connection, so it needs no tracking.
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      await channel.bindQueue(queue, exchange, bindingKey);
      await channel.consume(
        queue,
        (message) => {
          if (!message) return;
          const envelope = JSON.parse(message.content.toString('utf8')) as CapturedEvent<TData>;
          capture.messageIds.set(envelope.id, message.properties.messageId as string);
          capture.routingKeys.set(envelope.id, message.fields.routingKey);
          capture.events.push(envelope);
        },
        { noAck: true },
      );
    } catch (error) {
      await connection.close();
      throw error;
    }
    return capture;
  }

  matching(predicate: (event: CapturedEvent<TData>) => boolean): CapturedEvent<TData>[] {
    return this.events.filter(predicate);
  }

  /** Waits until at least `count` events match, then returns those that match. */
  async waitFor(
    predicate: (event: CapturedEvent<TData>) => boolean,
    count = 1,
    timeoutMs = 5_000,
  ): Promise<CapturedEvent<TData>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.matching(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `expected ${count} matching event(s), got ${found.length}; all captured: ${this.events.map((e) => e.type).join(', ')}`,
        );
      }
      await sleep(20);
    }
  }

  /** The events that carry this correlation id (the X-Request-Id of the request that caused them). */
  byRequest(correlationId: string): CapturedEvent<TData>[] {
    return this.matching((event) => event.correlationId === correlationId);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
