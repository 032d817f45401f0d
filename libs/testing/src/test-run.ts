import { connect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { type Infrastructure, infrastructure } from './infrastructure';

/** The URL of one database on the server `serverUrl` points at. */
function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * One test run's private corner of the shared servers: databases named `t_<run>_<service>` and
 * broker objects prefixed `t.<run>.`, so parallel runs never see each other's data. `cleanup()`
 * drops the databases and deletes the exchanges and queues the run declared.
 */
export class TestRun {
  readonly id = randomBytes(4).toString('hex');
  readonly prefix = `t.${this.id}.`;
  private readonly databases = new Set<string>();
  private readonly queues = new Set<string>();
  private readonly exchanges = new Set<string>();

  private constructor(readonly infra: Infrastructure) {}

  static async create(): Promise<TestRun> {
    return new TestRun(await infrastructure());
  }

  /** A database name for `service` in this run; created by the service itself on start. */
  database(service: string): string {
    const name = `t_${this.id}_${service.replace(/[^a-z0-9]/g, '_')}`;
    this.databases.add(name);
    return name;
  }

  databaseUrl(service: string): string {
    return databaseUrl(this.infra.postgresUrl, this.database(service));
  }

  /** Registers broker objects to delete at cleanup (names already carry the prefix). */
  track(objects: { queues?: string[]; exchanges?: string[] }): void {
    objects.queues?.forEach((q) => this.queues.add(q));
    objects.exchanges?.forEach((e) => this.exchanges.add(e));
  }

  /**
   * Tracks every object the bus declares for `service` with this run's prefix; the retry queues
   * are named after its BUS_RETRY_DELAYS_MS, by default libs/bus's DEFAULT_BUS_OPTIONS (not
   * imported: libs/bus's own tests depend on this library).
   */
  trackService(service: string, retryDelaysMs: readonly number[] = [1_000, 5_000, 30_000]): void {
    const queue = `${this.prefix}${service}.events`;
    this.track({
      queues: [queue, `${queue}.dead`, ...retryDelaysMs.map((d) => `${queue}.retry.${d}ms`)],
      exchanges: [`${this.prefix}crm.events`, `${this.prefix}crm.dead-letters`],
    });
  }

  async cleanup(): Promise<void> {
    await this.dropDatabases();
    await this.deleteBrokerObjects();
  }

  private async dropDatabases(): Promise<void> {
    if (this.databases.size === 0) return;
    const client = new Client({ connectionString: databaseUrl(this.infra.postgresUrl, 'postgres') });
    await client.connect();
    try {
      for (const name of this.databases) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }

  private async deleteBrokerObjects(): Promise<void> {
    if (this.queues.size === 0 && this.exchanges.size === 0) return;
    const connection = await connect(this.infra.rabbitmqUrl);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      for (const queue of this.queues) await channel.deleteQueue(queue);
      for (const exchange of this.exchanges) await channel.deleteExchange(exchange);
      await channel.close();
    } finally {
      await connection.close();
    }
  }
}
