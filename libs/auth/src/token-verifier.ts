import { UnauthorizedError } from '@flow-crm/http';
import * as jwt from 'jsonwebtoken';
import { type KeyObject } from 'node:crypto';
import { type KeyResolver } from './key-resolver';
import { type Principal, principalFromClaims } from './principal';

const INVALID = 'A valid access token is required';

export interface JwtVerificationOptions {
  readonly issuer: string;
  readonly audience: string;
}

/** Verified tokens remembered, so that a client's next requests skip the RSA verification. */
const CACHE_SIZE = 10_000;

/**
 * Verifies an `Authorization: Bearer` header, for the gateway before it forwards and for every
 * service's JwtAuthGuard: RS256 only (so `alg: none` and HS256 signed with the public key are
 * refused), the key of the token's `kid`, issuer, audience, expiry. A token verified once is remembered until it expires
 * (least recently used ones are forgotten first); only a valid signature gets it remembered.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly keys: KeyResolver,
    private readonly options: JwtVerificationOptions,
  ) {}

  async verify(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError(INVALID);
    const token = match[1]!;
    const known = this.verified.get(token);
    if (known) {
      this.verified.delete(token);
      if (known.expiresAt > Date.now()) {
        this.verified.set(token, known); // most recently used last
        return known.principal;
      }
    }
    const { principal, expiresAt } = await this.verifySignature(token);
    this.verified.set(token, { principal, expiresAt });
    if (this.verified.size > CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    return principal;
  }

  private async verifySignature(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || decoded.header.alg !== 'RS256') throw new UnauthorizedError(INVALID);
    let key: KeyObject;
    try {
      key = await this.keys.verificationKeyFor(decoded.header.kid);
    } catch {
      throw new UnauthorizedError(INVALID);
    }
    try {
      const claims = jwt.verify(token, key, {
        algorithms: ['RS256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
      }) as jwt.JwtPayload;
      const principal = principalFromClaims(claims);
      if (!principal || typeof claims.exp !== 'number') throw new UnauthorizedError(INVALID);
      return { principal, expiresAt: claims.exp * 1000 };
    } catch {
      throw new UnauthorizedError(INVALID);
    }
  }
}
