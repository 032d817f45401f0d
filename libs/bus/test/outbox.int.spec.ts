import { type EventEnvelope, InvalidEventError, UnknownEventError, defineEvent } from '@flow-crm/contracts';
import { RequestContext } from '@flow-crm/observability';
import { TestRun } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BusNode, WidgetCreated, WidgetUpdated, recordEffect, waitFor } from './fixtures';

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
