import { type Channel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { type BusOptions, Topology } from '../bus.options';
import { ATTEMPT_HEADER, ERROR_HEADER, FAILED_AT_HEADER, republished } from '../consumer/event-consumer';

export interface DeadLetter {
  readonly messageId: string;
  readonly type: string;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: string | null;
  readonly body: string;
}

/**
 * Operations on a service's dead-letter queue. Messages are taken without acknowledgement and
 * handed back (nack + requeue) when the operation is done with them, so listing never consumes
 * and a replay that fails half-way leaves every message it did not move where it was.
 */
export class DeadLetters {
  private readonly topology: Topology;

  constructor(
    private readonly channel: ConfirmChannel,
    options: Pick<BusOptions, 'service' | 'prefix' | 'retryDelaysMs'>,
  ) {
    this.topology = new Topology(options);
  }

  async list(limit = 100): Promise<DeadLetter[]> {
    const held = await this.take(limit);
    try {
      return held.map(describe);
    } finally {
      release(this.channel, held);
    }
  }

  /**
   * Sends dead letters back to the service queue for a fresh round of tries: all of them, or
   * those whose messageId is in `ids`. Resolves with the ids replayed.
   */
  async replay(ids?: readonly string[]): Promise<string[]> {
    const held = await this.take(Number.MAX_SAFE_INTEGER);
    const chosen = held.filter((m) => !ids || ids.includes(String(m.properties.messageId)));
    const others = held.filter((m) => !chosen.includes(m));
    try {
      for (const message of chosen) {
        this.channel.sendToQueue(
          this.topology.queue,
          message.content,
          republished(message.properties, {
            [ATTEMPT_HEADER]: 1,
            'x-flow-replayed-at': new Date().toISOString(),
          }),
        );
      }
      await this.channel.waitForConfirms();
      for (const message of chosen) this.channel.ack(message);
      return chosen.map((m) => String(m.properties.messageId));
    } catch (error) {
      release(this.channel, chosen);
      throw error;
    } finally {
      release(this.channel, others);
    }
  }

  /** Takes up to `limit` messages that are in the queue now (not those requeued while we hold them). */
  private async take(limit: number): Promise<GetMessage[]> {
    const { messageCount } = await this.channel.checkQueue(this.topology.deadLetterQueue);
    const held: GetMessage[] = [];
    while (held.length < Math.min(limit, messageCount)) {
      const message = await this.channel.get(this.topology.deadLetterQueue, { noAck: false });
      if (!message) break;
      held.push(message);
    }
    return held;
  }
}

function describe(message: GetMessage): DeadLetter {
  const headers = message.properties.headers ?? {};
  return {
    messageId: String(message.properties.messageId),
    type: String(message.properties.type ?? message.fields.routingKey),
    attempts: Number(headers[ATTEMPT_HEADER] ?? headers['x-delivery-count'] ?? 0),
    error: String(headers[ERROR_HEADER] ?? deathReason(headers) ?? 'unknown'),
    failedAt: headers[FAILED_AT_HEADER] ? String(headers[FAILED_AT_HEADER]) : null,
    body: message.content.toString('utf8'),
  };
}

/** Messages the broker dead-lettered itself (delivery limit) carry the reason in x-death. */
function deathReason(headers: Record<string, unknown>): string | undefined {
  const deaths = headers['x-death'] as { reason?: string }[] | undefined;
  return deaths?.[0]?.reason ? `dead-lettered by the broker: ${deaths[0].reason}` : undefined;
}

function release(channel: Channel, messages: GetMessage[]): void {
  for (const message of messages) {
    try {
      channel.nack(message, false, true);
    } catch {
      // channel closed: the broker requeues unacknowledged messages by itself
    }
  }
  messages.length = 0;
}
