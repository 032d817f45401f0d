import { createHash } from 'node:crypto';
import { hashToken, newOpaqueToken } from './secrets';

describe('hashToken', () => {
  it('is deterministic, so a presented token finds its stored hash', () => {
    expect(hashToken('some-token')).toBe(hashToken('some-token'));
  });

  it('is the base64url SHA-256 of the token, never the token itself', () => {
    const token = newOpaqueToken();
    const hash = hashToken(token);
    expect(hash).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(hash).not.toBe(token);
    expect(hash).not.toContain(token);
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives different tokens different hashes, down to one character', () => {
    expect(hashToken('token-a')).not.toBe(hashToken('token-b'));
    expect(hashToken('token')).not.toBe(hashToken('Token'));
  });
});

describe('newOpaqueToken', () => {
  it('is 256 random bits, URL-safe', () => {
    const token = newOpaqueToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 2_000 }, newOpaqueToken));
    expect(tokens.size).toBe(2_000);
  });

  it('looks random: about half of its bits are set, and every byte value turns up', () => {
    const bytes = Buffer.concat(
      Array.from({ length: 500 }, () => Buffer.from(newOpaqueToken(), 'base64url')),
    );
    let ones = 0;
    for (const byte of bytes) for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1;
    const ratio = ones / (bytes.length * 8);
    expect(ratio).toBeGreaterThan(0.48);
    expect(ratio).toBeLessThan(0.52);
    expect(new Set(bytes).size).toBe(256);
  });
});
