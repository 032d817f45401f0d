import { Secret, TOTP } from 'otpauth';
import { acceptedTotpStep, enrollTotp, TOTP_PERIOD_SECONDS } from './totp';

const PERIOD_MS = TOTP_PERIOD_SECONDS * 1000;

describe('acceptedTotpStep', () => {
  const secret = new Secret({ size: 20 }).base32;
  /** The middle of a time step, so that nothing depends on rounding at a step's edge. */
  const step = 58_000_000;
  const now = step * PERIOD_MS + PERIOD_MS / 2;
  const codeOf = (s: number, key = secret) =>
    TOTP.generate({
      secret: Secret.fromBase32(key),
      algorithm: 'SHA1',
      digits: 6,
      period: TOTP_PERIOD_SECONDS,
      timestamp: s * PERIOD_MS + 1,
    });

  it('accepts the code of the current step and returns that step', () => {
    expect(acceptedTotpStep(secret, codeOf(step), null, now)).toBe(step);
  });

  it('accepts the codes of the previous and the next step (clock drift)', () => {
    expect(acceptedTotpStep(secret, codeOf(step - 1), null, now)).toBe(step - 1);
    expect(acceptedTotpStep(secret, codeOf(step + 1), null, now)).toBe(step + 1);
  });

  it('refuses codes two steps away or more', () => {
    for (const offset of [-3, -2, 2, 3]) {
      const code = codeOf(step + offset);
      // A code of a far step may collide with one of the window by chance (1 in 10^6): skip that case.
      if ([-1, 0, 1].some((near) => codeOf(step + near) === code)) continue;
      expect(acceptedTotpStep(secret, code, null, now)).toBeNull();
    }
  });

  it('refuses a code of a step already accepted (replay)', () => {
    expect(acceptedTotpStep(secret, codeOf(step), step, now)).toBeNull();
  });

  it('refuses a code of a step older than the last accepted one', () => {
    expect(acceptedTotpStep(secret, codeOf(step - 1), step, now)).toBeNull();
    expect(acceptedTotpStep(secret, codeOf(step), step + 1, now)).toBeNull();
  });

  it('accepts a code of a step newer than the last accepted one', () => {
    expect(acceptedTotpStep(secret, codeOf(step), step - 1, now)).toBe(step);
    expect(acceptedTotpStep(secret, codeOf(step + 1), step, now)).toBe(step + 1);
  });

  it('refuses a code computed with another secret', () => {
    const other = new Secret({ size: 20 }).base32;
    const code = codeOf(step, other);
    if ([-1, 0, 1].some((near) => codeOf(step + near) === code)) return;
    expect(acceptedTotpStep(secret, code, null, now)).toBeNull();
  });

  it('refuses anything but exactly six digits', () => {
    const valid = codeOf(step);
    for (const code of [
      '',
      valid.slice(0, 5),
      `${valid}0`,
      ` ${valid}`,
      `${valid}\n`,
      'abcdef',
      '12 456',
      '１２３４５６',
      '-12345',
      '1e5000',
    ]) {
      expect(acceptedTotpStep(secret, code, null, now)).toBeNull();
    }
  });
});

describe('enrollTotp', () => {
  it('returns a base32 secret of 160 bits and an otpauth URL for SHA-1, 6 digits, 30 s', () => {
    const { secret, otpauthUrl } = enrollTotp('Flow CRM', 'ada@example.com');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Flow CRM:ada@example.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      issuer: 'Flow CRM',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('gives every enrollment its own secret', () => {
    const secrets = new Set(
      Array.from({ length: 50 }, () => enrollTotp('Flow CRM', 'ada@example.com').secret),
    );
    expect(secrets.size).toBe(50);
  });

  it('enrolls a secret whose codes acceptedTotpStep accepts', () => {
    const { secret } = enrollTotp('Flow CRM', 'ada@example.com');
    const now = Date.now();
    const code = TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now });
    expect(acceptedTotpStep(secret, code, null, now)).toBe(Math.floor(now / PERIOD_MS));
  });
});
