import { randomUUID } from 'node:crypto';
import {
  decodeJwt,
  expectError,
  expectOk,
  expectUserShape,
  fieldsOf,
  IdentityDb,
  IdentityHttp,
  strongPassword,
  uniqueEmail,
  UUID,
  useIdentity,
} from './http';

describe('identity: register, login, refresh, logout', () => {
  const fixture = useIdentity();
  let http: IdentityHttp;
  let db: IdentityDb;
  beforeAll(() => ({ http, db } = fixture));

  const registerBody = (overrides: Record<string, unknown> = {}) => ({
    email: uniqueEmail('register'),
    password: strongPassword(),
    name: 'Ada Lovelace',
    organizationName: 'Analytical Engines',
    ...overrides,
  });

  describe('POST /api/auth/register', () => {
    it('answers 201 with the user as admin of a new organization, a token pair and expiresIn', async () => {
      const body = registerBody();
      const data = expectOk(await http.api('POST', '/api/auth/register', { body }), 201);

      expect(Object.keys(data).sort()).toEqual([
        'expiresIn',
        'organization',
        'refreshToken',
        'token',
        'user',
      ]);
      expectUserShape(data.user, [body.password]);
      expect(data.user).toMatchObject({
        email: body.email,
        name: 'Ada Lovelace',
        role: 'admin',
        isActive: true,
        twoFactorEnabled: false,
        avatarUrl: null,
        preferences: { theme: 'light', notificationsEnabled: true, timezone: 'UTC', language: 'en' },
      });
      expect(data.organization).toEqual(
        expect.objectContaining({ id: expect.stringMatching(UUID), name: 'Analytical Engines' }),
      );
      expect(data.user.organizationId).toBe(data.organization.id);
      expect(data.expiresIn).toBe(15 * 60);
      expect(typeof data.refreshToken).toBe('string');
      expect(data.refreshToken).not.toBe(data.token);

      const { header, payload } = decodeJwt(data.token);
      expect(header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
      expect(payload).toMatchObject({
        sub: data.user.id,
        org: data.organization.id,
        role: 'admin',
        sid: expect.stringMatching(UUID),
      });
      expect(payload.exp - payload.iat).toBe(15 * 60);

      expect((await http.me(data.token)).id).toBe(data.user.id);
    });

    it('stores the organization and the user in the database', async () => {
      const body = registerBody();
      const { user, organization } = expectOk(await http.api('POST', '/api/auth/register', { body }), 201);
      const [org] = await db.query('SELECT name FROM organizations WHERE id = $1', [organization.id]);
      expect(org).toEqual({ name: 'Analytical Engines' });
      const [row] = await db.query('SELECT organization_id, role, password_hash FROM users WHERE id = $1', [
        user.id,
      ]);
      expect(row).toMatchObject({ organization_id: organization.id, role: 'admin' });
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(body.password);
    });

    it('ignores read-only fields in the body: id, role, organizationId, isActive, twoFactorEnabled, preferences', async () => {
      const other = await http.register();
      const forgedId = randomUUID();
      const { user, organization } = expectOk(
        await http.api('POST', '/api/auth/register', {
          body: registerBody({
            id: forgedId,
            role: 'sales',
            organizationId: other.organization.id,
            isActive: false,
            twoFactorEnabled: true,
            preferences: { theme: 'dark' },
            lastLoginAt: '2000-01-01T00:00:00.000Z',
          }),
        }),
        201,
      );
      expect(user.id).not.toBe(forgedId);
      expect(user).toMatchObject({
        role: 'admin',
        organizationId: organization.id,
        isActive: true,
        twoFactorEnabled: false,
      });
      expect(organization.id).not.toBe(other.organization.id);
      expect(user.preferences.theme).toBe('light');
      expect(user.lastLoginAt).not.toBe('2000-01-01T00:00:00.000Z');
    });

    it('strips unknown fields instead of refusing them', async () => {
      const res = await http.api('POST', '/api/auth/register', {
        body: registerBody({ favouriteColour: 'teal' }),
      });
      const data = expectOk(res, 201);
      expect(JSON.stringify(data)).not.toContain('teal');
      expect(data.user).not.toHaveProperty('favouriteColour');
    });

    it('normalizes the e-mail to trimmed lower case', async () => {
      const email = uniqueEmail('MixedCase');
      const { user } = expectOk(
        await http.api('POST', '/api/auth/register', {
          body: registerBody({ email: `  ${email.toUpperCase()} ` }),
        }),
        201,
      );
      expect(user.email).toBe(email.toLowerCase());
    });

    it('answers 409 CONFLICT for an e-mail already taken, in any letter case, and creates nothing', async () => {
      const existing = await http.register();
      const organizationName = `Second ${randomUUID()}`;
      for (const email of [existing.email, existing.email.toUpperCase()]) {
        const error = expectError(
          await http.api('POST', '/api/auth/register', { body: registerBody({ email, organizationName }) }),
          409,
        );
        expect(error.message).toMatch(/e-mail/i);
      }
      expect(await db.query('SELECT id FROM organizations WHERE name = $1', [organizationName])).toEqual([]);
    });

    it('answers 409 for an e-mail that a user of another organization has', async () => {
      const admin = await http.register();
      const member = await http.createUser(admin.token);
      expectError(
        await http.api('POST', '/api/auth/register', { body: registerBody({ email: member.email }) }),
        409,
      );
    });

    it('lets exactly one of several concurrent registrations of one e-mail succeed; the others get 409', async () => {
      const email = uniqueEmail('race');
      const tag = randomUUID();
      const answers = await Promise.all(
        [1, 2, 3, 4].map((n) =>
          http.api('POST', '/api/auth/register', {
            body: registerBody({ email, organizationName: `Race ${tag} ${n}` }),
          }),
        ),
      );
      expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409, 409]);
      for (const res of answers.filter((r) => r.status === 409)) expectError(res, 409);
      expect(await db.query('SELECT id FROM users WHERE email = $1', [email])).toHaveLength(1);
      const winner = answers.find((res) => res.status === 201)!.body.data;
      expect(await db.query('SELECT id FROM organizations WHERE name LIKE $1', [`Race ${tag} %`])).toEqual([
        { id: winner.organization.id },
      ]);
    });

    it.each([
      ['fewer than 8 characters', 'Abcde1'],
      ['no upper case letter', 'abcdefg1'],
      ['no lower case letter', 'ABCDEFG1'],
      ['no digit', 'Abcdefgh'],
      ['more than 128 characters', `Ab1${'x'.repeat(130)}`],
      ['not a string', 12345678],
    ])(
      'answers 422 naming `password` for a weak password (%s) and reserves nothing',
      async (_why, password) => {
        const email = uniqueEmail('weak');
        const error = expectError(
          await http.api('POST', '/api/auth/register', { body: registerBody({ email, password }) }),
          422,
        );
        expect(fieldsOf(error)).toEqual(['password']);
        expect(await db.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
      },
    );

    it('accepts a strong password in another script, and logs in with it', async () => {
      const body = registerBody({ password: 'Пароль-Секрет9' });
      expectOk(await http.api('POST', '/api/auth/register', { body }), 201);
      await http.login(body.email, 'Пароль-Секрет9');
    });

    it.each(['not-an-email', 'ada@', '@example.com', 'ada example@example.com', ''])(
      'answers 422 naming `email` for %j',
      async (email) => {
        const error = expectError(
          await http.api('POST', '/api/auth/register', { body: registerBody({ email }) }),
          422,
        );
        expect(fieldsOf(error)).toContain('email');
      },
    );

    it('answers 422 naming every missing field', async () => {
      const error = expectError(await http.api('POST', '/api/auth/register', { body: {} }), 422);
      expect(new Set(fieldsOf(error))).toEqual(new Set(['email', 'password', 'name', 'organizationName']));
    });

    it('answers 422 for a blank name or organization name', async () => {
      const error = expectError(
        await http.api('POST', '/api/auth/register', {
          body: registerBody({ name: '   ', organizationName: '' }),
        }),
        422,
      );
      expect(new Set(fieldsOf(error))).toEqual(new Set(['name', 'organizationName']));
    });

    it('answers 400 BAD_REQUEST with the error shape for malformed JSON', async () => {
      const res = await http.api('POST', '/api/auth/register', {
        body: '{"email": "a@example.com", "password":',
        raw: true,
      });
      const error = expectError(res, 400);
      expect(error.message).not.toMatch(/JSON|Unexpected|position/);
    });
  });

  describe('POST /api/auth/login', () => {
    it('answers 200 with the user and a token pair, and records lastLoginAt', async () => {
      const admin = await http.register();
      const before = Date.now();
      const data = await http.login(admin.email, admin.password);
      expect(Object.keys(data).sort()).toEqual(['expiresIn', 'refreshToken', 'token', 'user']);
      expectUserShape(data.user, [admin.password]);
      expect(data.user.id).toBe(admin.user.id);
      expect(data.expiresIn).toBe(900);
      expect(decodeJwt(data.token).payload).toMatchObject({
        sub: admin.user.id,
        org: admin.organization.id,
        role: 'admin',
      });
      const lastLoginAt = Date.parse(data.user.lastLoginAt!);
      expect(lastLoginAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(lastLoginAt).toBeLessThanOrEqual(Date.now() + 1_000);
      expect((await http.me(data.token)).lastLoginAt).toBe(data.user.lastLoginAt);
    });

    it('accepts the e-mail in any letter case and with surrounding spaces', async () => {
      const admin = await http.register();
      const data = await http.login(`  ${admin.email.toUpperCase()} `, admin.password);
      expect(data.user.id).toBe(admin.user.id);
    });

    it('opens a new session at every login: each has its own refresh token and session id', async () => {
      const admin = await http.register();
      const first = await http.login(admin.email, admin.password);
      const second = await http.login(admin.email, admin.password);
      expect(first.refreshToken).not.toBe(second.refreshToken);
      expect(decodeJwt(first.token).payload.sid).not.toBe(decodeJwt(second.token).payload.sid);
      expectOk(await http.refresh(first.refreshToken));
      expectOk(await http.refresh(second.refreshToken));
    });

    it('answers the same 401 for a wrong password, an unknown e-mail and a deactivated user', async () => {
      const admin = await http.register();
      const member = await http.createUser(admin.token);
      expectOk(
        await http.api('PATCH', `/api/users/${member.user.id}`, {
          token: admin.token,
          body: { isActive: false },
        }),
      );

      const wrongPassword = expectError(await http.loginAttempt(admin.email, `${admin.password}x`), 401);
      const unknownEmail = expectError(await http.loginAttempt(uniqueEmail('nobody'), admin.password), 401);
      const deactivated = expectError(await http.loginAttempt(member.email, member.password), 401);
      expect(unknownEmail).toEqual(wrongPassword);
      expect(deactivated).toEqual(wrongPassword);
      expect(wrongPassword.message).toMatch(/e-mail or password/i);
    });

    it('does not record a login that failed', async () => {
      const admin = await http.register();
      const [before] = await db.query('SELECT last_login_at FROM users WHERE id = $1', [admin.user.id]);
      expectError(await http.loginAttempt(admin.email, 'Wrong-password-1'), 401);
      const [after] = await db.query('SELECT last_login_at FROM users WHERE id = $1', [admin.user.id]);
      expect(after.last_login_at).toEqual(before.last_login_at);
    });

    it('answers 422 for a body without a password, and 422 naming `email` for an invalid e-mail', async () => {
      expect(
        fieldsOf(
          expectError(await http.api('POST', '/api/auth/login', { body: { email: uniqueEmail() } }), 422),
        ),
      ).toEqual(['password']);
      expect(fieldsOf(expectError(await http.loginAttempt('nope', 'Password1'), 422))).toEqual(['email']);
    });
  });

  describe('POST /api/auth/refresh', () => {
    it('answers 200 with a new pair of the same session; the presented token stops working', async () => {
      const admin = await http.register();
      const session = await http.login(admin.email, admin.password);
      const rotated = expectOk(await http.refresh(session.refreshToken));
      expect(Object.keys(rotated).sort()).toEqual(['expiresIn', 'refreshToken', 'token']);
      expect(rotated.refreshToken).not.toBe(session.refreshToken);
      expect(rotated.expiresIn).toBe(900);
      expect(decodeJwt(rotated.token).payload).toMatchObject({
        sub: admin.user.id,
        org: admin.organization.id,
        role: 'admin',
      });
      expect(decodeJwt(rotated.token).payload.sid).toBe(decodeJwt(session.token).payload.sid);
      expect((await http.me(rotated.token)).id).toBe(admin.user.id);
      expectError(await http.refresh(session.refreshToken), 401);
    });

    it('answers 401 to a rotated token presented again and revokes the newer tokens of that session', async () => {
      const admin = await http.register();
      const session = await http.login(admin.email, admin.password);
      const second = expectOk(await http.refresh(session.refreshToken));
      const third = expectOk(await http.refresh(second.refreshToken));

      expectError(await http.refresh(session.refreshToken), 401); // replay of a rotated token
      expectError(await http.refresh(third.refreshToken), 401); // the newest token died with its family
      const rows = await db.query('SELECT revoked_at FROM sessions WHERE family_id = $1', [
        decodeJwt(session.token).payload.sid,
      ]);
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row.revoked_at).toBeInstanceOf(Date);
    });

    it('leaves the other sessions of the user alone when one family is revoked for reuse', async () => {
      const admin = await http.register();
      const victim = await http.login(admin.email, admin.password);
      const bystander = await http.login(admin.email, admin.password);
      expectOk(await http.refresh(victim.refreshToken));
      expectError(await http.refresh(victim.refreshToken), 401);
      expectOk(await http.refresh(bystander.refreshToken));
    });

    it('lets only one of two concurrent refreshes with the same token succeed', async () => {
      const admin = await http.register();
      const session = await http.login(admin.email, admin.password);
      const answers = await Promise.all([
        http.refresh(session.refreshToken),
        http.refresh(session.refreshToken),
      ]);
      expect(answers.map((res) => res.status).sort()).toEqual([200, 401]);
    });

    it('answers 401 for an unknown, an expired or a revoked refresh token', async () => {
      expectError(await http.refresh(`unknown-${randomUUID()}`), 401);

      const admin = await http.register();
      const expired = await http.login(admin.email, admin.password);
      await db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE family_id = $1`, [
        decodeJwt(expired.token).payload.sid,
      ]);
      expectError(await http.refresh(expired.refreshToken), 401);

      const revoked = await http.login(admin.email, admin.password);
      await db.query('UPDATE sessions SET revoked_at = now() WHERE family_id = $1', [
        decodeJwt(revoked.token).payload.sid,
      ]);
      expectError(await http.refresh(revoked.refreshToken), 401);
    });

    it('does not count an expired token as reuse: it stays refused, and nothing else is revoked', async () => {
      const admin = await http.register();
      const session = await http.login(admin.email, admin.password);
      const sid = decodeJwt(session.token).payload.sid;
      await db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE family_id = $1`, [
        sid,
      ]);
      expectError(await http.refresh(session.refreshToken), 401);
      const [row] = await db.query('SELECT rotated_at, revoked_at FROM sessions WHERE family_id = $1', [sid]);
      expect(row).toEqual({ rotated_at: null, revoked_at: null });
    });

    it('stores refresh tokens hashed, never in clear', async () => {
      const admin = await http.register();
      const rows = await db.query('SELECT token_hash FROM sessions WHERE user_id = $1', [admin.user.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).not.toBe(admin.refreshToken);
      expect(await db.query('SELECT id FROM sessions WHERE token_hash = $1', [admin.refreshToken])).toEqual(
        [],
      );
    });

    it('answers 422 naming `refreshToken` when it is missing', async () => {
      expect(fieldsOf(expectError(await http.api('POST', '/api/auth/refresh', { body: {} }), 422))).toEqual([
        'refreshToken',
      ]);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('answers 200 {success: true}; the refresh token answers 401 afterwards', async () => {
      const admin = await http.register();
      const session = await http.login(admin.email, admin.password);
      const data = expectOk(
        await http.api('POST', '/api/auth/logout', {
          token: session.token,
          body: { refreshToken: session.refreshToken },
        }),
      );
      expect(data).toEqual({ success: true });
      expectError(await http.refresh(session.refreshToken), 401);
    });

    it('ends the whole session, including the tokens rotated from the one presented', async () => {
      const admin = await http.register();
      const session = await http.login(admin.email, admin.password);
      const rotated = expectOk(await http.refresh(session.refreshToken));
      expectOk(
        await http.api('POST', '/api/auth/logout', {
          token: rotated.token,
          body: { refreshToken: rotated.refreshToken },
        }),
      );
      expectError(await http.refresh(rotated.refreshToken), 401);
    });

    it('ends only that session: another login of the same user keeps working', async () => {
      const admin = await http.register();
      const leaving = await http.login(admin.email, admin.password);
      const staying = await http.login(admin.email, admin.password);
      expectOk(
        await http.api('POST', '/api/auth/logout', {
          token: leaving.token,
          body: { refreshToken: leaving.refreshToken },
        }),
      );
      expectOk(await http.refresh(staying.refreshToken));
    });

    it('answers 401 without a bearer token, and the session stays alive', async () => {
      const admin = await http.register();
      const session = await http.login(admin.email, admin.password);
      expectError(
        await http.api('POST', '/api/auth/logout', { body: { refreshToken: session.refreshToken } }),
        401,
      );
      expectOk(await http.refresh(session.refreshToken));
    });

    it("answers 401 to someone else's refresh token, and that session stays alive", async () => {
      const mallory = await http.register();
      const victim = await http.register();
      expectError(
        await http.api('POST', '/api/auth/logout', {
          token: mallory.token,
          body: { refreshToken: victim.refreshToken },
        }),
        401,
      );
      expectOk(await http.refresh(victim.refreshToken));
    });

    it('answers 401 to an unknown refresh token', async () => {
      const admin = await http.register();
      expectError(
        await http.api('POST', '/api/auth/logout', {
          token: admin.token,
          body: { refreshToken: 'not-a-refresh-token' },
        }),
        401,
      );
    });
  });
});
