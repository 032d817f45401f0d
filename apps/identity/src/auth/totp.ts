import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Codes of the previous and next time step are accepted too, for clock drift between devices. */
export const TOTP_WINDOW = 1;

export interface TotpEnrollment {
  readonly secret: string;
  readonly otpauthUrl: string;
}

/** A new secret for an authenticator app (RFC 6238: SHA-1, 6 digits, 30 s). */
export function enrollTotp(issuer: string, account: string): TotpEnrollment {
  const totp = new TOTP({
    issuer,
    label: account,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: new Secret({ size: 20 }),
  });
  return { secret: totp.secret.base32, otpauthUrl: totp.toString() };
}

/**
 * The time step a code belongs to, if it is valid within the window and newer than the last step
 * already accepted (a code is never accepted twice, RFC 6238 §5.2); null otherwise.
 */
export function acceptedTotpStep(
  secretBase32: string,
  code: string,
  lastAcceptedStep: number | null,
  now: number = Date.now(),
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new TOTP({
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
  const delta = totp.validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
  return lastAcceptedStep !== null && step <= lastAcceptedStep ? null : step;
}
