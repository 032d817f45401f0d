import { type EventEnvelope } from '@flow-crm/contracts';
import { TcpProxy, TestRun } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { BusNode, WidgetUpdated, byAggregate, count, recordEffect, sleep, waitFor } from './fixtures';

describe('a broker outage', () => {
  let run: TestRun;
  let proxy: TcpProxy;
  let sink: BusNode;
  let producer: BusNode;
  const delivered: EventEnvelope[] = [];

  beforeAll(async () => {
    run = await TestRun.create();
    const broker = new URL(run.infra.rabbitmqUrl);
    proxy = await TcpProxy.start({ host: broker.hostname, port: Number(broker.port || 5672) });
    // Both ends reach the broker through the proxy: the outage hits the relay and the consumer.
    sink = await BusNode.start(run, {
      service: 'sink',
      brokerUrl: proxy.rewrite(run.infra.rabbitmqUrl),
      handlers: { 'test.widget.updated': recordEffect('sink', (event) => void delivered.push(event)) },
      bus: { prefetch: 1 },
    });
    producer = await BusNode.start(run, {
      service: 'producer',
      relay: true,
      brokerUrl: proxy.rewrite(run.infra.rabbitmqUrl),
      bus: { relayBatchSize: 7 },
    });
  });

  afterAll(async () => {
    await proxy?.restore();
    await producer?.stop();
    await sink?.stop();
    await proxy?.stop();
    await run?.cleanup();
  });

  async function writeInterleaved(aggregates: string[], from: number, to: number): Promise<EventEnvelope[]> {
    const written: EventEnvelope[] = [];
    for (let n = from; n <= to; n++) {
      for (const aggregateId of aggregates) {
        written.push(
          await producer.write(WidgetUpdated, {
            organizationId: randomUUID(),
            aggregateId,
            aggregateVersion: n,
            data: { name: `v${n}`, n },
          }),
        );
      }
    }
    return written;
  }

  it('keeps the events written meanwhile and delivers them all, in order per aggregate, once the broker is back', async () => {
    const aggregates = [randomUUID(), randomUUID(), randomUUID()];
    const before = await writeInterleaved(aggregates, 1, 3);
    await waitFor(
      async () => (await count(sink.metrics.eventsConsumed, { outcome: 'processed' })) === before.length,
      {
        what: 'the events written before the outage',
      },
    );

    await proxy.cut();
    await waitFor(() => !producer.connection.isConnected && !sink.connection.isConnected, {
      what: 'both ends to notice the outage',
    });
    const during = await writeInterleaved(aggregates, 4, 15);
    await sleep(10 * producer.options.relayPollMs);

    // Nothing could go out: everything is still pending in the outbox.
    expect(await producer.relay!.backlog()).toBe(during.length);
    expect(delivered).toHaveLength(before.length);

    await proxy.restore();

    await waitFor(async () => (await sink.effects()).length >= before.length + during.length, {
      timeoutMs: 20_000,
      what: 'every event written during the outage',
    });
    expect(await producer.relay!.backlog()).toBe(0);
    expect(delivered.map((e) => e.id).sort()).toEqual([...before, ...during].map((e) => e.id).sort());
    const received = byAggregate(delivered);
    for (const aggregateId of aggregates) {
      expect(received.get(aggregateId)!.map((e) => (e.data as { n: number }).n)).toEqual(
        Array.from({ length: 15 }, (_, i) => i + 1),
      );
    }
    // Each event took effect once. The one message the sink had in hand when the connection
    // dropped (prefetch 1) may come again if its ack was lost with it: the inbox absorbs that.
    const effects = await sink.effects();
    expect(effects.map((e) => e.eventId).sort()).toEqual([...before, ...during].map((e) => e.id).sort());
    expect(await count(sink.metrics.eventsConsumed, { outcome: 'duplicate' })).toBeLessThanOrEqual(1);
  });

  it('publishes what is written after the broker came back, at once', async () => {
    await waitFor(() => producer.connection.isConnected && sink.consumer!.isConsuming, {
      what: 'the reconnection',
    });
    const [event] = await writeInterleaved([randomUUID()], 1, 1);
    await waitFor(() => delivered.some((e) => e.id === event.id), {
      what: 'the event written after the outage',
    });
  });

  it('loses nothing and keeps the order per aggregate when the connection drops while the relay is publishing', async () => {
    await waitFor(() => producer.connection.isConnected && sink.consumer!.isConsuming, {
      what: 'the reconnection',
    });
    const aggregates: string[] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const seen = () => delivered.filter((e) => aggregates.includes(e.aggregateId)).length;
    const writing = writeInterleaved(aggregates, 1, 25);

    await waitFor(() => seen() >= 10, { what: 'the stream to be flowing' });
    await proxy.cut();
    await sleep(300);
    await proxy.restore();
    const written = await writing;

    await waitFor(() => seen() >= written.length, { timeoutMs: 20_000, what: 'every event of the stream' });
    await waitFor(async () => (await producer.relay!.backlog()) === 0, { what: 'an empty outbox' });
    const received = byAggregate(delivered.filter((e) => aggregates.includes(e.aggregateId)));
    for (const aggregateId of aggregates) {
      expect(received.get(aggregateId)!.map((e) => (e.data as { n: number }).n)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
    }
    // A batch whose confirms were lost with the connection is published again: the broker may
    // hold it twice, but it takes effect once.
    const effects = (await sink.effects()).filter((e) => aggregates.includes(e.aggregateId));
    expect(effects.map((e) => e.eventId).sort()).toEqual(written.map((e) => e.id).sort());
  });
});
