import { type Session } from './session.entity';

export type RefreshDecision =
  | { readonly outcome: 'rotate' }
  | { readonly outcome: 'reuse' }
  | { readonly outcome: 'reject'; readonly reason: 'revoked' | 'expired' };

/**
 * What presenting this refresh token means. A token that was already rotated is being replayed:
 * either its holder lost a race with a thief or it is the thief, so the whole family dies.
 */
export function decideRefresh(
  session: Pick<Session, 'rotatedAt' | 'revokedAt' | 'expiresAt'>,
  now: Date,
): RefreshDecision {
  if (session.revokedAt) return { outcome: 'reject', reason: 'revoked' };
  if (session.rotatedAt) return { outcome: 'reuse' };
  if (session.expiresAt.getTime() <= now.getTime()) return { outcome: 'reject', reason: 'expired' };
  return { outcome: 'rotate' };
}
