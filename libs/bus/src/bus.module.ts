import { eventRegistry } from '@flow-crm/contracts';
import { Metrics } from '@flow-crm/observability';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { type BusOptions } from './bus.options';
import { BrokerConnection } from './connection';
import { EventConsumer } from './consumer/event-consumer';
import { Outbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';

export const BUS_OPTIONS = Symbol('BUS_OPTIONS');

/** Starts the broker connection and the relay with the app, and stops them after in-flight work. */
@Injectable()
class BusLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    private readonly connection: BrokerConnection,
    private readonly relay: OutboxRelay,
    private readonly consumer: EventConsumer,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connection.start();
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.close();
    await this.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.stop();
  }
}

/**
 * The integration-event bus of one service: `Outbox` to publish inside a transaction, the relay
 * that ships committed events, and the `EventConsumer` transport strategy that feeds the
 * service's `@EventPattern` handlers (connected by the platform's bootstrap).
 */
@Module({})
export class BusModule {
  static forRoot(options: BusOptions): DynamicModule {
    return {
      module: BusModule,
      global: true,
      providers: [
        { provide: BUS_OPTIONS, useValue: options },
        {
          provide: BrokerConnection,
          useFactory: () =>
            new BrokerConnection(
              options.url,
              `${options.prefix}${options.service}@${hostname()}:${process.pid}`,
            ),
        },
        { provide: Outbox, useFactory: () => new Outbox(options.service, eventRegistry) },
        {
          provide: OutboxRelay,
          inject: [DataSource, BrokerConnection, Metrics],
          useFactory: (dataSource: DataSource, connection: BrokerConnection, metrics: Metrics) =>
            new OutboxRelay(dataSource, connection, options, metrics),
        },
        {
          provide: EventConsumer,
          inject: [DataSource, BrokerConnection, Metrics],
          useFactory: (dataSource: DataSource, connection: BrokerConnection, metrics: Metrics) =>
            new EventConsumer(dataSource, connection, options, metrics, eventRegistry),
        },
        BusLifecycle,
      ],
      exports: [BUS_OPTIONS, BrokerConnection, Outbox, OutboxRelay, EventConsumer],
    };
  }
}
