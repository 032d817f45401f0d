import { TokenVerifier } from '@flow-crm/auth';
import { createApp } from '@flow-crm/platform';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { dirname } from 'node:path';
import { type GatewayConfig } from './config';
import { GatewayMetrics } from './gateway-metrics';
import { GatewayModule } from './gateway.module';
import { admitRequests } from './limits/admission';
import { RateLimits } from './limits/rate-limits';
import { proxyPlugin } from './proxy/proxy.plugin';
import { UpstreamPool } from './proxy/upstream-pool';
import { RoutingTable } from './routing/routing-table';

/** The gateway app, configured and ready to listen: Nest routes (health, docs) plus the proxy. */
export async function createGateway(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NestFastifyApplication> {
  const app = await createApp(GatewayModule.with(config, env), {
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
  });
  app.enableCors({
    origin: config.CORS_ORIGINS,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    credentials: true,
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  // The API is called cross-origin by the web client: its resources may be read by other origins (CORS decides).
  await app.register(helmet, { global: true, crossOriginResourcePolicy: { policy: 'cross-origin' } });
  await app.register(fastifyStatic, {
    root: dirname(require.resolve('swagger-ui-dist/package.json')),
    prefix: '/api/docs/assets/',
    decorateReply: false,
  });
  const routing = app.get<RoutingTable>(RoutingTable);
  const verifier = app.get<TokenVerifier>(TokenVerifier);
  admitRequests(app.getHttpAdapter().getInstance(), {
    routing,
    verifier,
    limits: app.get<RateLimits>(RateLimits),
  });
  await app.register(proxyPlugin, {
    config,
    routing,
    upstreams: app.get<UpstreamPool>(UpstreamPool),
    verifier,
    limits: app.get<RateLimits>(RateLimits),
    metrics: app.get<GatewayMetrics>(GatewayMetrics),
  });
  return app;
}
