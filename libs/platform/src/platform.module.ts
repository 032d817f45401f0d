import { AuthModule } from '@flow-crm/auth';
import { BusModule, CreateOutboxAndInbox1732000000000 } from '@flow-crm/bus';
import { dataSourceOptions, ensureDatabase, initializeAndMigrate } from '@flow-crm/db';
import { EnvelopeInterceptor, ErrorFilter, createValidationPipe } from '@flow-crm/http';
import { loggingModule, Metrics } from '@flow-crm/observability';
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { type KeyResolver } from '@flow-crm/auth';
import { type PlatformConfig } from './config';
import { Draining } from './draining';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { RequestContextInterceptor } from './request-context.interceptor';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

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
 * Everything a service stands on, in one import: configuration, JSON logs, its database
 * (created and migrated on start), the event bus, token verification, the error shape,
 * validation, the response envelope, health and metrics.
 */
@Global()
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
        loggingModule({ service, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }),
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
        AuthModule.forRoot({
          jwksUrl: config.JWKS_URL,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          keyResolver: options.keyResolver,
        }),
        TerminusModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        Draining,
        { provide: Metrics, useFactory: () => new Metrics(service) },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
      ],
      exports: [SERVICE_NAME, Metrics, Draining],
    };
  }
}
