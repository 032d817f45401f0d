import { AuthModule, type KeyResolver } from '@flow-crm/auth';
import { EnvelopeInterceptor, ErrorFilter, createValidationPipe } from '@flow-crm/http';
import { loggingModule, Metrics } from '@flow-crm/observability';
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { type AppConfig } from './config';
import { Draining } from './draining';
import { MetricsController } from './metrics.controller';
import { RequestContextInterceptor } from './request-context.interceptor';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

export interface HttpPlatformOptions {
  readonly service: string;
  readonly config: AppConfig;
  /** Identity verifies tokens with its own key store instead of fetching its JWKS. */
  readonly keyResolver?: Provider<KeyResolver>;
}

/**
 * The HTTP half of the platform, which the gateway uses on its own: JSON logs, metrics, token
 * verification on every route, the error shape, validation and the response envelope.
 */
@Global()
@Module({})
export class HttpPlatformModule {
  static forApp(options: HttpPlatformOptions): DynamicModule {
    const { service, config } = options;
    return {
      module: HttpPlatformModule,
      imports: [
        loggingModule({ service, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }),
        AuthModule.forRoot({
          jwksUrl: config.JWKS_URL,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          keyResolver: options.keyResolver,
        }),
      ],
      controllers: [MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: Metrics, useFactory: () => new Metrics(service) },
        Draining,
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
      ],
      exports: [SERVICE_NAME, Metrics, Draining],
    };
  }
}
