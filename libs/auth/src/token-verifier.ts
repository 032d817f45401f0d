import { UnauthorizedError } from '@flow-crm/http';
import * as jwt from 'jsonwebtoken';
import { type JwtVerificationOptions } from './jwt.strategy';
import { type KeyResolver } from './key-resolver';
import { type Principal, principalFromClaims } from './principal';

const INVALID = 'A valid access token is required';

/**
 * Verifies an `Authorization: Bearer` header outside Nest's guards (the gateway checks tokens
 * before forwarding): the same rules as the passport strategy — RS256 only, the key of the
 * token's `kid`, issuer, audience, expiry.
 */
export class TokenVerifier {
  constructor(
    private readonly keys: KeyResolver,
    private readonly options: JwtVerificationOptions,
  ) {}

  async verify(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError(INVALID);
    const token = match[1]!;
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || decoded.header.alg !== 'RS256') throw new UnauthorizedError(INVALID);
    let key: string;
    try {
      key = await this.keys.publicKeyFor(decoded.header.kid);
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
      if (!principal) throw new UnauthorizedError(INVALID);
      return principal;
    } catch {
      throw new UnauthorizedError(INVALID);
    }
  }
}
