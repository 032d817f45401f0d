import { Injectable } from '@nestjs/common';
import { type KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, type SecretOrKeyProvider, Strategy } from 'passport-jwt';
import { KeyResolver } from './key-resolver';
import { type AccessTokenClaims, type Principal, principalFromClaims } from './principal';

export interface JwtVerificationOptions {
  readonly issuer: string;
  readonly audience: string;
}

export const JWT_VERIFICATION = Symbol('JWT_VERIFICATION');

/**
 * Verifies bearer tokens: RS256 only (so `alg: none` and HS256 signed with the public key are
 * refused), signature against the key of the token's `kid`, issuer, audience and expiry.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(keys: KeyResolver, options: JwtVerificationOptions) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['RS256'],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      secretOrKeyProvider: keyProvider(keys),
    });
  }

  validate(claims: Partial<AccessTokenClaims> & { sid?: unknown }): Principal | false {
    return principalFromClaims(claims) ?? false;
  }
}

/**
 * The parsed key of the token's `kid`. passport-jwt hands it to jsonwebtoken as it is, which takes a
 * KeyObject; passport-jwt's types only name strings and buffers.
 */
function keyProvider(keys: KeyResolver): SecretOrKeyProvider {
  const provider = (_request: unknown, rawJwt: string, done: (error: unknown, key?: KeyObject) => void) => {
    keys.verificationKeyFor(kidOf(rawJwt)).then(
      (key) => done(null, key),
      (error: unknown) => done(error),
    );
  };
  return provider as SecretOrKeyProvider;
}

function kidOf(rawJwt: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(rawJwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
