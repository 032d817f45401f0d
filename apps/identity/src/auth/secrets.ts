import { createHash, randomBytes } from 'node:crypto';

/** A random opaque token for a client to hold (refresh token, reset token, login challenge). */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * How opaque tokens are stored. They carry 256 random bits, so a fast hash is enough: there is
 * nothing to brute-force, and a database leak does not yield usable tokens.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
