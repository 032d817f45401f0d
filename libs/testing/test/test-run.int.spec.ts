import { type ChannelModel, connect } from 'amqplib';
import { Client } from 'pg';
import { TestRun, infrastructure } from '../src';

/** The URL of one database of the server (libs/testing depends on nothing of ours, so no libs/db here). */
function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

describe('TestRun', () => {
  it('uses the servers from the environment, else the local defaults', async () => {
    const infra = await infrastructure();
    if (process.env.TEST_CONTAINERS === '1' && !process.env.DATABASE_URL) return; // containers: any URL goes
    expect(infra.postgresUrl).toBe(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432');
    expect(infra.rabbitmqUrl).toBe(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
    expect(await infrastructure()).toBe(infra);
  });

  describe('names', () => {
    it('gives every run its own id, prefix and database names', async () => {
      const runs = await Promise.all(Array.from({ length: 20 }, () => TestRun.create()));
      expect(new Set(runs.map((r) => r.id)).size).toBe(20);
      expect(new Set(runs.map((r) => r.prefix)).size).toBe(20);
      expect(new Set(runs.map((r) => r.database('contacts'))).size).toBe(20);
    });

    it('names databases t_<run>_<service> and broker objects t.<run>.', async () => {
      const run = await TestRun.create();
      expect(run.id).toMatch(/^[0-9a-f]{8}$/);
      expect(run.prefix).toBe(`t.${run.id}.`);
      expect(run.database('pipeline')).toBe(`t_${run.id}_pipeline`);
    });

    it('gives the same service the same database within one run', async () => {
      const run = await TestRun.create();
      expect(run.database('contacts')).toBe(run.database('contacts'));
      expect(run.database('contacts')).not.toBe(run.database('pipeline'));
    });

    it('turns a service name into a valid PostgreSQL identifier', async () => {
      const run = await TestRun.create();
      const name = run.database('lead-scoring.v2');
      expect(name).toBe(`t_${run.id}_lead_scoring_v2`);
      expect(name).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
    });

    it("builds the database URL on the run's server", async () => {
      const run = await TestRun.create();
      expect(run.databaseUrl('ai')).toBe(databaseUrl(run.infra.postgresUrl, `t_${run.id}_ai`));
    });
  });

  describe('cleanup', () => {
    let admin: Client;
    let broker: ChannelModel;

    beforeAll(async () => {
      const infra = await infrastructure();
      admin = new Client({ connectionString: databaseUrl(infra.postgresUrl, 'postgres') });
      await admin.connect();
      broker = await connect(infra.rabbitmqUrl);
    });

    afterAll(async () => {
      await admin?.end();
      await broker?.close();
    });

    const databaseExists = async (name: string) =>
      (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;

    /** checkQueue/checkExchange close the channel on a 404, so each check gets its own. */
    const brokerHas = async (kind: 'queue' | 'exchange', name: string) => {
      const channel = await broker.createChannel();
      channel.on('error', () => undefined);
      try {
        if (kind === 'queue') await channel.checkQueue(name);
        else await channel.checkExchange(name);
        await channel.close();
        return true;
      } catch {
        return false;
      }
    };

    it('drops the databases of the run, even with a connection still open to them', async () => {
      const run = await TestRun.create();
      const names = [run.database('contacts'), run.database('pipeline')];
      for (const name of names) await ensureDatabase(run.infra.postgresUrl, name);
      const lingering = new Client({ connectionString: run.databaseUrl('contacts') });
      lingering.on('error', () => undefined);
      await lingering.connect();
      try {
        expect(await Promise.all(names.map(databaseExists))).toEqual([true, true]);
        await run.cleanup();
        expect(await Promise.all(names.map(databaseExists))).toEqual([false, false]);
      } finally {
        await lingering.end().catch(() => undefined);
      }
    });

    it("leaves other runs' databases alone", async () => {
      const mine = await TestRun.create();
      const theirs = await TestRun.create();
      await ensureDatabase(mine.infra.postgresUrl, mine.database('contacts'));
      await ensureDatabase(theirs.infra.postgresUrl, theirs.database('contacts'));
      try {
        await mine.cleanup();
        expect(await databaseExists(theirs.database('contacts'))).toBe(true);
      } finally {
        await theirs.cleanup();
      }
    });

    it('deletes the queues and exchanges it tracks, declared or not', async () => {
      const run = await TestRun.create();
      const channel = await broker.createChannel();
      const queue = `${run.prefix}contacts.events`;
      const exchange = `${run.prefix}crm.events`;
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.assertQueue(queue, { durable: true });
      await channel.close();
      run.trackService('contacts', [1000, 5000]);
      expect(await brokerHas('queue', queue)).toBe(true);
      expect(await brokerHas('exchange', exchange)).toBe(true);

      await run.cleanup();
      expect(await brokerHas('queue', queue)).toBe(false);
      expect(await brokerHas('exchange', exchange)).toBe(false);
    });

    it('has nothing to do for a run that made nothing', async () => {
      await expect((await TestRun.create()).cleanup()).resolves.toBeUndefined();
    });
  });
});
