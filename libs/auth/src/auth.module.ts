import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtAuthGuard, RolesGuard } from './guards';
import { JwksKeyResolver, KeyResolver } from './key-resolver';
import { type JwtVerificationOptions, TokenVerifier } from './token-verifier';

export interface AuthOptions extends JwtVerificationOptions {
  /** Identity's JWKS; ignored when `keyResolver` is given (identity verifies with its own keys). */
  readonly jwksUrl: string;
  readonly keyResolver?: Provider<KeyResolver>;
}

/** Token verification and role checks on every route, in any service. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        options.keyResolver ?? {
          provide: KeyResolver,
          useFactory: () => new JwksKeyResolver(options.jwksUrl),
        },
        {
          provide: TokenVerifier,
          inject: [KeyResolver],
          useFactory: (keys: KeyResolver) => new TokenVerifier(keys, options),
        },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [KeyResolver, TokenVerifier],
    };
  }
}
