import { createServiceApp } from '@flow-crm/platform';
import { type TestRun, waitForHttp } from '@flow-crm/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module';
import { type IdentityConfig, loadIdentityConfig } from '../src/config';

export interface RunningIdentity {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly config: IdentityConfig;
  close(): Promise<void>;
}

/**
 * The identity app in this process, on this run's own database and bus prefix, listening on a
 * free port so tests talk to it over real HTTP. argon2 costs are lowered to keep the suite fast.
 */
export async function startIdentity(
  run: TestRun,
  env: Record<string, string> = {},
): Promise<RunningIdentity> {
  const config = loadIdentityConfig({
    DATABASE_URL: run.infra.postgresUrl,
    DATABASE_NAME: run.database('identity'),
    RABBITMQ_URL: run.infra.rabbitmqUrl,
    BUS_PREFIX: run.prefix,
    // identity consumes events (replica requests): short back-off steps, as the other services' fixtures.
    BUS_RETRY_DELAYS_MS: '200,400',
    OUTBOX_POLL_MS: '100',
    LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '2',
    ...env,
  });
  // Its queue, retry queues and dead letters, deleted with the run.
  run.trackService('identity', config.BUS_RETRY_DELAYS_MS);
  const app = await createServiceApp(AppModule.with(config), {
    service: 'identity',
    title: 'identity (test)',
    config,
  });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, 10_000);
  return { app, url, config, close: () => app.close() };
}
