import { randomUUID } from 'node:crypto';
import {
  decodeJwt,
  expectError,
  expectOk,
  expectUserShape,
  fieldsOf,
  IdentityHttp,
  type Registered,
  strongPassword,
  uniqueEmail,
  type UserJson,
  useIdentity,
} from './http';

describe('identity: users administration', () => {
  const fixture = useIdentity();
  let http: IdentityHttp;
  beforeAll(() => ({ http } = fixture));

  const newUserBody = (overrides: Record<string, unknown> = {}) => ({
    email: uniqueEmail('new'),
    name: 'Katherine Johnson',
    role: 'sales',
    password: strongPassword(),
    ...overrides,
  });
  const postUser = (token: string, body: unknown) => http.api('POST', '/api/users', { token, body });
  const patchUser = (token: string, id: string, body: unknown) =>
    http.api('PATCH', `/api/users/${id}`, { token, body });
  const list = (token: string, query = '') => http.api('GET', `/api/users${query}`, { token });

  describe('POST /api/users', () => {
    it('creates a user in the admin organization (201) who can then log in', async () => {
      const admin = await http.register();
      const body = newUserBody({ role: 'manager', email: `  ${uniqueEmail('Manager').toUpperCase()}` });
      const user = expectOk(await postUser(admin.token, body), 201);
      expectUserShape(user, [body.password]);
      expect(user).toMatchObject({
        email: body.email.trim().toLowerCase(),
        name: 'Katherine Johnson',
        role: 'manager',
        organizationId: admin.organization.id,
        isActive: true,
        twoFactorEnabled: false,
        lastLoginAt: null,
      });
      const session = await http.login(user.email, body.password);
      expect(decodeJwt(session.token).payload).toMatchObject({
        sub: user.id,
        org: admin.organization.id,
        role: 'manager',
      });
    });

    it('ignores id, organizationId, isActive and twoFactorEnabled in the body', async () => {
      const admin = await http.register();
      const other = await http.register();
      const forgedId = randomUUID();
      const user = expectOk(
        await postUser(
          admin.token,
          newUserBody({
            id: forgedId,
            organizationId: other.organization.id,
            isActive: false,
            twoFactorEnabled: true,
          }),
        ),
        201,
      );
      expect(user.id).not.toBe(forgedId);
      expect(user).toMatchObject({
        organizationId: admin.organization.id,
        isActive: true,
        twoFactorEnabled: false,
      });
    });

    it.each(['sales', 'manager'] as const)(
      'answers 403 FORBIDDEN to a %s, and creates nothing',
      async (role) => {
        const admin = await http.register();
        const caller = await http.createUser(admin.token, { role });
        const email = uniqueEmail('forbidden');
        expectError(await postUser(caller.token, newUserBody({ email, role: 'admin' })), 403);
        expectError(await http.loginAttempt(email, 'whatever'), 401);
        const { meta } = (await list(admin.token)).body;
        expect(meta.total).toBe(2);
      },
    );

    it('answers 409 for an e-mail taken in any organization', async () => {
      const admin = await http.register();
      const other = await http.register();
      expectError(await postUser(admin.token, newUserBody({ email: other.email })), 409);
      expectError(await postUser(admin.token, newUserBody({ email: admin.email.toUpperCase() })), 409);
    });

    it('answers 422 naming the invalid fields', async () => {
      const admin = await http.register();
      expect(
        fieldsOf(expectError(await postUser(admin.token, newUserBody({ password: 'short' })), 422)),
      ).toEqual(['password']);
      expect(fieldsOf(expectError(await postUser(admin.token, newUserBody({ role: 'owner' })), 422))).toEqual(
        ['role'],
      );
      expect(fieldsOf(expectError(await postUser(admin.token, newUserBody({ email: 'nope' })), 422))).toEqual(
        ['email'],
      );
      expect(new Set(fieldsOf(expectError(await postUser(admin.token, {}), 422)))).toEqual(
        new Set(['email', 'name', 'role', 'password']),
      );
    });
  });

  describe('GET /api/users/:id', () => {
    it('answers a user of the caller organization, to any role', async () => {
      const admin = await http.register();
      const sales = await http.createUser(admin.token);
      const user = expectOk(await http.api('GET', `/api/users/${admin.user.id}`, { token: sales.token }));
      expectUserShape(user, [admin.password]);
      expect(user.id).toBe(admin.user.id);
    });

    it("answers 404 for another organization's user, for an unknown id and for an id that is not a UUID", async () => {
      const admin = await http.register();
      const stranger = await http.register();
      for (const id of [stranger.user.id, randomUUID(), 'not-a-uuid', '1', `${admin.user.id}x`]) {
        expectError(await http.api('GET', `/api/users/${id}`, { token: admin.token }), 404);
      }
    });

    it('accepts the id in upper case', async () => {
      const admin = await http.register();
      expect(
        expectOk(await http.api('GET', `/api/users/${admin.user.id.toUpperCase()}`, { token: admin.token }))
          .id,
      ).toBe(admin.user.id);
    });
  });

  describe('PATCH /api/users/:id', () => {
    it('updates name and role; email and organizationId in the body are ignored', async () => {
      const admin = await http.register();
      const other = await http.register();
      const member = await http.createUser(admin.token);
      const updated = expectOk(
        await patchUser(admin.token, member.user.id, {
          name: ' Dorothy Vaughan ',
          role: 'manager',
          email: uniqueEmail(),
          organizationId: other.organization.id,
        }),
      );
      expect(updated).toMatchObject({
        id: member.user.id,
        name: 'Dorothy Vaughan',
        role: 'manager',
        email: member.email,
        organizationId: admin.organization.id,
      });
      expect(
        expectOk(await http.api('GET', `/api/users/${member.user.id}`, { token: admin.token })),
      ).toMatchObject({ name: 'Dorothy Vaughan', role: 'manager' });
    });

    it('is a partial update: fields left out keep their values', async () => {
      const admin = await http.register();
      const member = await http.createUser(admin.token, { role: 'manager' });
      const updated = expectOk(await patchUser(admin.token, member.user.id, { name: 'Renamed' }));
      expect(updated).toMatchObject({ name: 'Renamed', role: 'manager', isActive: true });
    });

    it('gives the new role to the tokens of the next refresh', async () => {
      const admin = await http.register();
      const member = await http.createUser(admin.token, { role: 'sales' });
      expectOk(await patchUser(admin.token, member.user.id, { role: 'manager' }));
      const refreshed = expectOk(await http.refresh(member.refreshToken));
      expect(decodeJwt(refreshed.token).payload.role).toBe('manager');
    });

    it.each(['sales', 'manager'] as const)('answers 403 to a %s and changes nothing', async (role) => {
      const admin = await http.register();
      const caller = await http.createUser(admin.token, { role });
      const target = await http.createUser(admin.token, { role: 'sales' });
      expectError(await patchUser(caller.token, target.user.id, { role: 'admin' }), 403);
      expectError(await patchUser(caller.token, caller.user.id, { role: 'admin' }), 403);
      expect(
        expectOk(await http.api('GET', `/api/users/${target.user.id}`, { token: admin.token })).role,
      ).toBe('sales');
      expect(
        expectOk(await http.api('GET', `/api/users/${caller.user.id}`, { token: admin.token })).role,
      ).toBe(role);
    });

    it("answers 404 for another organization's user and changes nothing", async () => {
      const admin = await http.register();
      const stranger = await http.register();
      expectError(await patchUser(admin.token, stranger.user.id, { name: 'Hijacked', isActive: false }), 404);
      expectError(await patchUser(admin.token, 'not-a-uuid', { name: 'Nobody' }), 404);
      expect((await http.me(stranger.token)).name).toBe(stranger.user.name);
      await http.login(stranger.email, stranger.password);
    });

    it.each([
      [{ role: 'owner' }, 'role'],
      [{ isActive: 'no' }, 'isActive'],
      [{ name: '' }, 'name'],
    ])('answers 422 for %j', async (body, field) => {
      const admin = await http.register();
      const member = await http.createUser(admin.token);
      expect(fieldsOf(expectError(await patchUser(admin.token, member.user.id, body), 422))).toEqual([field]);
    });

    it.each([
      [{ name: null }, 'name'],
      [{ role: null }, 'role'],
      [{ isActive: null }, 'isActive'],
    ])('answers 422, not 500, for %j', async (body, field) => {
      const admin = await http.register();
      const member = await http.createUser(admin.token);
      expect(fieldsOf(expectError(await patchUser(admin.token, member.user.id, body), 422))).toEqual([field]);
    });

    it('deactivation revokes the sessions of the user and refuses their logins; reactivation lets them in again', async () => {
      const admin = await http.register();
      const member = await http.createUser(admin.token);
      const otherDevice = await http.login(member.email, member.password);
      const deactivated = expectOk(await patchUser(admin.token, member.user.id, { isActive: false }));
      expect(deactivated.isActive).toBe(false);

      expectError(await http.refresh(member.refreshToken), 401);
      expectError(await http.refresh(otherDevice.refreshToken), 401);
      expectError(await http.loginAttempt(member.email, member.password), 401);

      expect(expectOk(await patchUser(admin.token, member.user.id, { isActive: true })).isActive).toBe(true);
      await http.login(member.email, member.password);
      expectError(await http.refresh(member.refreshToken), 401); // revoked sessions stay revoked
    });
  });

  describe('the last active admin', () => {
    it('cannot be demoted or deactivated (409), by themselves', async () => {
      const admin = await http.register();
      expectError(await patchUser(admin.token, admin.user.id, { role: 'manager' }), 409);
      expectError(await patchUser(admin.token, admin.user.id, { isActive: false }), 409);
      expect(await http.me(admin.token)).toMatchObject({ role: 'admin', isActive: true });
    });

    it('stays protected when the other admins are inactive', async () => {
      const admin = await http.register();
      const second = await http.createUser(admin.token, { role: 'admin' });
      expectOk(await patchUser(admin.token, second.user.id, { isActive: false }));
      expectError(await patchUser(admin.token, admin.user.id, { role: 'sales' }), 409);
    });

    it('can be demoted once another active admin exists', async () => {
      const admin = await http.register();
      await http.createUser(admin.token, { role: 'admin' });
      expect(expectOk(await patchUser(admin.token, admin.user.id, { role: 'manager' })).role).toBe('manager');
    });

    it('allows changes to an admin that keep them an active admin', async () => {
      const admin = await http.register();
      expect(
        expectOk(
          await patchUser(admin.token, admin.user.id, { name: 'Still Admin', role: 'admin', isActive: true }),
        ).name,
      ).toBe('Still Admin');
    });

    it('survives two concurrent demotions of the two remaining admins: exactly one succeeds', async () => {
      for (let round = 0; round < 3; round++) {
        const first = await http.register();
        const second = await http.createUser(first.token, { role: 'admin' });
        const [a, b] = await Promise.all([
          patchUser(first.token, second.user.id, { role: 'sales' }),
          patchUser(second.token, first.user.id, { role: 'sales' }),
        ]);
        expect([a.status, b.status].sort()).toEqual([200, 409]);
        expectError(
          [a, b].find((res) => res.status === 409)!,
          409,
        );
        const admins = expectOk(await list(first.token, '?role=admin&isActive=true')) as UserJson[];
        expect(admins).toHaveLength(1);
      }
    });

    it('survives two concurrent deactivations of the two remaining admins: exactly one succeeds', async () => {
      const first = await http.register();
      const second = await http.createUser(first.token, { role: 'admin' });
      const answers = await Promise.all([
        patchUser(first.token, second.user.id, { isActive: false }),
        patchUser(second.token, first.user.id, { isActive: false }),
      ]);
      expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
      const admins = expectOk(await list(first.token, '?role=admin&isActive=true')) as UserJson[];
      expect(admins).toHaveLength(1);
    });
  });

  describe('GET /api/users', () => {
    /** An organization with an admin and `count` more users, created in order. */
    async function organizationWith(
      users: { role: 'admin' | 'manager' | 'sales'; name?: string }[],
    ): Promise<{ admin: Registered; users: UserJson[] }> {
      const admin = await http.register();
      const created: UserJson[] = [admin.user];
      for (const fields of users)
        created.push(expectOk(await postUser(admin.token, newUserBody(fields)), 201));
      return { admin, users: created };
    }

    it('lists the users of the caller organization only, oldest first, with meta', async () => {
      const { admin, users } = await organizationWith([{ role: 'sales' }, { role: 'manager' }]);
      await organizationWith([{ role: 'sales' }]);
      const res = await list(admin.token);
      const data = expectOk(res) as UserJson[];
      expect(data.map((u) => u.id)).toEqual(users.map((u) => u.id));
      for (const user of data) expectUserShape(user);
      expect(res.body.meta).toEqual({ total: 3, page: 1, limit: 25, totalPages: 1 });
    });

    it('is readable by sales users too', async () => {
      const { admin } = await organizationWith([]);
      const sales = await http.createUser(admin.token);
      expect(expectOk(await list(sales.token))).toHaveLength(2);
    });

    it('pages with page and limit', async () => {
      const { admin, users } = await organizationWith([
        { role: 'sales' },
        { role: 'sales' },
        { role: 'sales' },
        { role: 'sales' },
      ]);
      const res = await list(admin.token, '?page=2&limit=2');
      expect((expectOk(res) as UserJson[]).map((u) => u.id)).toEqual(users.slice(2, 4).map((u) => u.id));
      expect(res.body.meta).toEqual({ total: 5, page: 2, limit: 2, totalPages: 3 });
      const last = await list(admin.token, '?page=3&limit=2');
      expect((expectOk(last) as UserJson[]).map((u) => u.id)).toEqual([users[4].id]);
      expect(expectOk(await list(admin.token, '?page=4&limit=2'))).toEqual([]);
    });

    it('clamps a limit above 100 to 100', async () => {
      const { admin } = await organizationWith([]);
      expect((await list(admin.token, '?limit=500')).body.meta).toEqual({
        total: 1,
        page: 1,
        limit: 100,
        totalPages: 1,
      });
    });

    it.each(['?limit=0', '?limit=-1', '?limit=abc', '?page=0', '?page=x', '?role=owner', '?isActive=maybe'])(
      'answers 422 for %s',
      async (query) => {
        const { admin } = await organizationWith([]);
        expectError(await list(admin.token, query), 422);
      },
    );

    it('filters by role', async () => {
      const { admin, users } = await organizationWith([
        { role: 'sales' },
        { role: 'manager' },
        { role: 'sales' },
      ]);
      const sales = expectOk(await list(admin.token, '?role=sales')) as UserJson[];
      expect(sales.map((u) => u.id)).toEqual([users[1].id, users[3].id]);
    });

    it('filters by isActive', async () => {
      const { admin, users } = await organizationWith([{ role: 'sales' }, { role: 'sales' }]);
      expectOk(await patchUser(admin.token, users[1].id, { isActive: false }));
      expect((expectOk(await list(admin.token, '?isActive=false')) as UserJson[]).map((u) => u.id)).toEqual([
        users[1].id,
      ]);
      expect((expectOk(await list(admin.token, '?isActive=true')) as UserJson[]).map((u) => u.id)).toEqual([
        users[0].id,
        users[2].id,
      ]);
    });

    it('searches name and e-mail, case-insensitively', async () => {
      const { admin, users } = await organizationWith([
        { role: 'sales', name: 'Mary Jackson' },
        { role: 'sales', name: 'Annie Easley' },
      ]);
      expect((expectOk(await list(admin.token, '?search=JACKSON')) as UserJson[]).map((u) => u.id)).toEqual([
        users[1].id,
      ]);
      const byEmail = users[2].email.split('@')[0].toUpperCase();
      expect(
        (expectOk(await list(admin.token, `?search=${encodeURIComponent(byEmail)}`)) as UserJson[]).map(
          (u) => u.id,
        ),
      ).toEqual([users[2].id]);
      expect(expectOk(await list(admin.token, '?search=nobody-by-this-name'))).toEqual([]);
    });

    it('treats LIKE wildcards in the search as plain characters', async () => {
      const { admin, users } = await organizationWith([
        { role: 'sales', name: '100% Sales' },
        { role: 'sales', name: 'Plain Name' },
      ]);
      expect(
        (expectOk(await list(admin.token, `?search=${encodeURIComponent('%')}`)) as UserJson[]).map(
          (u) => u.id,
        ),
      ).toEqual([users[1].id]);
      expect(expectOk(await list(admin.token, `?search=${encodeURIComponent('_____')}`))).toEqual([]);
    });

    it('combines filters, and meta counts the filtered users', async () => {
      const { admin, users } = await organizationWith([
        { role: 'sales', name: 'Alpha One' },
        { role: 'sales', name: 'Alpha Two' },
        { role: 'manager', name: 'Alpha Three' },
      ]);
      expectOk(await patchUser(admin.token, users[2].id, { isActive: false }));
      const res = await list(admin.token, '?role=sales&isActive=true&search=alpha&limit=10');
      expect((expectOk(res) as UserJson[]).map((u) => u.id)).toEqual([users[1].id]);
      expect(res.body.meta).toEqual({ total: 1, page: 1, limit: 10, totalPages: 1 });
    });
  });
});
