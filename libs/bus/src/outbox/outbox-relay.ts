import { Logger } from '@nestjs/common';
import { type Metrics } from '@flow-crm/observability';
import { type ConfirmChannel } from 'amqplib';
import { Client } from 'pg';
import { type DataSource, type EntityManager } from 'typeorm';
import { type BusOptions, OUTBOX_CHANNEL, Topology } from '../bus.options';
import { type BrokerConnection } from '../connection';

interface PendingEvent {
  seq: string;
  id: string;
  type: string;
  envelope: unknown;
}

/**
 * Picks the oldest pending events this instance can lock. Several relays share the table through
 * SKIP LOCKED; an event whose aggregate has an older event still pending outside this batch
 * (locked by another relay) waits for the next round, so each aggregate's events reach the
 * broker in the order they were written.
 */
const CLAIM_BATCH = `
  WITH batch AS (
    SELECT seq, id, type, aggregate_id, envelope FROM outbox_events
    WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
  )
  SELECT b.seq, b.id, b.type, b.envelope FROM batch b
  WHERE NOT EXISTS (
    SELECT 1 FROM outbox_events o
    WHERE o.aggregate_id = b.aggregate_id AND o.published_at IS NULL AND o.seq < b.seq
      AND o.seq NOT IN (SELECT seq FROM batch)
  )
  ORDER BY b.seq`;

const CONFIRM_TIMEOUT_MS = 10_000;
const RETENTION_SWEEP_MS = 60 * 60 * 1000;

/** Publishes committed outbox events with publisher confirms, then marks them published. */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private readonly topology: Topology;
  private listener?: Client;
  private channel?: ConfirmChannel;
  private running = false;
  private wake?: () => void;
  /** A wake-up (NOTIFY, reconnection, stop) that came while no sleep was waiting for it. */
  private nudged = false;
  private loop?: Promise<void>;
  private lastSweep = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connection: BrokerConnection,
    private readonly options: BusOptions,
    private readonly metrics: Metrics,
  ) {
    this.topology = new Topology(options);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connection.on('connected', this.nudge);
    this.metrics.measureOutboxBacklog(() => this.backlog());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.connection.off('connected', this.nudge);
    this.nudge();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    if (listener)
      await withTimeout(listener.end(), 2_000, 'closing the outbox listener').catch(() => undefined);
    await this.channel?.close().catch(() => undefined);
    this.channel = undefined;
  }

  /** Events written but not yet confirmed by the broker. */
  async backlog(): Promise<number> {
    const [row] = await this.dataSource.query(
      'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL',
    );
    return row.n;
  }

  /** Publishes everything pending now; resolves with how many events went out. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published === 0) return total;
    }
  }

  private readonly nudge = (): void => {
    const wake = this.wake;
    this.wake = undefined;
    if (wake) wake();
    else this.nudged = true;
  };

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let published = 0;
      // Rows whose NOTIFY arrived until now are visible to this round's claim; later ones set it again.
      this.nudged = false;
      try {
        await this.ensureListening();
        published = await this.publishBatch();
        failures = 0;
        await this.sweep();
      } catch (error) {
        failures += 1;
        this.logger.warn(`outbox relay: ${(error as Error).message}`);
      }
      if (this.running && published < this.options.relayBatchSize) {
        const backoff = failures ? Math.min(200 * 2 ** failures, 5_000) : this.options.relayPollMs;
        await this.sleep(backoff);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.nudged) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async publishBatch(): Promise<number> {
    if (!this.connection.isConnected) return 0;
    return this.dataSource.transaction(async (manager) => {
      const events: PendingEvent[] = await manager.query(CLAIM_BATCH, [this.options.relayBatchSize]);
      if (events.length === 0) return 0;
      await this.publish(events);
      await this.markPublished(manager, events);
      for (const event of events) this.metrics.eventsPublished.inc({ type: event.type });
      return events.length;
    });
  }

  private async publish(events: PendingEvent[]): Promise<void> {
    const channel = await this.publishingChannel();
    try {
      for (const event of events) {
        channel.publish(this.topology.exchange, event.type, Buffer.from(JSON.stringify(event.envelope)), {
          persistent: true,
          messageId: event.id,
          type: event.type,
          contentType: 'application/json',
          timestamp: Math.floor(Date.now() / 1000),
          appId: this.options.service,
        });
      }
      await withTimeout(channel.waitForConfirms(), CONFIRM_TIMEOUT_MS, 'publisher confirms');
    } catch (error) {
      // A channel that failed may hold unconfirmed messages: never reuse it.
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private async publishingChannel(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const channel = await this.connection.confirmChannel();
    if (!channel) throw new Error('broker unavailable');
    await channel.assertExchange(this.topology.exchange, 'topic', { durable: true });
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    this.channel = channel;
    return channel;
  }

  private async markPublished(manager: EntityManager, events: PendingEvent[]): Promise<void> {
    await manager.query('UPDATE outbox_events SET published_at = now() WHERE seq = ANY($1::bigint[])', [
      events.map((e) => e.seq),
    ]);
  }

  private async ensureListening(): Promise<void> {
    if (this.listener) return;
    const options = this.dataSource.options as { url?: string };
    const client = new Client({ connectionString: options.url });
    client.on('notification', this.nudge);
    client.on('error', (error) => {
      this.logger.warn(`outbox listener lost: ${error.message}`);
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
    });
    // A connection cut without an error (server gone) must not leave a dead listener behind.
    client.on('end', () => {
      if (this.listener === client) this.listener = undefined;
    });
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < RETENTION_SWEEP_MS) return;
    this.lastSweep = Date.now();
    const hours = this.options.retentionHours;
    await this.dataSource.query(
      `DELETE FROM outbox_events WHERE published_at < now() - make_interval(hours => $1)`,
      [hours],
    );
    await this.dataSource.query(
      `DELETE FROM inbox_events WHERE received_at < now() - make_interval(hours => $1)`,
      [hours],
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
