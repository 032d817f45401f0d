// Test harness of the bus integration tests: a "node" is one process of one service as the
// platform would wire it (database with the outbox/inbox migration, one broker connection,
// Outbox, OutboxRelay, EventConsumer), built on the real PostgreSQL and RabbitMQ of a TestRun.
import {
  defineEvent,
  type EventData,
  type EventDefinition,
  type EventEnvelope,
  EventRegistry,
} from '@flow-crm/contracts';
import { openDatabase } from '@flow-crm/db';
import { Metrics } from '@flow-crm/observability';
import { type TestRun } from '@flow-crm/testing';
import { Logger } from '@nestjs/common';
import { type ChannelModel, type ConfirmChannel, connect, type Options } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { v7 } from 'uuid';
import { z } from 'zod';
import {
  BrokerConnection,
  type BusOptions,
  CreateOutboxAndInbox1732000000000,
  DEFAULT_BUS_OPTIONS,
  EventConsumer,
  type EventContext,
  type NewEvent,
  Outbox,
  OutboxRelay,
  Topology,
} from '../src';
import { deadLettersCommand } from '../src/cli/dead-letters';

// The bus logs every retry and dead letter; the tests provoke many on purpose.
if (!process.env.BUS_TEST_LOGS) Logger.overrideLogger(false);

export const WidgetCreated = defineEvent('test.widget.created', 1, z.object({ name: z.string().min(1) }));
export const WidgetUpdated = defineEvent(
  'test.widget.updated',
  1,
  z.object({ name: z.string().min(1), n: z.number().int().positive() }),
);
/** The registry of the tests' own event types; the bus validates against it on both ends. */
export const testEvents = new EventRegistry([WidgetCreated, WidgetUpdated]);

/** A table the handlers write their effect to, with no unique key: a second effect shows as a second row. */
class CreateWidgetEffects1732000000001 implements MigrationInterface {
  name = 'CreateWidgetEffects1732000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE widget_effects (
        seq          bigserial PRIMARY KEY,
        event_id     uuid NOT NULL,
        type         text NOT NULL,
        aggregate_id uuid NOT NULL,
        handled_by   text NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE widget_effects');
  }
}

export const TEST_RETRY_DELAYS_MS = [100, 200] as const;

export type TestHandler = (event: EventEnvelope, ctx: EventContext) => Promise<unknown>;

export interface NodeOptions {
  readonly service: string;
  /** Names this instance in `widget_effects.handled_by` (several instances of one service share a database). */
  readonly instance?: string;
  /** The broker to connect to (a TcpProxy's URL in outage tests); the run's broker by default. */
  readonly brokerUrl?: string;
  /** Starts the outbox relay of this node. */
  readonly relay?: boolean;
  /** Event handlers by pattern; with any, the node consumes its service queue. */
  readonly handlers?: Record<string, TestHandler>;
  readonly bus?: Partial<Omit<BusOptions, 'service' | 'prefix' | 'url'>>;
}

/** One instance of one service, wired as the platform wires it. */
export class BusNode {
  private constructor(
    readonly options: BusOptions,
    readonly instance: string,
    readonly dataSource: DataSource,
    readonly connection: BrokerConnection,
    readonly metrics: Metrics,
    readonly outbox: Outbox,
    readonly relay: OutboxRelay | undefined,
    readonly consumer: EventConsumer | undefined,
  ) {}

  static async start(run: TestRun, node: NodeOptions): Promise<BusNode> {
    const options: BusOptions = {
      ...DEFAULT_BUS_OPTIONS,
      retryDelaysMs: TEST_RETRY_DELAYS_MS,
      relayPollMs: 100,
      relayBatchSize: 50,
      ...node.bus,
      service: node.service,
      prefix: run.prefix,
      url: node.brokerUrl ?? run.infra.rabbitmqUrl,
    };
    const instance = node.instance ?? node.service;
    run.track({ exchanges: [new Topology(options).exchange] });
    if (node.handlers) run.trackService(node.service, options.retryDelaysMs);

    const dataSource = await openDatabase({
      url: run.infra.postgresUrl,
      database: run.database(node.service),
      entities: [],
      migrations: [CreateOutboxAndInbox1732000000000, CreateWidgetEffects1732000000001],
      poolSize: 5,
    });
    const connection = new BrokerConnection(options.url, `${run.prefix}${instance}`);
    const metrics = new Metrics(node.service);
    const outbox = new Outbox(node.service, testEvents);
    const relay = node.relay ? new OutboxRelay(dataSource, connection, options, metrics) : undefined;
    const consumer = node.handlers
      ? new EventConsumer(dataSource, connection, options, metrics, testEvents)
      : undefined;
    const started = new BusNode(options, instance, dataSource, connection, metrics, outbox, relay, consumer);
    try {
      await connection.start();
      await waitFor(() => connection.isConnected, { what: `${instance} connected to the broker` });
      if (consumer) {
        for (const [pattern, handler] of Object.entries(node.handlers ?? {}))
          consumer.addHandler(pattern, handler, true);
        consumer.listen(() => undefined);
        await waitFor(() => consumer.isConsuming, { what: `${instance} consuming` });
      }
      relay?.start();
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }

  get topology(): Topology {
    return new Topology(this.options);
  }

  /** Writes one event through the outbox in a transaction of its own. */
  async write<TDef extends EventDefinition>(
    definition: TDef,
    event: NewEvent<EventData<TDef>>,
  ): Promise<EventEnvelope> {
    return this.dataSource.transaction((manager) => this.outbox.publish(manager, definition, event));
  }

  /** The handler effects recorded in this service's database, oldest first. */
  async effects(): Promise<{ eventId: string; type: string; aggregateId: string; handledBy: string }[]> {
    return this.dataSource.query(
      'SELECT event_id AS "eventId", type, aggregate_id AS "aggregateId", handled_by AS "handledBy" FROM widget_effects ORDER BY seq',
    );
  }

  async inbox(): Promise<string[]> {
    const rows: { event_id: string }[] = await this.dataSource.query('SELECT event_id FROM inbox_events');
    return rows.map((r) => r.event_id);
  }

  /** Stops in the order the platform does: consumer (finishing messages in hand), relay, broker, database. */
  async stop(): Promise<void> {
    await this.consumer?.close();
    await this.relay?.stop();
    await this.connection.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** A handler that records its effect through `ctx.manager`, i.e. in the inbox's transaction. */
export function recordEffect(
  handledBy: string,
  also?: (event: EventEnvelope) => void | Promise<void>,
): TestHandler {
  return async (event, ctx) => {
    await ctx.manager.query(
      'INSERT INTO widget_effects (event_id, type, aggregate_id, handled_by) VALUES ($1, $2, $3, $4)',
      [event.id, event.type, event.aggregateId, handledBy],
    );
    await also?.(event);
  };
}

/** A plain AMQP client for what the tests do behind the bus's back (duplicates, poison messages). */
export class RawBroker {
  private constructor(
    private readonly model: ChannelModel,
    readonly channel: ConfirmChannel,
  ) {}

  static async open(url: string): Promise<RawBroker> {
    const model = await connect(url);
    const channel = await model.createConfirmChannel();
    return new RawBroker(model, channel);
  }

  /** Publishes to the exchange as the relay would, and waits for the broker's confirm. */
  async publish(
    exchange: string,
    routingKey: string,
    body: string | object,
    properties: Options.Publish = {},
  ): Promise<void> {
    const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    this.channel.publish(exchange, routingKey, content, {
      persistent: true,
      contentType: 'application/json',
      ...properties,
    });
    await this.channel.waitForConfirms();
  }

  async publishEnvelope(exchange: string, envelope: EventEnvelope): Promise<void> {
    await this.publish(exchange, envelope.type, envelope, { messageId: envelope.id, type: envelope.type });
  }

  async messageCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.model.close().catch(() => undefined);
  }
}

/** A complete envelope of a test event, as another service's relay would publish it. */
export function envelope(
  definition: EventDefinition,
  data: unknown,
  overrides: Partial<EventEnvelope> = {},
): EventEnvelope {
  return {
    id: v7(),
    type: definition.type,
    version: definition.version,
    occurredAt: new Date().toISOString(),
    source: 'elsewhere',
    organizationId: randomUUID(),
    actorId: null,
    correlationId: randomUUID(),
    causationId: null,
    aggregateId: randomUUID(),
    aggregateVersion: 1,
    data,
    ...overrides,
  };
}

/** Runs the dead-letters ops command as an operator would, and returns its exit code and output. */
export async function runDeadLettersCommand(
  run: TestRun,
  args: string[],
): Promise<{ code: number; output: string }> {
  let output = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const code = await deadLettersCommand(
    args,
    { RABBITMQ_URL: run.infra.rabbitmqUrl, BUS_PREFIX: run.prefix },
    out,
  );
  return { code, output };
}

/** The current value of a counter for exactly these labels (0 when never incremented). */
export async function count(
  counter: Metrics['eventsConsumed'] | Metrics['eventsFailed'] | Metrics['eventsPublished'],
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await counter.get();
  const wanted = Object.entries(labels);
  return values
    .filter((v) => wanted.every(([key, value]) => (v.labels as Record<string, unknown>)[key] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, what = 'condition' }: { timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Event ids grouped by aggregate, in the order given. */
export function byAggregate(events: readonly EventEnvelope[]): Map<string, EventEnvelope[]> {
  const groups = new Map<string, EventEnvelope[]>();
  for (const event of events)
    groups.set(event.aggregateId, [...(groups.get(event.aggregateId) ?? []), event]);
  return groups;
}
