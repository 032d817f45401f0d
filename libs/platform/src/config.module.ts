import { type DynamicModule, Module } from '@nestjs/common';

/** An app's validated configuration, injectable everywhere under the app's own token. */
@Module({})
export class ConfigModule {
  static provide(token: symbol, config: object): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: token, useValue: config }],
      exports: [token],
    };
  }
}
