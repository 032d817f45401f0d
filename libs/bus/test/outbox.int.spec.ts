import { type EventEnvelope, InvalidEventError, UnknownEventError, defineEvent } from '@flow-crm/contracts';
import { RequestContext } from '@flow-crm/observability';
import { TestRun } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type NewEvent } from '../src';
import { BusNode, WidgetCreated, WidgetUpdated, byAggregate, recordEffect, waitFor } from './fixtures';

describe('outbox', () => {
  let run: TestRun;
  let sink: BusNode;
  let producer: BusNode;
  const delivered: EventEnvelope[] = [];
  const deliveredIds = () => delivered.map((e) => e.id);

  beforeAll(async () => {
    run = await TestRun.create();
    sink = await BusNode.start(run, {
      service: 'sink',
      handlers: { 'test.widget.*': recordEffect('sink', (event) => void delivered.push(event)) },
    });
    producer = await BusNode.start(run, { service: 'producer', relay: true });
  });

  afterAll(async () => {
    await producer?.stop();
    await sink?.stop();
    await run?.cleanup();
  });

  const organizationId = randomUUID();
  const pending = async (id: string) =>
    (await producer.dataSource.query('SELECT published_at FROM outbox_events WHERE id = $1', [id])) as {
      published_at: Date | null;
    }[];

  it('delivers an event once the transaction that wrote it commits', async () => {
    const aggregateId = randomUUID();
    const written = await producer.write(WidgetCreated, {
      organizationId,
      aggregateId,
      aggregateVersion: 1,
      actorId: null,
      data: { name: 'sprocket' },
    });

    await waitFor(() => deliveredIds().includes(written.id), { what: 'the event to be delivered' });
    const received = delivered.find((e) => e.id === written.id)!;
    expect(received).toEqual(written);
    expect(received).toMatchObject({
      type: 'test.widget.created',
      version: 1,
      source: 'producer',
      organizationId,
      aggregateId,
      aggregateVersion: 1,
      data: { name: 'sprocket' },
    });
    const [row] = await pending(written.id);
    expect(row.published_at).toBeInstanceOf(Date);
  });

  it('never delivers an event whose transaction rolled back', async () => {
    let rolledBack: EventEnvelope | undefined;
    await expect(
      producer.dataSource.transaction(async (manager) => {
        rolledBack = await producer.outbox.publish(manager, WidgetCreated, {
          organizationId,
          aggregateId: randomUUID(),
          aggregateVersion: 1,
          data: { name: 'never' },
        });
        throw new Error('the change failed after the event was written');
      }),
    ).rejects.toThrow('the change failed');
    // The relay publishes in write order: once a later event is through, the rolled-back one had its chance.
    const later = await producer.write(WidgetCreated, {
      organizationId,
      aggregateId: randomUUID(),
      aggregateVersion: 1,
      data: { name: 'later' },
    });

    await waitFor(() => deliveredIds().includes(later.id), { what: 'the later event to be delivered' });
    expect(rolledBack).toBeDefined();
    expect(deliveredIds()).not.toContain(rolledBack!.id);
    expect(await pending(rolledBack!.id)).toEqual([]);
  });

  it('refuses to publish outside a transaction, and writes nothing', async () => {
    const event = { organizationId, aggregateId: randomUUID(), aggregateVersion: 1, data: { name: 'loose' } };
    const before = await producer.dataSource.query('SELECT count(*)::int AS n FROM outbox_events');

    await expect(producer.outbox.publish(producer.dataSource.manager, WidgetCreated, event)).rejects.toThrow(
      'test.widget.created must be published inside the transaction of its change',
    );
    const runner = producer.dataSource.createQueryRunner();
    try {
      await expect(producer.outbox.publish(runner.manager, WidgetCreated, event)).rejects.toThrow(
        'must be published inside the transaction',
      );
    } finally {
      await runner.release();
    }

    expect(await producer.dataSource.query('SELECT count(*)::int AS n FROM outbox_events')).toEqual(before);
  });

  it('refuses an event whose data does not match its schema', async () => {
    const aggregateId = randomUUID();
    await expect(
      producer.write(WidgetUpdated, {
        organizationId,
        aggregateId,
        aggregateVersion: 2,
        data: { name: '', n: 0 },
      }),
    ).rejects.toThrow(InvalidEventError);
    expect(
      await producer.dataSource.query('SELECT id FROM outbox_events WHERE aggregate_id = $1', [aggregateId]),
    ).toEqual([]);
  });

  it('refuses an event type its registry does not know', async () => {
    const Unregistered = defineEvent('test.gadget.created', 1, z.object({}));
    await expect(
      producer.write(Unregistered, {
        organizationId,
        aggregateId: randomUUID(),
        aggregateVersion: 1,
        data: {},
      }),
    ).rejects.toThrow(UnknownEventError);
  });

  it('carries the correlation id of the request that caused the event', async () => {
    const written = await RequestContext.run({ correlationId: 'req-42', causationId: null }, () =>
      producer.write(WidgetCreated, {
        organizationId,
        aggregateId: randomUUID(),
        aggregateVersion: 1,
        data: { name: 'traced' },
      }),
    );
    expect(written.correlationId).toBe('req-42');
    await waitFor(() => deliveredIds().includes(written.id), { what: 'the traced event' });
    expect(delivered.find((e) => e.id === written.id)?.correlationId).toBe('req-42');
  });

  it('gives each event its own time-ordered id and records who acted', async () => {
    const actorId = randomUUID();
    const aggregateId = randomUUID();
    const first = await producer.write(WidgetCreated, {
      organizationId,
      aggregateId,
      aggregateVersion: 1,
      actorId,
      data: { name: 'a' },
    });
    const second = await producer.write(WidgetUpdated, {
      organizationId,
      aggregateId,
      aggregateVersion: 2,
      data: { name: 'b', n: 1 },
    });
    expect(first.id < second.id).toBe(true);
    expect(first.actorId).toBe(actorId);
    expect(second.actorId).toBeNull();
    expect(first.causationId).toBeNull();
  });
});

describe('outbox publishMany', () => {
  let run: TestRun;
  let sink: BusNode;
  let producer: BusNode;
  const delivered: EventEnvelope[] = [];
  const deliveredIds = () => delivered.map((e) => e.id);

  beforeAll(async () => {
    run = await TestRun.create();
    // Prefetch 1: the sink handles deliveries one by one, in the order the queue holds them.
    sink = await BusNode.start(run, {
      service: 'sink',
      handlers: { 'test.widget.*': recordEffect('sink', (event) => void delivered.push(event)) },
      bus: { prefetch: 1 },
    });
    producer = await BusNode.start(run, { service: 'producer', relay: true });
  });

  afterAll(async () => {
    await producer?.stop();
    await sink?.stop();
    await run?.cleanup();
  });

  const organizationId = randomUUID();
  type WidgetUpdate = NewEvent<{ name: string; n: number }>;

  /** `perAggregate` versions of each aggregate, the aggregates interleaved: a1 v1, a2 v1, a1 v2, ... */
  const interleaved = (aggregateIds: readonly string[], perAggregate: number): WidgetUpdate[] =>
    Array.from({ length: perAggregate }, (_, i) =>
      aggregateIds.map((aggregateId) => ({
        organizationId,
        aggregateId,
        aggregateVersion: i + 1,
        data: { name: `v${i + 1}`, n: i + 1 },
      })),
    ).flat();

  /** The outbox rows of these aggregates, in the order the relay publishes them. */
  const rows = async (aggregateIds: readonly string[]) =>
    (await producer.dataSource.query(
      'SELECT id, envelope, published_at FROM outbox_events WHERE aggregate_id = ANY($1::uuid[]) ORDER BY seq',
      [aggregateIds],
    )) as { id: string; envelope: EventEnvelope; published_at: Date | null }[];
  const outboxSize = async () =>
    ((await producer.dataSource.query('SELECT count(*)::int AS n FROM outbox_events')) as { n: number }[])[0]!
      .n;

  it('publishes every event of one call once its transaction commits, in the order given', async () => {
    const aggregateIds: string[] = [randomUUID(), randomUUID(), randomUUID()];
    // More events than one relay batch (50 in the tests).
    const events = interleaved(aggregateIds, 40);

    const written = await producer.dataSource.transaction((manager) =>
      producer.outbox.publishMany(manager, WidgetUpdated, events),
    );

    expect(written).toHaveLength(events.length);
    written.forEach((envelope, i) =>
      expect(envelope).toMatchObject({
        type: 'test.widget.updated',
        version: 1,
        source: 'producer',
        organizationId,
        actorId: null,
        aggregateId: events[i]!.aggregateId,
        aggregateVersion: events[i]!.aggregateVersion,
        data: events[i]!.data,
      }),
    );
    expect(new Set(written.map((e) => e.id)).size).toBe(events.length);
    // Stored as returned, in the order given.
    const stored = await rows(aggregateIds);
    expect(stored.map((row) => row.id)).toEqual(written.map((e) => e.id));
    expect(stored.map((row) => row.envelope)).toEqual(written);

    await waitFor(() => written.every((e) => deliveredIds().includes(e.id)), {
      what: `all ${events.length} events to be delivered`,
    });
    const received = delivered.filter((e) => aggregateIds.includes(e.aggregateId));
    expect(received).toHaveLength(events.length);
    expect(new Set(received.map((e) => e.id)).size).toBe(events.length);
    expect(received.map((e) => e.id).sort()).toEqual(written.map((e) => e.id).sort());
    // Per aggregate, the order of the call.
    const sent = byAggregate(written);
    expect([...byAggregate(received).keys()].sort()).toEqual([...aggregateIds].sort());
    for (const [aggregateId, ofAggregate] of byAggregate(received)) {
      expect(ofAggregate.map((e) => e.aggregateVersion)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(ofAggregate).toEqual(sent.get(aggregateId));
    }
    await waitFor(async () => (await rows(aggregateIds)).every((row) => row.published_at !== null), {
      what: 'every row to be marked published',
    });
  });

  it('keeps the order of an aggregate across calls in one transaction', async () => {
    const aggregateId = randomUUID();
    const written = await producer.dataSource.transaction(async (manager) => [
      ...(await producer.outbox.publishMany(manager, WidgetUpdated, interleaved([aggregateId], 3))),
      await producer.outbox.publish(manager, WidgetUpdated, {
        organizationId,
        aggregateId,
        aggregateVersion: 4,
        data: { name: 'v4', n: 4 },
      }),
      ...(await producer.outbox.publishMany(
        manager,
        WidgetUpdated,
        interleaved([aggregateId], 7).filter((e) => e.aggregateVersion > 4),
      )),
    ]);

    expect(written.map((e) => e.aggregateVersion)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await waitFor(() => written.every((e) => deliveredIds().includes(e.id)), { what: 'all 7 events' });
    expect(delivered.filter((e) => e.aggregateId === aggregateId)).toEqual(written);
  });

  it('writes nothing for an empty list', async () => {
    const before = await outboxSize();
    const written = await producer.dataSource.transaction((manager) =>
      producer.outbox.publishMany(manager, WidgetCreated, []),
    );
    expect(written).toEqual([]);
    expect(await outboxSize()).toBe(before);
  });

  it('refuses to publish outside a transaction, and writes nothing', async () => {
    const aggregateId = randomUUID();
    const events = interleaved([aggregateId], 2);

    await expect(
      producer.outbox.publishMany(producer.dataSource.manager, WidgetUpdated, events),
    ).rejects.toThrow('test.widget.updated must be published inside the transaction of its change');
    const runner = producer.dataSource.createQueryRunner();
    try {
      await expect(producer.outbox.publishMany(runner.manager, WidgetUpdated, events)).rejects.toThrow(
        'must be published inside the transaction',
      );
    } finally {
      await runner.release();
    }

    expect(await rows([aggregateId])).toEqual([]);
  });

  it('never delivers the events of a transaction that rolled back', async () => {
    const aggregateIds = [randomUUID(), randomUUID()];
    let rolledBack: EventEnvelope[] = [];
    await expect(
      producer.dataSource.transaction(async (manager) => {
        rolledBack = await producer.outbox.publishMany(manager, WidgetUpdated, interleaved(aggregateIds, 3));
        throw new Error('the change failed after the events were written');
      }),
    ).rejects.toThrow('the change failed');
    // The relay publishes in write order: once a later event is through, the rolled-back ones had their chance.
    const later = await producer.write(WidgetCreated, {
      organizationId,
      aggregateId: randomUUID(),
      aggregateVersion: 1,
      data: { name: 'later' },
    });

    await waitFor(() => deliveredIds().includes(later.id), { what: 'the later event to be delivered' });
    expect(rolledBack).toHaveLength(6);
    for (const event of rolledBack) expect(deliveredIds()).not.toContain(event.id);
    expect(await rows(aggregateIds)).toEqual([]);
  });

  it('refuses the whole call when one event is invalid, and writes none of its events', async () => {
    const aggregateIds = [randomUUID(), randomUUID()];
    const events = interleaved(aggregateIds, 2);
    events.splice(2, 0, {
      organizationId,
      aggregateId: aggregateIds[0]!,
      aggregateVersion: 3,
      data: { name: '', n: 0 },
    });
    const afterwards = randomUUID();

    // Even when the caller goes on and commits, nothing of the refused call is written.
    await producer.dataSource.transaction(async (manager) => {
      await expect(producer.outbox.publishMany(manager, WidgetUpdated, events)).rejects.toThrow(
        InvalidEventError,
      );
      expect(
        await manager.query('SELECT id FROM outbox_events WHERE aggregate_id = ANY($1::uuid[])', [
          aggregateIds,
        ]),
      ).toEqual([]);
      await producer.outbox.publishMany(manager, WidgetUpdated, interleaved([afterwards], 1));
    });

    expect(await rows(aggregateIds)).toEqual([]);
    expect(await rows([afterwards])).toHaveLength(1);
  });

  it('gives every event of the call the correlation id of the request that caused them', async () => {
    const written = await RequestContext.run({ correlationId: 'bulk-7', causationId: 'cause-7' }, () =>
      producer.dataSource.transaction((manager) =>
        producer.outbox.publishMany(manager, WidgetUpdated, interleaved([randomUUID(), randomUUID()], 2)),
      ),
    );
    expect(written.map((e) => [e.correlationId, e.causationId])).toEqual(
      Array.from({ length: 4 }, () => ['bulk-7', 'cause-7']),
    );
  });
});

describe('outbox relay wake-up', () => {
  let run: TestRun;
  let sink: BusNode;
  let producer: BusNode;
  const delivered = new Set<string>();

  beforeAll(async () => {
    run = await TestRun.create();
    sink = await BusNode.start(run, {
      service: 'sink',
      handlers: { 'test.widget.*': recordEffect('sink', (event) => void delivered.add(event.id)) },
    });
    // Polling so slow that only NOTIFY can deliver within the test's time.
    producer = await BusNode.start(run, { service: 'producer', relay: true, bus: { relayPollMs: 60_000 } });
  });

  afterAll(async () => {
    await producer?.stop();
    await sink?.stop();
    await run?.cleanup();
  });

  it('publishes committed events at once, without waiting for the next poll', async () => {
    // Bursts of commits: some land while the relay is busy publishing the previous ones, and the
    // last of a burst has no later NOTIFY to make up for one the relay would miss.
    for (let burst = 1; burst <= 5; burst++) {
      const ids: string[] = [];
      for (let i = 1; i <= 8; i++) {
        const written = await producer.write(WidgetUpdated, {
          organizationId: randomUUID(),
          aggregateId: randomUUID(),
          aggregateVersion: i,
          data: { name: `burst ${burst}`, n: i },
        });
        ids.push(written.id);
      }
      await waitFor(() => ids.every((id) => delivered.has(id)), {
        timeoutMs: 3_000,
        what: `every event of burst ${burst}`,
      });
    }
  });
});
