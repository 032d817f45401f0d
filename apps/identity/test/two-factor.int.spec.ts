import { randomBytes } from 'node:crypto';
import {
  expectError,
  expectOk,
  expectUserShape,
  fieldsOf,
  IdentityDb,
  IdentityHttp,
  type Registered,
  stableStepBase,
  totpCode,
  wrongTotpCode,
  useIdentity,
} from './http';

describe('identity: two-factor authentication (TOTP)', () => {
  const fixture = useIdentity();
  let http: IdentityHttp;
  let db: IdentityDb;
  beforeAll(() => ({ http, db } = fixture));

  const setup = async (token: string): Promise<{ secret: string; otpauthUrl: string }> =>
    expectOk(await http.api('POST', '/api/auth/2fa/setup', { token }));
  const enable = (token: string, code: string | number) =>
    http.api('POST', '/api/auth/2fa/enable', { token, body: { code } });
  const disable = (token: string, code: string) =>
    http.api('POST', '/api/auth/2fa/disable', { token, body: { code } });
  const verify = (challengeToken: string, code: string | number) =>
    http.api('POST', '/api/auth/2fa/verify', { body: { challengeToken, code } });
  const challenge = async (user: Registered): Promise<string> => {
    const data = expectOk(await http.loginAttempt(user.email, user.password));
    expect(data).toEqual({ twoFactorRequired: true, challengeToken: expect.any(String) });
    return data.challengeToken;
  };

  /**
   * A fresh admin with 2FA enabled by the code of step `enabledAt` relative to the returned
   * `base` (the previous step by default, so that the current and next steps are still unused).
   */
  async function withTwoFactor(enabledAt = -1): Promise<{ admin: Registered; secret: string; base: number }> {
    const admin = await http.register();
    const { secret } = await setup(admin.token);
    const base = await stableStepBase();
    expect(expectOk(await enable(admin.token, totpCode(secret, base, enabledAt))).twoFactorEnabled).toBe(
      true,
    );
    return { admin, secret, base };
  }

  it('sets up a SHA-1, 6-digit, 30 s secret for the caller; 2FA stays off until enabled', async () => {
    const admin = await http.register();
    const { secret, otpauthUrl } = await setup(admin.token);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe(`/Flow CRM:${admin.email}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      issuer: 'Flow CRM',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect((await http.me(admin.token)).twoFactorEnabled).toBe(false);
    expect((await http.login(admin.email, admin.password)).token).toEqual(expect.any(String));
  });

  it('enables 2FA with a valid code; login then answers a challenge instead of tokens; verify answers tokens', async () => {
    const { admin, secret, base } = await withTwoFactor();
    expect((await http.me(admin.token)).twoFactorEnabled).toBe(true);

    const challengeToken = await challenge(admin);
    const data = expectOk(await verify(challengeToken, totpCode(secret, base, 0)));
    expect(Object.keys(data).sort()).toEqual(['expiresIn', 'refreshToken', 'token', 'user']);
    expectUserShape(data.user, [secret]);
    expect(data.user).toMatchObject({ id: admin.user.id, twoFactorEnabled: true });
    expect((await http.me(data.token)).id).toBe(admin.user.id);
    expectOk(await http.refresh(data.refreshToken));
  });

  it('never shows the TOTP secret in the user answers of /me and /users', async () => {
    const { admin, secret } = await withTwoFactor();
    const me = await http.api('GET', '/api/auth/me', { token: admin.token });
    expect(me.text).not.toContain(secret);
    const list = await http.api('GET', '/api/users', { token: admin.token });
    expect(list.text).not.toContain(secret);
  });

  it('answers 401 to a wrong code at verify; the challenge survives four wrong codes', async () => {
    const { admin, secret, base } = await withTwoFactor();
    const challengeToken = await challenge(admin);
    for (let attempt = 0; attempt < 4; attempt++) {
      expectError(await verify(challengeToken, wrongTotpCode(secret, base)), 401);
    }
    expectOk(await verify(challengeToken, totpCode(secret, base, 0)));
  });

  it('kills the challenge after five wrong codes: the right code is refused, a new login works', async () => {
    const { admin, secret, base } = await withTwoFactor();
    const challengeToken = await challenge(admin);
    for (let attempt = 0; attempt < 5; attempt++) {
      expectError(await verify(challengeToken, wrongTotpCode(secret, base)), 401);
    }
    expectError(await verify(challengeToken, totpCode(secret, base, 0)), 401);
    expectOk(await verify(await challenge(admin), totpCode(secret, base, 0)));
  });

  it('locks the second step for a user after ten wrong codes across challenges, whatever new challenge comes', async () => {
    const { admin, secret, base } = await withTwoFactor();
    for (const wrongCodes of [5, 5]) {
      const challengeToken = await challenge(admin);
      for (let attempt = 0; attempt < wrongCodes; attempt++) {
        expectError(await verify(challengeToken, wrongTotpCode(secret, base)), 401);
      }
    }
    expectError(await verify(await challenge(admin), totpCode(secret, base, 0)), 401);
  });

  it('answers 401 with the same message for a wrong code and for an unknown challenge', async () => {
    const { admin, secret, base } = await withTwoFactor();
    const wrongCode = expectError(await verify(await challenge(admin), wrongTotpCode(secret, base)), 401);
    const unknownChallenge = expectError(
      await verify(randomBytes(32).toString('base64url'), totpCode(secret, base, 0)),
      401,
    );
    expect(unknownChallenge).toEqual(wrongCode);
  });

  it('refuses a replayed code: the step used to enable is refused at verify, the next step is accepted once', async () => {
    const { admin, secret, base } = await withTwoFactor(0);
    const first = await challenge(admin);
    expectError(await verify(first, totpCode(secret, base, 0)), 401);
    expectOk(await verify(first, totpCode(secret, base, 1)));
    expectError(await verify(await challenge(admin), totpCode(secret, base, 1)), 401);
  });

  it('refuses a code of an older step than the last one accepted', async () => {
    const { admin, secret, base } = await withTwoFactor(1);
    expectError(await verify(await challenge(admin), totpCode(secret, base, 0)), 401);
    expectError(await verify(await challenge(admin), totpCode(secret, base, -1)), 401);
  });

  it('refuses codes two steps away from now', async () => {
    const { admin, secret, base } = await withTwoFactor(-1);
    const challengeToken = await challenge(admin);
    for (const offset of [-2, 2]) {
      const code = totpCode(secret, base, offset);
      if ([-1, 0, 1].some((near) => totpCode(secret, base, near) === code)) continue; // a 1-in-10^6 collision
      expectError(await verify(challengeToken, code), 401);
    }
  });

  it('spends a challenge on success: it cannot log in a second time', async () => {
    const { admin, secret, base } = await withTwoFactor(-1);
    const challengeToken = await challenge(admin);
    expectOk(await verify(challengeToken, totpCode(secret, base, 0)));
    expectError(await verify(challengeToken, totpCode(secret, base, 1)), 401);
  });

  it('does not accept a challenge token as an access token or as a refresh token', async () => {
    const { admin } = await withTwoFactor();
    const challengeToken = await challenge(admin);
    expectError(await http.api('GET', '/api/auth/me', { token: challengeToken }), 401);
    expectError(await http.refresh(challengeToken), 401);
  });

  it('answers 422 naming `code` for a code that is not six digits', async () => {
    const { admin } = await withTwoFactor();
    const challengeToken = await challenge(admin);
    for (const code of ['12345', '1234567', 'abcdef', '']) {
      expect(fieldsOf(expectError(await verify(challengeToken, code), 422))).toEqual(['code']);
    }
  });

  it('accepts a code sent as a JSON number', async () => {
    const { admin, secret, base } = await withTwoFactor();
    expectOk(await verify(await challenge(admin), Number(totpCode(secret, base, 0))));
  });

  it('checks the password before asking for a code: a wrong password answers 401, no challenge', async () => {
    const { admin } = await withTwoFactor();
    expectError(await http.loginAttempt(admin.email, `${admin.password}x`), 401);
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM one_time_tokens WHERE user_id = $1 AND purpose = 'login_challenge'`,
      [admin.user.id],
    );
    expect(count).toBe(0);
  });

  it('refuses to enable with a wrong code (422 naming `code`) and stays off', async () => {
    const admin = await http.register();
    const { secret } = await setup(admin.token);
    const base = await stableStepBase();
    expect(fieldsOf(expectError(await enable(admin.token, wrongTotpCode(secret, base)), 422))).toEqual([
      'code',
    ]);
    expect((await http.me(admin.token)).twoFactorEnabled).toBe(false);
    expect((await http.login(admin.email, admin.password)).token).toEqual(expect.any(String));
  });

  it('answers 409 to enable before setup, and to setup or enable once enabled', async () => {
    const fresh = await http.register();
    expectError(await enable(fresh.token, '123456'), 409);

    const { admin, secret, base } = await withTwoFactor();
    expectError(await http.api('POST', '/api/auth/2fa/setup', { token: admin.token }), 409);
    expectError(await enable(admin.token, totpCode(secret, base, 0)), 409);
  });

  it('enables with the latest setup only: a second setup replaces the pending secret', async () => {
    const admin = await http.register();
    const first = await setup(admin.token);
    const second = await setup(admin.token);
    expect(second.secret).not.toBe(first.secret);
    const base = await stableStepBase();
    const firstCode = totpCode(first.secret, base, 0);
    if (![-1, 0, 1].some((offset) => totpCode(second.secret, base, offset) === firstCode)) {
      expectError(await enable(admin.token, firstCode), 422);
    }
    expectOk(await enable(admin.token, totpCode(second.secret, base, 0)));
  });

  it('disables 2FA with a valid code; login is a single step again', async () => {
    const { admin, secret, base } = await withTwoFactor(-1);
    const user = expectOk(await disable(admin.token, totpCode(secret, base, 0)));
    expect(user.twoFactorEnabled).toBe(false);
    const data = await http.login(admin.email, admin.password);
    expect(data.token).toEqual(expect.any(String));
    const [row] = await db.query(
      'SELECT two_factor_secret, two_factor_pending_secret FROM users WHERE id = $1',
      [admin.user.id],
    );
    expect(row).toEqual({ two_factor_secret: null, two_factor_pending_secret: null });
  });

  it('refuses to disable with a wrong or a replayed code (422 naming `code`), and 2FA stays on', async () => {
    const { admin, secret, base } = await withTwoFactor(0);
    expect(fieldsOf(expectError(await disable(admin.token, wrongTotpCode(secret, base)), 422))).toEqual([
      'code',
    ]);
    expect(fieldsOf(expectError(await disable(admin.token, totpCode(secret, base, 0)), 422))).toEqual([
      'code',
    ]);
    expect((await http.me(admin.token)).twoFactorEnabled).toBe(true);
  });

  it('answers 409 to disable when 2FA is off', async () => {
    const admin = await http.register();
    expectError(await disable(admin.token, '123456'), 409);
  });

  it('answers 401 to setup, enable and disable without a token', async () => {
    expectError(await http.api('POST', '/api/auth/2fa/setup'), 401);
    expectError(await http.api('POST', '/api/auth/2fa/enable', { body: { code: '123456' } }), 401);
    expectError(await http.api('POST', '/api/auth/2fa/disable', { body: { code: '123456' } }), 401);
  });

  it('answers 401 at verify for a user deactivated after the challenge was issued', async () => {
    const { admin, secret, base } = await withTwoFactor();
    const colleague = await http.createUser(admin.token, { role: 'admin' });
    const challengeToken = await challenge(admin);
    expectOk(
      await http.api('PATCH', `/api/users/${admin.user.id}`, {
        token: colleague.token,
        body: { isActive: false },
      }),
    );
    expectError(await verify(challengeToken, totpCode(secret, base, 0)), 401);
  });
});
