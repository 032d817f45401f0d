import { type EventEnvelope } from '@flow-crm/contracts';
import { TestRun } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { ATTEMPT_HEADER, type DeadLetter, DeadLetters } from '../src';
import {
  BusNode,
  type NodeOptions,
  RawBroker,
  TEST_RETRY_DELAYS_MS,
  WidgetCreated,
  WidgetUpdated,
  count,
  envelope,
  recordEffect,
  runDeadLettersCommand,
  sleep,
  waitFor,
} from './fixtures';

let run: TestRun;
let broker: RawBroker;

beforeAll(async () => {
  run = await TestRun.create();
  broker = await RawBroker.open(run.infra.rabbitmqUrl);
});

afterAll(async () => {
  await broker?.close();
  await run?.cleanup();
});

/** Starts a node for one test and stops it after, even when the test fails. */
const nodes: BusNode[] = [];
async function startNode(options: NodeOptions): Promise<BusNode> {
  const node = await BusNode.start(run, options);
  nodes.push(node);
  return node;
}
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop();
});

async function deadLetters(node: BusNode): Promise<DeadLetter[]> {
  return new DeadLetters(broker.channel, node.options).list();
}

async function waitForDeadLetters(node: BusNode, n: number): Promise<void> {
  await waitFor(async () => (await broker.messageCount(node.topology.deadLetterQueue)) >= n, {
    what: `${n} dead letter(s) in ${node.topology.deadLetterQueue}`,
  });
}

describe('a redelivered event', () => {
  it('has exactly one effect, and the redelivery counts as a duplicate', async () => {
    const handled: string[] = [];
    const node = await startNode({
      service: 'dedupe',
      handlers: { 'test.widget.created': recordEffect('dedupe', (e) => void handled.push(e.id)) },
    });
    const event = envelope(WidgetCreated, { name: 'twice' });

    await broker.publishEnvelope(node.topology.exchange, event);
    await broker.publishEnvelope(node.topology.exchange, event);

    const outcomes = async () =>
      (await count(node.metrics.eventsConsumed, { type: 'test.widget.created', outcome: 'processed' })) +
      (await count(node.metrics.eventsConsumed, { type: 'test.widget.created', outcome: 'duplicate' }));
    await waitFor(async () => (await outcomes()) === 2, { what: 'both deliveries to be handled' });
    expect(await count(node.metrics.eventsConsumed, { outcome: 'processed' })).toBe(1);
    expect(await count(node.metrics.eventsConsumed, { outcome: 'duplicate' })).toBe(1);
    expect(handled).toEqual([event.id]);
    expect((await node.effects()).map((e) => e.eventId)).toEqual([event.id]);
    expect(await node.inbox()).toEqual([event.id]);
    expect(await broker.messageCount(node.topology.queue)).toBe(0);
  });

  it('that failed the first time is applied when it comes back', async () => {
    let failNext = true;
    const node = await startNode({
      service: 'dedupe-after-failure',
      handlers: {
        'test.widget.created': recordEffect('node', () => {
          if (failNext) {
            failNext = false;
            throw new Error('transient');
          }
        }),
      },
    });
    const event = envelope(WidgetCreated, { name: 'second time lucky' });

    await broker.publishEnvelope(node.topology.exchange, event);

    await waitFor(async () => (await node.effects()).length === 1, {
      what: 'the retried event to take effect',
    });
    // The failed try rolled back its inbox row together with its effect: the retry was not a "duplicate".
    expect(await count(node.metrics.eventsConsumed, { outcome: 'duplicate' })).toBe(0);
    expect(await count(node.metrics.eventsFailed, { outcome: 'retried' })).toBe(1);
    expect(await node.inbox()).toEqual([event.id]);
  });
});

describe('a handler that keeps failing', () => {
  it('is tried once plus once per retry delay, after each delay, then its event is dead-lettered', async () => {
    const tries: number[] = [];
    const node = await startNode({
      service: 'failing',
      handlers: {
        'test.widget.created': recordEffect('failing', () => {
          tries.push(Date.now());
          throw new Error('widget store is down');
        }),
      },
    });
    const event = envelope(WidgetCreated, { name: 'doomed' });

    await broker.publishEnvelope(node.topology.exchange, event);

    await waitForDeadLetters(node, 1);
    expect(tries).toHaveLength(TEST_RETRY_DELAYS_MS.length + 1);
    TEST_RETRY_DELAYS_MS.forEach((delay, i) =>
      expect(tries[i + 1] - tries[i]).toBeGreaterThanOrEqual(delay - 5),
    );
    expect(await count(node.metrics.eventsFailed, { type: 'test.widget.created', outcome: 'retried' })).toBe(
      2,
    );
    expect(
      await count(node.metrics.eventsFailed, { type: 'test.widget.created', outcome: 'dead_lettered' }),
    ).toBe(1);
    // Nothing of the failed tries stayed: no effect, and no inbox row that would hide a replay.
    expect(await node.effects()).toEqual([]);
    expect(await node.inbox()).toEqual([]);
    const [letter, ...others] = await deadLetters(node);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      messageId: event.id,
      type: 'test.widget.created',
      attempts: 3,
      error: 'widget store is down',
    });
    expect(JSON.parse(letter.body)).toEqual(event);
    expect(Date.parse(letter.failedAt!)).toBeGreaterThanOrEqual(tries[2]);
    // No try is left pending anywhere.
    await sleep(Math.max(...TEST_RETRY_DELAYS_MS) + 100);
    expect(tries).toHaveLength(3);
    for (const { name } of node.topology.retryQueues) expect(await broker.messageCount(name)).toBe(0);
    expect(await broker.messageCount(node.topology.queue)).toBe(0);
  });

  it('treats a thrown non-Error like any failure: retried, then dead-lettered with what was thrown', async () => {
    let tries = 0;
    const node = await startNode({
      service: 'throws-string',
      handlers: {
        'test.widget.created': async () => {
          tries += 1;
          throw 'widget store said no';
        },
        'test.widget.updated': async () => {
          tries += 1;
          throw { code: 'E_WIDGET', detail: 'no such widget' };
        },
      },
    });

    await broker.publishEnvelope(node.topology.exchange, envelope(WidgetCreated, { name: 'a' }));
    await broker.publishEnvelope(node.topology.exchange, envelope(WidgetUpdated, { name: 'b', n: 1 }));

    await waitForDeadLetters(node, 2);
    expect(tries).toBe(2 * (TEST_RETRY_DELAYS_MS.length + 1));
    const errors = (await deadLetters(node)).map((l) => l.error).sort();
    expect(errors).toEqual(['widget store said no', '{"code":"E_WIDGET","detail":"no such widget"}']);
  });
});

describe('the dead-letters command', () => {
  async function deadLetteredNode(service: string, failing: Set<string>) {
    const node = await startNode({
      service,
      handlers: {
        'test.widget.*': recordEffect(service, (event) => {
          if (failing.has(event.id)) throw new Error(`cannot handle ${event.id}`);
        }),
      },
    });
    return node;
  }

  it('lists the dead letters without taking them off the queue', async () => {
    const failing = new Set<string>();
    const node = await deadLetteredNode('listed', failing);
    const events = [envelope(WidgetCreated, { name: 'x' }), envelope(WidgetUpdated, { name: 'y', n: 2 })];
    events.forEach((e) => failing.add(e.id));
    for (const event of events) await broker.publishEnvelope(node.topology.exchange, event);
    await waitForDeadLetters(node, 2);

    const { code, output } = await runDeadLettersCommand(run, ['list', 'listed']);

    expect(code).toBe(0);
    const letters = JSON.parse(output) as DeadLetter[];
    expect(letters.map((l) => l.messageId).sort()).toEqual(events.map((e) => e.id).sort());
    expect(letters.map((l) => l.type).sort()).toEqual(['test.widget.created', 'test.widget.updated']);
    expect(letters.map((l) => l.error).sort()).toEqual(events.map((e) => `cannot handle ${e.id}`).sort());
    // The quorum queue takes the listed messages back asynchronously; none may be lost.
    await waitForDeadLetters(node, 2);
    expect(
      JSON.parse((await runDeadLettersCommand(run, ['list', 'listed', '--limit', '1'])).output),
    ).toHaveLength(1);
    await waitForDeadLetters(node, 2);
    await sleep(200);
    expect(await broker.messageCount(node.topology.deadLetterQueue)).toBe(2);
  });

  it('replays a dead letter for a fresh round of tries, which succeed once the cause is fixed', async () => {
    const failing = new Set<string>();
    const node = await deadLetteredNode('replayed', failing);
    const event = envelope(WidgetCreated, { name: 'comeback' });
    failing.add(event.id);
    await broker.publishEnvelope(node.topology.exchange, event);
    await waitForDeadLetters(node, 1);

    failing.delete(event.id); // the bug is fixed and deployed
    const { code, output } = await runDeadLettersCommand(run, ['replay', 'replayed']);

    expect(code).toBe(0);
    expect(output).toBe(`replayed 1 message(s): ${event.id}\n`);
    await waitFor(async () => (await node.effects()).length === 1, {
      what: 'the replayed event to take effect',
    });
    expect((await node.effects())[0]).toMatchObject({ eventId: event.id, type: 'test.widget.created' });
    expect(await broker.messageCount(node.topology.deadLetterQueue)).toBe(0);
    expect(
      await count(node.metrics.eventsConsumed, { type: 'test.widget.created', outcome: 'processed' }),
    ).toBe(1);
  });

  it('replays only the dead letters named with --id and leaves the others', async () => {
    const failing = new Set<string>();
    const node = await deadLetteredNode('replayed-by-id', failing);
    const [chosen, left] = [
      envelope(WidgetCreated, { name: 'chosen' }),
      envelope(WidgetCreated, { name: 'left' }),
    ];
    failing.add(chosen.id).add(left.id);
    for (const event of [chosen, left]) await broker.publishEnvelope(node.topology.exchange, event);
    await waitForDeadLetters(node, 2);

    failing.clear();
    const { output } = await runDeadLettersCommand(run, ['replay', 'replayed-by-id', '--id', chosen.id]);

    expect(output).toBe(`replayed 1 message(s): ${chosen.id}\n`);
    await waitFor(async () => (await node.effects()).length === 1, {
      what: 'the chosen event to take effect',
    });
    await sleep(300);
    expect((await node.effects()).map((e) => e.eventId)).toEqual([chosen.id]);
    await waitForDeadLetters(node, 1); // handed back by the command
    expect((await deadLetters(node)).map((l) => l.messageId)).toEqual([left.id]);
  });

  it('gives a replayed event that fails again its full number of tries before dead-lettering it again', async () => {
    let tries = 0;
    const node = await startNode({
      service: 'replayed-again',
      handlers: {
        'test.widget.created': async () => {
          tries += 1;
          throw new Error('still broken');
        },
      },
    });
    const event = envelope(WidgetCreated, { name: 'stubborn' });
    await broker.publishEnvelope(node.topology.exchange, event);
    await waitForDeadLetters(node, 1);
    expect(tries).toBe(3);

    await runDeadLettersCommand(run, ['replay', 'replayed-again']);

    await waitFor(() => tries === 6, { what: 'three more tries' });
    await waitForDeadLetters(node, 1);
    const [letter] = await deadLetters(node);
    expect(letter).toMatchObject({ messageId: event.id, attempts: 3, error: 'still broken' });
  });

  it('fails with the reason, without crashing, for a service that has no dead-letter queue', async () => {
    await expect(runDeadLettersCommand(run, ['list', 'no-such-service'])).rejects.toThrow(
      /NOT_FOUND - no queue '.*no-such-service\.events\.dead'/,
    );
  });

  it('refuses a command it does not know', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect((await runDeadLettersCommand(run, ['purge', 'anything'])).code).toBe(2);
      expect((await runDeadLettersCommand(run, ['list'])).code).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('a poison message', () => {
  it.each([
    [
      'that is not JSON',
      'poison-json',
      (_e: EventEnvelope) => '{"id": "truncated',
      'the message is not JSON',
    ],
    [
      'of an event version the service does not know',
      'poison-version',
      (e: EventEnvelope) => ({ ...e, version: 2 }),
      'unknown event test.widget.created v2',
    ],
    [
      'whose data does not match the schema of its version',
      'poison-data',
      (e: EventEnvelope) => ({ ...e, data: { name: 42 } }),
      'invalid event test.widget.created: name: ',
    ],
    [
      'that is not an envelope',
      'poison-envelope',
      (e: EventEnvelope) => ({ ...e, id: 'not-a-uuid' }),
      'invalid event test.widget.created: id: ',
    ],
  ])(
    'goes to the dead-letter queue at once, without retries, when it is one %s',
    async (_what, service, corrupt, reason) => {
      const handle = jest.fn(recordEffect('poison'));
      const node = await startNode({ service, handlers: { 'test.widget.created': handle } });
      const event = envelope(WidgetCreated, { name: 'fine' });

      // As a foreign or buggy producer would send it: no `type` property, only the routing key.
      await broker.publish(node.topology.exchange, 'test.widget.created', corrupt(event), {
        messageId: event.id,
      });

      await waitForDeadLetters(node, 1);
      const [letter] = await deadLetters(node);
      expect(letter).toMatchObject({ messageId: event.id, type: 'test.widget.created', attempts: 1 });
      expect(letter.error).toContain(reason);
      expect(handle).not.toHaveBeenCalled();
      expect(await count(node.metrics.eventsFailed, { outcome: 'retried' })).toBe(0);
      expect(
        await count(node.metrics.eventsFailed, { type: 'test.widget.created', outcome: 'dead_lettered' }),
      ).toBe(1);
    },
  );

  it('does not hold up the events behind it', async () => {
    const node = await startNode({
      service: 'poison-then-fine',
      handlers: { 'test.widget.created': recordEffect('n') },
    });
    const fine = envelope(WidgetCreated, { name: 'fine' });

    await broker.publish(node.topology.exchange, 'test.widget.created', 'garbage', {
      messageId: randomUUID(),
    });
    await broker.publishEnvelope(node.topology.exchange, fine);

    await waitFor(async () => (await node.effects()).length === 1, {
      what: 'the good event after the poison one',
    });
    await waitForDeadLetters(node, 1);
  });

  it('records the try on which it was found unreadable', async () => {
    const node = await startNode({
      service: 'poison-attempt',
      handlers: { 'test.widget.created': recordEffect('n') },
    });
    await broker.publish(node.topology.exchange, 'test.widget.created', 'garbage', {
      messageId: randomUUID(),
      headers: { [ATTEMPT_HEADER]: 2 },
    });
    await waitForDeadLetters(node, 1);
    expect((await deadLetters(node))[0].attempts).toBe(2);
  });
});

describe('closing the consumer', () => {
  it('finishes the messages in hand, takes no new ones, and leaves the rest to the next instance', async () => {
    let running = 0;
    const started: string[] = [];
    const handle = recordEffect('first', async (event) => {
      started.push(event.id);
      running += 1;
      await sleep((event.data as { name: string }).name === 'slow' ? 1_000 : 300);
      running -= 1;
    });
    const first = await startNode({
      service: 'closing',
      instance: 'first',
      handlers: { 'test.widget.created': handle },
      bus: { prefetch: 2 },
    });
    const events = ['fast', 'slow', 'fast', 'fast', 'fast'].map((name) => envelope(WidgetCreated, { name }));
    for (const event of events) await broker.publishEnvelope(first.topology.exchange, event);
    await waitFor(() => started.length === 2, { what: 'two messages in hand' });

    // While the slow one finishes, the fast one's place would be refilled by the broker.
    await first.consumer!.close();

    expect(running).toBe(0);
    const inHand = [events[0].id, events[1].id].sort();
    expect([...started].sort()).toEqual(inHand);
    await sleep(300);
    expect(started).toHaveLength(2);
    expect((await first.effects()).map((e) => e.eventId).sort()).toEqual(inHand);

    await startNode({
      service: 'closing',
      instance: 'second',
      handlers: { 'test.widget.created': recordEffect('second') },
    });
    await waitFor(async () => (await first.effects()).length === events.length, {
      what: 'every event to take effect',
    });
    await sleep(200);
    const effects = await first.effects();
    expect(effects.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    expect(
      effects
        .filter((e) => e.handledBy === 'second')
        .map((e) => e.eventId)
        .sort(),
    ).toEqual(
      events
        .slice(2)
        .map((e) => e.id)
        .sort(),
    );
  });
});

describe('a consumer whose subscription the broker ends', () => {
  it('subscribes again on a new channel while the connection stays up, and keeps handling events', async () => {
    const node = await startNode({
      service: 'resubscribe',
      handlers: { 'test.widget.created': recordEffect('node') },
    });
    // Deleting its queue makes the broker cancel the consumer; the connection itself is untouched.
    await broker.channel.deleteQueue(node.topology.queue);
    await waitFor(() => !node.consumer!.isConsuming, { what: 'the cancelled consumer to drop its channel' });
    await waitFor(() => node.consumer!.isConsuming, { what: 'the consumer to subscribe again' });
    expect(node.connection.isConnected).toBe(true);

    const event = envelope(WidgetCreated, { name: 'after the cancel' });
    await broker.publishEnvelope(node.topology.exchange, event);
    await waitFor(async () => (await node.effects()).length === 1, {
      what: 'the event published after resubscribing',
    });
    expect((await node.effects())[0]?.eventId).toBe(event.id);
  });
});
