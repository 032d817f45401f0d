import { type EventEnvelope } from '@flow-crm/contracts';
import { TestRun } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { BusNode, RawBroker, WidgetCreated, count, envelope, recordEffect, sleep, waitFor } from './fixtures';

describe('two instances of a consuming service', () => {
  let run: TestRun;
  let broker: RawBroker;
  let producer: BusNode;
  const instances: BusNode[] = [];
  const handled = new Map<string, string[]>([
    ['one', []],
    ['two', []],
  ]);

  beforeAll(async () => {
    run = await TestRun.create();
    broker = await RawBroker.open(run.infra.rabbitmqUrl);
    for (const name of ['one', 'two']) {
      instances.push(
        await BusNode.start(run, {
          service: 'shared',
          instance: name,
          handlers: {
            // Slow enough that deliveries of one event to both instances overlap in time.
            'test.widget.created': recordEffect(name, async (event) => {
              handled.get(name)!.push(event.id);
              await sleep(15);
            }),
          },
          bus: { prefetch: 4 },
        }),
      );
    }
    producer = await BusNode.start(run, { service: 'producer', relay: true });
  });

  afterAll(async () => {
    await producer?.stop();
    for (const instance of instances) await instance.stop();
    await broker?.close();
    await run?.cleanup();
  });

  it('share one queue, each event taking effect once, even when the broker delivers it twice', async () => {
    const [one, two] = instances;
    expect(one.topology.queue).toBe(two.topology.queue);
    const written: EventEnvelope[] = [];
    for (let i = 0; i < 30; i++) {
      written.push(
        await producer.write(WidgetCreated, {
          organizationId: randomUUID(),
          aggregateId: randomUUID(),
          aggregateVersion: 1,
          data: { name: `w${i}` },
        }),
      );
    }
    // And as a relay that lost its confirm would do: every event of another producer published twice in a row.
    const twice = Array.from({ length: 30 }, (_, i) => envelope(WidgetCreated, { name: `d${i}` }));
    for (const event of twice) {
      await broker.publishEnvelope(one.topology.exchange, event);
      await broker.publishEnvelope(one.topology.exchange, event);
    }
    const ids = [...written, ...twice].map((e) => e.id);
    const deliveries = async () =>
      (await count(one.metrics.eventsConsumed, {})) + (await count(two.metrics.eventsConsumed, {}));

    await waitFor(async () => (await deliveries()) === written.length + 2 * twice.length, {
      what: 'every delivery to be handled',
    });

    const effects = await one.effects(); // one database for the service: both instances write to it
    expect(effects.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    expect(await one.inbox()).toHaveLength(ids.length);
    // Both took part, and each duplicate delivery was recognised as one.
    expect(handled.get('one')!.length).toBeGreaterThan(0);
    expect(handled.get('two')!.length).toBeGreaterThan(0);
    expect(effects.filter((e) => e.handledBy === 'one')).toHaveLength(handled.get('one')!.length);
    const duplicates =
      (await count(one.metrics.eventsConsumed, { outcome: 'duplicate' })) +
      (await count(two.metrics.eventsConsumed, { outcome: 'duplicate' }));
    expect(duplicates).toBe(twice.length);
    expect(await count(one.metrics.eventsFailed, {})).toBe(0);
    expect(await count(two.metrics.eventsFailed, {})).toBe(0);
    expect(await broker.messageCount(one.topology.queue)).toBe(0);
  });
});
