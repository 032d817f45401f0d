import {
  decodeJwt,
  EventCapture,
  expectError,
  expectOk,
  expectUserShape,
  fieldsOf,
  IdentityDb,
  IdentityHttp,
  type Registered,
  requestId,
  strongPassword,
  uniqueEmail,
  useIdentity,
} from './http';

describe('identity: own profile, password change, password reset', () => {
  const fixture = useIdentity({ capture: 'identity.password_reset.requested' });
  let http: IdentityHttp;
  let db: IdentityDb;
  let resets: EventCapture;
  beforeAll(() => ({ http, db, events: resets } = fixture));

  const putMe = (token: string, body: unknown) => http.api('PUT', '/api/auth/me', { token, body });

  describe('GET /api/auth/me', () => {
    it('answers the caller as the contract shows a user', async () => {
      const admin = await http.register();
      const user = await http.me(admin.token);
      expectUserShape(user, [admin.password, admin.refreshToken]);
      expect(user).toEqual({ ...admin.user, lastLoginAt: user.lastLoginAt, updatedAt: user.updatedAt });
    });

    it('answers 401 without a token', async () => {
      expectError(await http.api('GET', '/api/auth/me'), 401);
    });
  });

  describe('PUT /api/auth/me', () => {
    it('updates name, avatarUrl and preferences, and ignores role, email, organizationId and isActive', async () => {
      const admin = await http.register();
      const other = await http.register();
      const preferences = {
        theme: 'dark',
        notificationsEnabled: false,
        timezone: 'Europe/Paris',
        language: 'pt-BR',
      };
      const updated = expectOk(
        await putMe(admin.token, {
          name: '  Grace Hopper ',
          avatarUrl: 'https://example.com/grace.png',
          preferences,
          role: 'sales',
          email: uniqueEmail('hijack'),
          organizationId: other.organization.id,
          isActive: false,
          twoFactorEnabled: true,
        }),
      );
      for (const user of [updated, await http.me(admin.token)]) {
        expectUserShape(user);
        expect(user).toMatchObject({
          name: 'Grace Hopper',
          avatarUrl: 'https://example.com/grace.png',
          preferences,
          role: 'admin',
          email: admin.email,
          organizationId: admin.organization.id,
          isActive: true,
          twoFactorEnabled: false,
        });
      }
      await http.login(admin.email, admin.password);
    });

    it('is a partial update: fields left out keep their values', async () => {
      const admin = await http.register();
      expectOk(
        await putMe(admin.token, {
          avatarUrl: 'https://example.com/kept.png',
          preferences: { theme: 'dark', language: 'de' },
        }),
      );
      const updated = expectOk(await putMe(admin.token, { name: 'Only The Name' }));
      expect(updated).toMatchObject({
        name: 'Only The Name',
        avatarUrl: 'https://example.com/kept.png',
        preferences: { theme: 'dark', language: 'de', notificationsEnabled: true, timezone: 'UTC' },
      });
    });

    it('merges preferences into the stored ones, key by key', async () => {
      const admin = await http.register();
      expectOk(await putMe(admin.token, { preferences: { theme: 'dark' } }));
      const updated = expectOk(await putMe(admin.token, { preferences: { timezone: 'America/New_York' } }));
      expect(updated.preferences).toEqual({
        theme: 'dark',
        notificationsEnabled: true,
        timezone: 'America/New_York',
        language: 'en',
      });
      expect((await http.me(admin.token)).preferences).toEqual(updated.preferences);
    });

    it('drops unknown preference keys', async () => {
      const admin = await http.register();
      const updated = expectOk(await putMe(admin.token, { preferences: { theme: 'system', fontSize: 40 } }));
      expect(updated.preferences).toEqual({
        theme: 'system',
        notificationsEnabled: true,
        timezone: 'UTC',
        language: 'en',
      });
    });

    it('clears the avatar with null', async () => {
      const admin = await http.register();
      expectOk(await putMe(admin.token, { avatarUrl: 'https://example.com/a.png' }));
      expect(expectOk(await putMe(admin.token, { avatarUrl: null })).avatarUrl).toBeNull();
    });

    it.each([
      [{ preferences: { timezone: 'Mars/Olympus_Mons' } }, ['preferences.timezone']],
      [{ preferences: { theme: 'neon' } }, ['preferences.theme']],
      [
        { preferences: { theme: 'neon', timezone: 'Nowhere' } },
        ['preferences.theme', 'preferences.timezone'],
      ],
      [{ preferences: { notificationsEnabled: 'yes' } }, ['preferences.notificationsEnabled']],
      [{ preferences: { language: 'English!' } }, ['preferences.language']],
      [{ avatarUrl: 'javascript:alert(1)' }, ['avatarUrl']],
      [{ avatarUrl: 'not a url' }, ['avatarUrl']],
      [{ name: '   ' }, ['name']],
      [{ name: 'x'.repeat(201) }, ['name']],
    ])('answers 422 naming the invalid fields for %j, and changes nothing', async (body, fields) => {
      const admin = await http.register();
      const error = expectError(await putMe(admin.token, { ...body }), 422);
      expect(new Set(fieldsOf(error))).toEqual(new Set(fields));
      const after = await http.me(admin.token);
      expect(after.preferences).toEqual(admin.user.preferences);
      expect(after.name).toBe(admin.user.name);
      expect(after.avatarUrl).toBeNull();
    });

    it.each([[[{ theme: 'dark' }]], ['dark'], [42]])(
      'answers 422 naming `preferences` for preferences %j that are not an object, and stores nothing',
      async (preferences) => {
        const admin = await http.register();
        const error = expectError(await putMe(admin.token, { preferences }), 422);
        expect(fieldsOf(error).every((field) => field.startsWith('preferences'))).toBe(true);
        expect((await http.me(admin.token)).preferences).toEqual(admin.user.preferences);
      },
    );

    it('answers 422, not 500, when a required field is set to null', async () => {
      const admin = await http.register();
      const error = expectError(await putMe(admin.token, { name: null }), 422);
      expect(fieldsOf(error)).toEqual(['name']);
      expect((await http.me(admin.token)).name).toBe(admin.user.name);
    });

    it('answers 401 without a token', async () => {
      expectError(await putMe('', { name: 'Nobody' }), 401);
    });
  });

  describe('PUT /api/auth/password', () => {
    const changePassword = (token: string, currentPassword: string, newPassword: string) =>
      http.api('PUT', '/api/auth/password', { token, body: { currentPassword, newPassword } });

    it('carries the session family as `sid` in access tokens, unchanged by refreshes', async () => {
      const admin = await http.register();
      const sid = decodeJwt(admin.token).payload.sid;
      const [session] = await db.query('SELECT family_id FROM sessions WHERE user_id = $1', [admin.user.id]);
      expect(sid).toBe(session.family_id);
      const rotated = expectOk(await http.refresh(admin.refreshToken));
      expect(decodeJwt(rotated.token).payload.sid).toBe(sid);
    });

    it('answers 200; the old password stops working and the new one works', async () => {
      const admin = await http.register();
      const newPassword = strongPassword();
      expect(expectOk(await changePassword(admin.token, admin.password, newPassword))).toEqual({
        success: true,
      });
      expectError(await http.loginAttempt(admin.email, admin.password), 401);
      await http.login(admin.email, newPassword);
    });

    it("revokes the user's other sessions and keeps the current one", async () => {
      const admin = await http.register();
      const otherDevice = await http.login(admin.email, admin.password);
      const otherDeviceRotated = expectOk(await http.refresh(otherDevice.refreshToken));

      expectOk(await changePassword(admin.token, admin.password, strongPassword()));

      expectError(await http.refresh(otherDeviceRotated.refreshToken), 401);
      const current = expectOk(await http.refresh(admin.refreshToken));
      expectOk(await http.refresh(current.refreshToken));
    });

    it('keeps the current session when the change is made with an access token from a refresh', async () => {
      const admin = await http.register();
      const otherDevice = await http.login(admin.email, admin.password);
      const rotated = expectOk(await http.refresh(admin.refreshToken));
      expectOk(await changePassword(rotated.token, admin.password, strongPassword()));
      expectOk(await http.refresh(rotated.refreshToken));
      expectError(await http.refresh(otherDevice.refreshToken), 401);
    });

    it('leaves sessions of other users alone', async () => {
      const admin = await http.register();
      const colleague = await http.createUser(admin.token);
      expectOk(await changePassword(admin.token, admin.password, strongPassword()));
      expectOk(await http.refresh(colleague.refreshToken));
    });

    it('answers 422 naming `currentPassword` for a wrong current password, and changes nothing', async () => {
      const admin = await http.register();
      const other = await http.login(admin.email, admin.password);
      const error = expectError(
        await changePassword(admin.token, `${admin.password}x`, strongPassword()),
        422,
      );
      expect(fieldsOf(error)).toEqual(['currentPassword']);
      await http.login(admin.email, admin.password);
      expectOk(await http.refresh(other.refreshToken));
    });

    it('answers 422 naming `newPassword` for a weak new password, and changes nothing', async () => {
      const admin = await http.register();
      const error = expectError(await changePassword(admin.token, admin.password, 'weakpass'), 422);
      expect(fieldsOf(error)).toEqual(['newPassword']);
      await http.login(admin.email, admin.password);
    });

    it('answers 401 without a token', async () => {
      expectError(
        await http.api('PUT', '/api/auth/password', {
          body: { currentPassword: 'x', newPassword: strongPassword() },
        }),
        401,
      );
    });
  });

  describe('forgot and reset password', () => {
    const forgot = (email: string, id = requestId()) =>
      http.api('POST', '/api/auth/forgot-password', { body: { email }, requestId: id });
    const reset = (token: string, password: string) =>
      http.api('POST', '/api/auth/reset-password', { body: { token, password } });

    /** Asks for a reset of `user`'s password and returns the token from the event messaging would e-mail. */
    async function resetTokenFor(
      user: Registered | { email: string; user: { id: string } },
    ): Promise<string> {
      const id = requestId();
      expectOk(await forgot(user.email, id), 202);
      const [event] = await resets.waitFor((e) => e.correlationId === id);
      expect(event.data.userId).toBe(user.user.id);
      return event.data.resetToken;
    }

    it('answers 202 for a known e-mail and sends the reset token in identity.password_reset.requested', async () => {
      const admin = await http.register();
      const id = requestId();
      const res = await forgot(admin.email, id);
      expect(expectOk(res, 202)).toEqual({ success: true });
      const [event] = await resets.waitFor((e) => e.correlationId === id);
      expect(event).toMatchObject({
        type: 'identity.password_reset.requested',
        organizationId: admin.organization.id,
        aggregateId: admin.user.id,
        actorId: null,
        data: {
          userId: admin.user.id,
          email: admin.email,
          name: admin.user.name,
          resetToken: expect.stringMatching(/^[\w-]{43}$/),
        },
      });
      const expiresIn = Date.parse(event.data.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(55 * 60 * 1000);
      expect(expiresIn).toBeLessThanOrEqual(60 * 60 * 1000);
      expect(res.text).not.toContain(event.data.resetToken);
      const stored = await db.query('SELECT token_hash FROM one_time_tokens WHERE user_id = $1', [
        admin.user.id,
      ]);
      expect(stored.map((row) => row.token_hash)).not.toContain(event.data.resetToken);
    });

    it('answers 202 for an unknown e-mail, the same body, and publishes nothing', async () => {
      const known = await http.register();
      const unknownRequest = requestId();
      const unknown = await forgot(uniqueEmail('nobody'), unknownRequest);
      expect(expectOk(unknown, 202)).toEqual({ success: true });
      // A later reset of a known user is published; by then anything for the unknown one would have been.
      const barrier = requestId();
      expectOk(await forgot(known.email, barrier), 202);
      await resets.waitFor((e) => e.correlationId === barrier);
      expect(resets.byRequest(unknownRequest)).toEqual([]);
    });

    it('answers 202 for a deactivated user and sends no token', async () => {
      const admin = await http.register();
      const member = await http.createUser(admin.token);
      expectOk(
        await http.api('PATCH', `/api/users/${member.user.id}`, {
          token: admin.token,
          body: { isActive: false },
        }),
      );
      const deactivatedRequest = requestId();
      expectOk(await forgot(member.email, deactivatedRequest), 202);
      const barrier = requestId();
      expectOk(await forgot(admin.email, barrier), 202);
      await resets.waitFor((e) => e.correlationId === barrier);
      expect(resets.byRequest(deactivatedRequest)).toEqual([]);
    });

    it('answers 422 naming `email` for an invalid e-mail', async () => {
      expect(fieldsOf(expectError(await forgot('not-an-email'), 422))).toEqual(['email']);
    });

    it('resets the password with the token: the old one fails, the new one works, every session ends', async () => {
      const admin = await http.register();
      const otherDevice = await http.login(admin.email, admin.password);
      const token = await resetTokenFor(admin);
      const newPassword = strongPassword();

      expect(expectOk(await reset(token, newPassword))).toEqual({ success: true });

      expectError(await http.loginAttempt(admin.email, admin.password), 401);
      await http.login(admin.email, newPassword);
      expectError(await http.refresh(admin.refreshToken), 401);
      expectError(await http.refresh(otherDevice.refreshToken), 401);
    });

    it('spends the token: a second use answers 422 naming `token`', async () => {
      const admin = await http.register();
      const token = await resetTokenFor(admin);
      const first = strongPassword();
      expectOk(await reset(token, first));
      expect(fieldsOf(expectError(await reset(token, strongPassword()), 422))).toEqual(['token']);
      await http.login(admin.email, first);
    });

    it('voids the reset links sent before a newer request, and every link once the password is changed', async () => {
      const admin = await http.register();
      const older = await resetTokenFor(admin);
      const newer = await resetTokenFor(admin);
      expect(fieldsOf(expectError(await reset(older, strongPassword()), 422))).toEqual(['token']);

      const newPassword = strongPassword();
      expectOk(
        await http.api('PUT', '/api/auth/password', {
          token: admin.token,
          body: { currentPassword: admin.password, newPassword },
        }),
      );
      expect(fieldsOf(expectError(await reset(newer, strongPassword()), 422))).toEqual(['token']);
      await http.login(admin.email, newPassword);
    });

    it('refuses an expired token and leaves the password unchanged', async () => {
      const admin = await http.register();
      const token = await resetTokenFor(admin);
      await db.query(
        `UPDATE one_time_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'password_reset'`,
        [admin.user.id],
      );
      expect(fieldsOf(expectError(await reset(token, strongPassword()), 422))).toEqual(['token']);
      await http.login(admin.email, admin.password);
    });

    it('voids the tokens sent before a newer request', async () => {
      const admin = await http.register();
      const older = await resetTokenFor(admin);
      const newer = await resetTokenFor(admin);
      expect(newer).not.toBe(older);
      expectError(await reset(older, strongPassword()), 422);
      expectOk(await reset(newer, strongPassword()));
    });

    it('refuses an unknown token and changes nothing', async () => {
      const admin = await http.register();
      await resetTokenFor(admin);
      expect(fieldsOf(expectError(await reset('x'.repeat(43), strongPassword()), 422))).toEqual(['token']);
      await http.login(admin.email, admin.password);
    });

    it('answers 422 naming `password` for a weak new password, and the token stays usable', async () => {
      const admin = await http.register();
      const token = await resetTokenFor(admin);
      expect(fieldsOf(expectError(await reset(token, 'password'), 422))).toEqual(['password']);
      expectOk(await reset(token, strongPassword()));
    });

    it('does not accept a refresh token or a stolen hash as a reset token', async () => {
      const admin = await http.register();
      await resetTokenFor(admin);
      const [{ token_hash: hash }] = await db.query(
        `SELECT token_hash FROM one_time_tokens WHERE user_id = $1 AND used_at IS NULL`,
        [admin.user.id],
      );
      expectError(await reset(hash, strongPassword()), 422);
      expectError(await reset(admin.refreshToken, strongPassword()), 422);
      await http.login(admin.email, admin.password);
    });
  });
});
