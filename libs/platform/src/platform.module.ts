import { type KeyResolver } from '@flow-crm/auth';
import { BusModule, CreateOutboxAndInbox1732000000000 } from '@flow-crm/bus';
import { dataSourceOptions, ensureDatabase, initializeAndMigrate } from '@flow-crm/db';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { type PlatformConfig } from './config';
import { HealthController } from './health.controller';
import { HttpPlatformModule } from './http-platform.module';

export interface ServicePlatformOptions {
  readonly service: string;
  readonly config: PlatformConfig;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: Function[];
  /** Identity verifies tokens with its own key store instead of fetching its JWKS. */
  readonly keyResolver?: Provider<KeyResolver>;
}

/**
 * Everything a service stands on, in one import: the HTTP platform (logs, metrics, auth, errors,
 * validation, envelope), its database (created and migrated on start), the event bus, and
 * readiness that checks both.
 */
@Module({})
export class PlatformModule {
  static forService(options: ServicePlatformOptions): DynamicModule {
    const { service, config } = options;
    const database = {
      url: config.DATABASE_URL,
      database: config.DATABASE_NAME,
      entities: options.entities,
      migrations: [CreateOutboxAndInbox1732000000000, ...options.migrations],
      poolSize: config.DB_POOL_SIZE,
    };
    return {
      module: PlatformModule,
      imports: [
        HttpPlatformModule.forApp({ service, config, keyResolver: options.keyResolver }),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(database),
          dataSourceFactory: async (dataSourceOpts?: DataSourceOptions) => {
            await ensureDatabase(database.url, database.database);
            return initializeAndMigrate(new DataSource(dataSourceOpts!));
          },
        }),
        BusModule.forRoot({
          service,
          url: config.RABBITMQ_URL,
          prefix: config.BUS_PREFIX,
          prefetch: config.BUS_PREFETCH,
          retryDelaysMs: config.BUS_RETRY_DELAYS_MS,
          deliveryLimit: config.BUS_DELIVERY_LIMIT,
          relayPollMs: config.OUTBOX_POLL_MS,
          relayBatchSize: 200,
          retentionHours: 24 * 7,
        }),
        TerminusModule,
      ],
      controllers: [HealthController],
    };
  }
}
