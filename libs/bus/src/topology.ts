import { type Channel } from 'amqplib';
import { type BusOptions, Topology } from './bus.options';

/**
 * Declares the exchange and, for a consuming service, its queues:
 * - `<service>.events`: quorum queue bound to the event types the service handles. Messages the
 *   broker itself gives up on (delivery limit reached, e.g. a handler that crashes the process)
 *   go to the dead-letter exchange; quorum queues only do that safely with at-least-once
 *   dead-lettering, which requires `reject-publish` overflow.
 * - `<service>.events.retry.<delay>ms`: one per back-off step; a message waits there for the
 *   step's TTL, then the broker dead-letters it back to the service queue.
 * - `<service>.events.dead`: where a message lands after its last failed try, until replayed.
 */
export async function assertTopology(
  channel: Channel,
  options: Pick<BusOptions, 'service' | 'prefix' | 'retryDelaysMs' | 'deliveryLimit'>,
  bindings: readonly string[] | null,
): Promise<Topology> {
  const topology = new Topology(options);
  await channel.assertExchange(topology.exchange, 'topic', { durable: true });
  if (bindings === null) return topology;

  await channel.assertExchange(topology.deadLetterExchange, 'direct', { durable: true });
  await channel.assertQueue(topology.deadLetterQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await channel.bindQueue(topology.deadLetterQueue, topology.deadLetterExchange, topology.deadLetterQueue);
  await channel.assertQueue(topology.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': options.deliveryLimit,
      'x-dead-letter-exchange': topology.deadLetterExchange,
      'x-dead-letter-routing-key': topology.deadLetterQueue,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  });
  for (const { name, delayMs } of topology.retryQueues) {
    await channel.assertQueue(name, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': topology.queue,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
  }
  for (const pattern of bindings) await channel.bindQueue(topology.queue, topology.exchange, pattern);
  return topology;
}

/** AMQP topic matching: `*` is one word, `#` zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    return j < k.length && (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}
