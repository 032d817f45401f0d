import { Metrics } from '@flow-crm/observability';
import { HttpPlatformModule } from '@flow-crm/platform';
import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CompositionController } from './composition/composition.controller';
import { FanOut } from './composition/fan-out';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { ApiDocs } from './docs/api-docs';
import { DocsController } from './docs/docs.controller';
import { GatewayMetrics } from './gateway-metrics';
import { HealthController } from './health/health.controller';
import { ServiceHealth } from './health/service-health';
import { RateLimits } from './limits/rate-limits';
import { UpstreamPool } from './proxy/upstream-pool';
import { RoutingTable } from './routing/routing-table';

@Injectable()
class GatewayLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly limits: RateLimits,
    private readonly upstreams: UpstreamPool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.upstreams.shutdown();
    await this.limits.close();
  }
}

/** The gateway: the HTTP platform without database or bus, its routing table, and its own routes. */
@Module({})
export class GatewayModule {
  static with(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const routing = RoutingTable.load(config.ROUTES_FILE, env);
    return {
      module: GatewayModule,
      imports: [HttpPlatformModule.forApp({ service: 'gateway', config })],
      controllers: [HealthController, DocsController, CompositionController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: RoutingTable, useValue: routing },
        {
          provide: GatewayMetrics,
          inject: [Metrics],
          useFactory: (metrics: Metrics) => new GatewayMetrics(metrics),
        },
        {
          provide: UpstreamPool,
          inject: [GatewayMetrics],
          useFactory: (metrics: GatewayMetrics) => new UpstreamPool(routing, config, metrics),
        },
        {
          provide: RateLimits,
          inject: [GatewayMetrics],
          useFactory: (metrics: GatewayMetrics) => new RateLimits(config, metrics),
        },
        {
          provide: ServiceHealth,
          inject: [UpstreamPool],
          useFactory: (pool: UpstreamPool) => new ServiceHealth(routing, pool),
        },
        {
          provide: ApiDocs,
          inject: [UpstreamPool],
          useFactory: (pool: UpstreamPool) => new ApiDocs(routing, pool, config.DOCS_CACHE_SECONDS),
        },
        {
          provide: FanOut,
          inject: [UpstreamPool],
          useFactory: (pool: UpstreamPool) => new FanOut(routing, pool),
        },
        GatewayLifecycle,
      ],
    };
  }
}
