import { type EventEnvelope, eventRegistry, type EventRegistry } from '@flow-crm/contracts';
import { type Metrics, RequestContext } from '@flow-crm/observability';
import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { type ConfirmChannel, type ConsumeMessage, type MessageProperties } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { type DataSource } from 'typeorm';
import { type BusOptions, Topology } from '../bus.options';
import { type BrokerConnection } from '../connection';
import { assertTopology, topicMatches } from '../topology';
import { EventContext } from './event-context';

export const ATTEMPT_HEADER = 'x-flow-attempt';
export const ERROR_HEADER = 'x-flow-error';
export const FAILED_AT_HEADER = 'x-flow-failed-at';

const RESUBSCRIBE_DELAY_MS = 1_000;

/** An event that can never be handled: retrying it is pointless, it goes straight to the dead letters. */
class PoisonMessageError extends Error {}

/**
 * A Nest transport strategy that feeds `@EventPattern(type)` handlers from the service's queue:
 * manual acknowledgement, bounded prefetch, one database transaction per message holding the
 * inbox row and the handler's effects, bounded retries through delay queues, then the dead-letter
 * queue. A message is acknowledged only after its outcome (done, retry scheduled, dead-lettered)
 * is safely stored, so a crash at any point means a redelivery, never a loss.
 */
export class EventConsumer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger('EventConsumer');
  private readonly topology: Topology;
  private channel?: ConfirmChannel;
  private consumerTag?: string;
  private readonly inFlight = new Set<Promise<void>>();
  private listening = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connection: BrokerConnection,
    private readonly options: BusOptions,
    private readonly metrics: Metrics,
    private readonly registry: EventRegistry = eventRegistry,
  ) {
    super();
    this.topology = new Topology(options);
  }

  /** The event types (or topic patterns) this service's handlers declared. */
  get patterns(): string[] {
    return [...this.messageHandlers.keys()];
  }

  get isConsuming(): boolean {
    return this.channel !== undefined;
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.listening = true;
    this.connection.on('connected', this.subscribe);
    if (this.connection.isConnected) this.subscribe();
    callback();
  }

  /** Stops taking messages, lets the ones in hand finish, then closes the channel. */
  async close(): Promise<void> {
    this.listening = false;
    this.connection.off('connected', this.subscribe);
    const channel = this.channel;
    this.channel = undefined;
    // Without the cancel, every ack of a message in hand would make room for a new delivery.
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    await channel?.close().catch(() => undefined);
  }

  on(): never {
    throw new Error('EventConsumer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.connection as T;
  }

  private readonly subscribe = (): void => {
    this.startConsuming().catch((error: Error) => this.logger.error(`cannot consume: ${error.message}`));
  };

  private async startConsuming(): Promise<void> {
    if (!this.listening || this.patterns.length === 0 || this.channel) return;
    const channel = await this.connection.confirmChannel();
    if (!channel) return;
    await assertTopology(channel, this.options, this.patterns);
    await channel.prefetch(this.options.prefetch);
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      // The channel alone can die (the broker's consumer timeout, a channel error) while the
      // connection stays up; then no reconnection will come to subscribe again, so we do.
      if (this.listening)
        setTimeout(() => this.connection.isConnected && this.subscribe(), RESUBSCRIBE_DELAY_MS).unref();
    });
    this.channel = channel;
    this.consumerTag = undefined;
    const { consumerTag } = await channel.consume(this.topology.queue, (message) => {
      if (!message) {
        // The broker cancelled the subscription (its queue was deleted): start over on a new channel.
        void channel.close().catch(() => undefined);
        return;
      }
      const work = this.process(channel, message).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    });
    if (this.channel !== channel) {
      // close() came while we were subscribing.
      await channel.close().catch(() => undefined);
      return;
    }
    this.consumerTag = consumerTag;
    this.logger.log(`consuming ${this.topology.queue} (${this.patterns.join(', ')})`);
  }

  private async process(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    // Retried messages come back through the service queue's name: the type travels as a property.
    const type = message.properties.type ?? message.fields.routingKey;
    let duplicate: boolean;
    try {
      duplicate = await this.handle(this.decode(message));
    } catch (error) {
      await this.fail(channel, message, type, error).catch((failure: Error) => {
        // Neither acked nor re-routed: the broker redelivers it once this channel closes.
        this.logger.error(`could not re-route failed ${type}: ${failure.message}`);
        settle(() => channel.nack(message, false, true));
      });
      return;
    }
    this.metrics.eventsConsumed.inc({ type, outcome: duplicate ? 'duplicate' : 'processed' });
    // If the channel died meanwhile, the redelivery finds the inbox row and changes nothing.
    settle(() => channel.ack(message));
  }

  private decode(message: ConsumeMessage): EventEnvelope {
    let raw: unknown;
    try {
      raw = JSON.parse(message.content.toString('utf8'));
    } catch {
      throw new PoisonMessageError('the message is not JSON');
    }
    try {
      return this.registry.parse(raw);
    } catch (error) {
      throw new PoisonMessageError((error as Error).message);
    }
  }

  /** Runs the handlers in one transaction with the inbox row; true when the event was seen before. */
  private async handle(envelope: EventEnvelope): Promise<boolean> {
    const handler = this.handlerFor(envelope.type);
    if (!handler) throw new PoisonMessageError(`no handler for ${envelope.type}`);
    return this.dataSource.transaction(async (manager) => {
      const recorded: unknown[] = await manager.query(
        'INSERT INTO inbox_events (event_id, type) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id',
        [envelope.id, envelope.type],
      );
      if (recorded.length === 0) return true;
      const context = new EventContext([envelope, manager]);
      await RequestContext.run(
        { correlationId: envelope.correlationId, causationId: envelope.id },
        async () => {
          const result = await handler(envelope, context);
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        },
      );
      return false;
    });
  }

  private handlerFor(type: string): MessageHandler | undefined {
    const exact = this.messageHandlers.get(type);
    if (exact) return exact;
    for (const [pattern, handler] of this.messageHandlers) if (topicMatches(pattern, type)) return handler;
    return undefined;
  }

  /** Schedules a retry, or dead-letters the message after its last try; then acks the original. */
  private async fail(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    type: string,
    error: unknown,
  ): Promise<void> {
    const attempt = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 1);
    const retry = error instanceof PoisonMessageError ? undefined : this.topology.retryQueues[attempt - 1];
    const reason = describeError(error).slice(0, 1_000);
    // Retried and dead-lettered copies travel under a queue's name: the event type goes along as `type`.
    const properties = { ...message.properties, type };
    if (retry) {
      this.logger.warn(
        `${type} ${message.properties.messageId} failed (try ${attempt}), retrying in ${retry.delayMs} ms: ${reason}`,
      );
      channel.sendToQueue(
        retry.name,
        message.content,
        republished(properties, { [ATTEMPT_HEADER]: attempt + 1, [ERROR_HEADER]: reason }),
      );
      this.metrics.eventsFailed.inc({ type, outcome: 'retried' });
    } else {
      this.logger.error(
        `${type} ${message.properties.messageId} failed (try ${attempt}), dead-lettered: ${reason}`,
      );
      channel.sendToQueue(
        this.topology.deadLetterQueue,
        message.content,
        republished(properties, {
          [ATTEMPT_HEADER]: attempt,
          [ERROR_HEADER]: reason,
          [FAILED_AT_HEADER]: new Date().toISOString(),
        }),
      );
      this.metrics.eventsFailed.inc({ type, outcome: 'dead_lettered' });
    }
    await channel.waitForConfirms();
    channel.ack(message);
  }
}

/** What a handler threw, as text: handlers (and Nest's exception filters) do not always throw Errors. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function settle(fn: () => void): void {
  try {
    fn();
  } catch {
    // the channel is closed: the broker will redeliver
  }
}

/** The original message's properties (`type` naming the event) with its headers updated, for a copy sent to another queue. */
export function republished(properties: MessageProperties, headers: Record<string, unknown>) {
  return {
    persistent: true,
    messageId: properties.messageId,
    type: properties.type,
    contentType: properties.contentType,
    timestamp: properties.timestamp,
    appId: properties.appId,
    headers: { ...stripDeathHeaders(properties.headers), ...headers },
  };
}

function stripDeathHeaders(headers: MessageProperties['headers']): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (!/^x-(first-|last-)?death/.test(key)) kept[key] = value;
  }
  return kept;
}
