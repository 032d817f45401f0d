import { EventContext, Outbox } from '@flow-crm/bus';
import { type EventOf, UserCreated } from '@flow-crm/contracts';
import { TestRun, waitForHttp } from '@flow-crm/testing';
import { Controller, type INestApplication, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createServiceApp, loadConfig, PlatformModule, platformConfigSchema } from '../src';

class CreateGreetings1700000000000 implements MigrationInterface {
  name = 'CreateGreetings1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE TABLE greetings (user_id uuid PRIMARY KEY, name text NOT NULL, correlation_id text NOT NULL)',
    );
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE greetings');
  }
}

/** A consumer as a service writes one: an @EventPattern method doing its writes through ctx.manager. */
@Controller()
class GreetingHandler {
  @EventPattern(UserCreated.type)
  async greetNewUser(@Payload() event: EventOf<typeof UserCreated>, @Ctx() ctx: EventContext): Promise<void> {
    if (event.data.name.startsWith('Boom')) throw new Error(`cannot greet ${event.data.name}`);
    await ctx.manager.query('INSERT INTO greetings (user_id, name, correlation_id) VALUES ($1, $2, $3)', [
      event.data.id,
      event.data.name,
      event.correlationId,
    ]);
  }
}

const RETRY_DELAYS = [50, 100];

describe('event handlers declared with @EventPattern in a platform service', () => {
  let run: TestRun;
  let app: INestApplication;
  let dataSource: DataSource;
  let outbox: Outbox;

  beforeAll(async () => {
    run = await TestRun.create();
    run.trackService('greeter', RETRY_DELAYS);
    const config = loadConfig(platformConfigSchema({ port: 0, database: run.database('greeter') }), {
      DATABASE_URL: run.infra.postgresUrl,
      RABBITMQ_URL: run.infra.rabbitmqUrl,
      BUS_PREFIX: run.prefix,
      BUS_RETRY_DELAYS_MS: RETRY_DELAYS.join(','),
      OUTBOX_POLL_MS: '100',
      LOG_LEVEL: 'silent',
    });
    @Module({
      imports: [
        PlatformModule.forService({
          service: 'greeter',
          config,
          entities: [],
          migrations: [CreateGreetings1700000000000],
        }),
      ],
      controllers: [GreetingHandler],
    })
    class GreeterModule {}
    app = await createServiceApp(GreeterModule, { service: 'greeter', title: 'greeter', config });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 10_000);
    dataSource = app.get(DataSource);
    outbox = app.get(Outbox);
  });

  afterAll(async () => {
    await app?.close();
    await run?.cleanup();
  });

  async function publishUser(name: string): Promise<{ id: string; correlationId: string }> {
    const id = randomUUID();
    const organizationId = randomUUID();
    const envelope = await dataSource.transaction((manager) =>
      outbox.publish(manager, UserCreated, {
        organizationId,
        aggregateId: id,
        aggregateVersion: 1,
        data: {
          id,
          organizationId,
          email: `${id}@example.com`,
          name,
          role: 'sales',
          isActive: true,
          avatarUrl: null,
        },
      }),
    );
    return { id, correlationId: envelope.correlationId };
  }

  async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('delivers a committed event to its handler, which writes in the inbox transaction', async () => {
    const { id, correlationId } = await publishUser('Grace');
    const row = await eventually(async () => {
      const [found] = await dataSource.query(
        'SELECT name, correlation_id FROM greetings WHERE user_id = $1',
        [id],
      );
      return found as { name: string; correlation_id: string } | undefined;
    });
    expect(row).toEqual({ name: 'Grace', correlation_id: correlationId });
    const [inbox] = await dataSource.query(
      "SELECT count(*)::int AS n FROM inbox_events WHERE type = 'identity.user.created'",
    );
    expect(inbox.n).toBeGreaterThanOrEqual(1);
  });

  it("dead-letters a handler's failure after its retries, recording the handler's own error", async () => {
    const { id } = await publishUser('Boom Boom');
    const connection = await connect(run.infra.rabbitmqUrl);
    try {
      const channel = await connection.createChannel();
      const deadLetters = `${run.prefix}greeter.events.dead`;
      const message = await eventually(
        async () => (await channel.get(deadLetters, { noAck: true })) || undefined,
      );
      expect(JSON.parse(message.content.toString()).data.id).toBe(id);
      expect(message.properties.type).toBe('identity.user.created');
      expect(message.properties.headers?.['x-flow-attempt']).toBe(RETRY_DELAYS.length + 1);
      expect(String(message.properties.headers?.['x-flow-error'])).toContain('cannot greet Boom Boom');
      await channel.close();
    } finally {
      await connection.close();
    }
    const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM greetings WHERE user_id = $1', [
      id,
    ]);
    expect(n).toBe(0);
  });
});
