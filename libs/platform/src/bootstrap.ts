import { EventConsumer } from '@flow-crm/bus';
import { mapError } from '@flow-crm/http';
import { Metrics } from '@flow-crm/observability';
import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type PlatformConfig } from './config';
import { Draining } from './draining';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** A caller's X-Request-Id is kept when it looks like an id; anything else is replaced. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface StartOptions {
  readonly service: string;
  readonly config: PlatformConfig;
  readonly title: string;
}

/** The request id: the caller's X-Request-Id when it looks like one, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * A Nest app on Fastify with what every app of ours has outside modules: request ids echoed in
 * `X-Request-Id`, JSON logs, HTTP metrics, graceful draining on shutdown.
 */
export async function createApp(
  module: Type | DynamicModule,
  fastifyOptions: { bodyLimit?: number; trustProxy?: boolean | number | string } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: true,
    genReqId: requestIdOf,
    // Requests Fastify refuses before routing (a path with broken percent-encoding) get the contract's shape too.
    frameworkErrors: (error: Error, _request: unknown, reply: FastifyReply) => {
      const { status, body } = mapError(error);
      void reply.status(status).send(body);
    },
    ...fastifyOptions,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  configureFastify(app);
  return app;
}

/** A service: the app, its OpenAPI document, and its event consumer connected to its handlers. */
export async function createServiceApp(
  module: Type | DynamicModule,
  options: StartOptions,
): Promise<NestFastifyApplication> {
  const app = await createApp(module);
  configureOpenApi(app, options);
  // inheritAppConfig: the error filter lets a handler's own error reach the consumer's retries and dead letters.
  app.connectMicroservice({ strategy: app.get(EventConsumer) }, { inheritAppConfig: true });
  return app;
}

/** Creates, starts (HTTP and event consumer) and returns the app. */
export async function startService(
  module: Type | DynamicModule,
  options: StartOptions,
): Promise<INestApplication> {
  const app = await createServiceApp(module, options);
  await app.startAllMicroservices();
  await app.listen(options.config.PORT, options.config.HOST);
  return app;
}

function configureFastify(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(Metrics);
  const draining = app.get(Draining);
  // onSend, not onRequest: answers given by an onRequest hook (CORS preflights) carry it too.
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (draining.isDraining) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

function configureOpenApi(app: NestFastifyApplication, options: Pick<StartOptions, 'title'>): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.title).setVersion('1.0').addBearerAuth().build(),
  );
  // The gateway merges every service's document and serves the one Swagger UI (/api/docs).
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    swaggerUiEnabled: false,
  });
}
