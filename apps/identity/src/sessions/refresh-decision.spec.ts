import { decideRefresh } from './refresh-decision';

describe('decideRefresh', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  const later = new Date('2025-06-08T12:00:00.000Z');
  const earlier = new Date('2025-05-31T12:00:00.000Z');
  const live = { rotatedAt: null, revokedAt: null, expiresAt: later };

  it('rotates a live token that was never used', () => {
    expect(decideRefresh(live, now)).toEqual({ outcome: 'rotate' });
  });

  it('treats a token that was already rotated as reuse (the family is to be revoked)', () => {
    expect(decideRefresh({ ...live, rotatedAt: earlier }, now)).toEqual({ outcome: 'reuse' });
  });

  it('treats a rotated token as reuse even after it expired', () => {
    expect(decideRefresh({ ...live, rotatedAt: earlier, expiresAt: earlier }, now)).toEqual({
      outcome: 'reuse',
    });
  });

  it('rejects a revoked token as revoked, without treating it as reuse', () => {
    expect(decideRefresh({ ...live, revokedAt: earlier }, now)).toEqual({
      outcome: 'reject',
      reason: 'revoked',
    });
    expect(decideRefresh({ ...live, revokedAt: earlier, rotatedAt: earlier }, now)).toEqual({
      outcome: 'reject',
      reason: 'revoked',
    });
  });

  it('rejects an expired token', () => {
    expect(decideRefresh({ ...live, expiresAt: earlier }, now)).toEqual({
      outcome: 'reject',
      reason: 'expired',
    });
  });

  it('rejects a token at the very instant it expires', () => {
    expect(decideRefresh({ ...live, expiresAt: now }, now)).toEqual({ outcome: 'reject', reason: 'expired' });
    expect(decideRefresh({ ...live, expiresAt: new Date(now.getTime() + 1) }, now)).toEqual({
      outcome: 'rotate',
    });
  });
});
