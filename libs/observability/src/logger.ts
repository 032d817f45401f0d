import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type IncomingMessage } from 'node:http';

export interface LoggingOptions {
  readonly service: string;
  readonly level: string;
  readonly pretty: boolean;
}

/** Fields that must never reach a log line, wherever they appear in a request. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body.password',
  'req.body.currentPassword',
  'req.body.newPassword',
  'req.body.refreshToken',
  'req.body.token',
  'req.body.code',
];

/** JSON logs (pino) carrying the request id; pretty-printed only when asked for. */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: options.level,
      base: { service: options.service },
      redact: { paths: REDACTED, censor: '[redacted]' },
      // Fastify has already assigned the id (the caller's X-Request-Id or a new one).
      genReqId: (req: IncomingMessage) => req.id ?? 'unknown',
      customProps: (req: IncomingMessage) => ({ correlationId: req.id }),
      // Probes and scrapes every few seconds would drown the log.
      autoLogging: {
        ignore: (req) =>
          /^\/(health|metrics)\b/.test((req as { originalUrl?: string }).originalUrl ?? req.url ?? ''),
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
      ...(options.pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
  });
}
