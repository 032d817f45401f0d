import { type EventEnvelope } from '@flow-crm/contracts';
import { TestRun } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { BusNode, WidgetUpdated, byAggregate, count, recordEffect, waitFor } from './fixtures';

describe('two relays on one outbox table', () => {
  let run: TestRun;
  let sink: BusNode;
  const relays: BusNode[] = [];
  const delivered: EventEnvelope[] = [];

  beforeAll(async () => {
    run = await TestRun.create();
    // Prefetch 1: the sink handles deliveries one by one, in the order the queue holds them.
    sink = await BusNode.start(run, {
      service: 'sink',
      handlers: { 'test.widget.updated': recordEffect('sink', (event) => void delivered.push(event)) },
      bus: { prefetch: 1 },
    });
    // Two instances of one service: one database, one outbox table, two relays competing for it.
    for (const instance of ['relay-a', 'relay-b']) {
      relays.push(
        await BusNode.start(run, {
          service: 'producer',
          instance,
          relay: true,
          bus: { relayBatchSize: 5, relayPollMs: 20 },
        }),
      );
    }
  });

  afterAll(async () => {
    for (const relay of relays) await relay.stop();
    await sink?.stop();
    await run?.cleanup();
  });

  it('publish each event exactly once and keep the order of each aggregate', async () => {
    const aggregates = Array.from({ length: 4 }, () => randomUUID());
    const perAggregate = 60;
    const organizationId = randomUUID();
    const [a, b] = relays;
    // One writer per aggregate, as the aggregate's row lock would serialise them; writers of
    // different aggregates interleave. Some transactions write two events of their aggregate.
    const written = await Promise.all(
      aggregates.map(async (aggregateId, w) => {
        const events: EventEnvelope[] = [];
        for (let n = 1; n <= perAggregate;) {
          const writer = n % 2 === 0 ? a : b;
          const inOne = (n + w) % 7 === 0 && n < perAggregate ? 2 : 1;
          const batch = await writer.dataSource.transaction(async (manager) => {
            const out: EventEnvelope[] = [];
            for (let k = 0; k < inOne; k++, n++) {
              out.push(
                await writer.outbox.publish(manager, WidgetUpdated, {
                  organizationId,
                  aggregateId,
                  aggregateVersion: n,
                  data: { name: `v${n}`, n },
                }),
              );
            }
            return out;
          });
          events.push(...batch);
        }
        return events;
      }),
    );
    const total = aggregates.length * perAggregate;

    await waitFor(() => delivered.length >= total, { timeoutMs: 20_000, what: `${total} deliveries` });
    await waitFor(async () => (await a.relay!.backlog()) === 0, { what: 'an empty outbox' });
    // A handler sees the event before its transaction commits; the consumer counts it after.
    await waitFor(async () => (await count(sink.metrics.eventsConsumed, { outcome: 'processed' })) >= total, {
      what: `${total} events counted as processed`,
    });

    // No event missing, none twice, none foreign.
    expect(delivered.map((e) => e.id).sort()).toEqual(
      written
        .flat()
        .map((e) => e.id)
        .sort(),
    );
    expect(await count(sink.metrics.eventsConsumed, { outcome: 'duplicate' })).toBe(0);
    expect(await count(sink.metrics.eventsConsumed, { outcome: 'processed' })).toBe(total);
    // Per aggregate, the order in which they were written.
    const received = byAggregate(delivered);
    for (const aggregateId of aggregates) {
      expect(received.get(aggregateId)!.map((e) => (e.data as { n: number }).n)).toEqual(
        Array.from({ length: perAggregate }, (_, i) => i + 1),
      );
    }
    // Both relays did part of the work: they really did compete.
    const publishedBy = [
      await count(a.metrics.eventsPublished, { type: 'test.widget.updated' }),
      await count(b.metrics.eventsPublished, { type: 'test.widget.updated' }),
    ];
    expect(publishedBy[0] + publishedBy[1]).toBe(total);
    expect(publishedBy[0]).toBeGreaterThan(0);
    expect(publishedBy[1]).toBeGreaterThan(0);
  });
});
