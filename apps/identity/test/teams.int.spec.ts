import { randomUUID } from 'node:crypto';
import { expectError, expectOk, fieldsOf, IdentityHttp, type TeamJson, UUID, useIdentity } from './http';

describe('identity: teams', () => {
  const fixture = useIdentity();
  let http: IdentityHttp;
  beforeAll(() => ({ http } = fixture));

  const createTeam = (token: string, body: unknown) => http.api('POST', '/api/teams', { token, body });
  const getTeam = (token: string, id: string) => http.api('GET', `/api/teams/${id}`, { token });
  const putTeam = (token: string, id: string, body: unknown) =>
    http.api('PUT', `/api/teams/${id}`, { token, body });
  const deleteTeam = (token: string, id: string) => http.api('DELETE', `/api/teams/${id}`, { token });
  const addMember = (token: string, id: string, userId: string) =>
    http.api('POST', `/api/teams/${id}/members`, { token, body: { userId } });
  /** Adds a member, asserting 201 (the membership is created), and answers the team. */
  const memberAdded = async (token: string, id: string, userId: string): Promise<TeamJson> =>
    expectOk(await addMember(token, id, userId), 201);
  const removeMember = (token: string, id: string, userId: string) =>
    http.api('DELETE', `/api/teams/${id}/members/${userId}`, { token });
  const listTeams = async (token: string): Promise<TeamJson[]> =>
    expectOk(await http.api('GET', '/api/teams', { token }));

  it('lists the teams of the organization by name, whatever the letter case', async () => {
    const admin = await http.register();
    for (const name of ['Zulu', 'alpha', 'Mike']) expectOk(await createTeam(admin.token, { name }), 201);
    expect((await listTeams(admin.token)).map((team) => team.name)).toEqual(['alpha', 'Mike', 'Zulu']);
  });

  describe('POST /api/teams', () => {
    it('creates a team (201) with the contract fields and no members', async () => {
      const admin = await http.register();
      const team = expectOk(await createTeam(admin.token, { name: '  East Coast ' }), 201);
      expect(team).toEqual({
        id: expect.stringMatching(UUID),
        organizationId: admin.organization.id,
        name: 'East Coast',
        managerId: null,
        memberIds: [],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(expectOk(await getTeam(admin.token, team.id))).toEqual(team);
    });

    it('accepts an active user of the organization as manager', async () => {
      const admin = await http.register();
      const manager = await http.createUser(admin.token, { role: 'manager' });
      const team = expectOk(
        await createTeam(admin.token, { name: 'Managed', managerId: manager.user.id }),
        201,
      );
      expect(team.managerId).toBe(manager.user.id);
    });

    it('lets a manager create a team, and answers 403 to a sales user', async () => {
      const admin = await http.register();
      const manager = await http.createUser(admin.token, { role: 'manager' });
      const sales = await http.createUser(admin.token, { role: 'sales' });
      expectOk(await createTeam(manager.token, { name: 'By A Manager' }), 201);
      expectError(await createTeam(sales.token, { name: 'By A Sales User' }), 403);
      expect((await listTeams(admin.token)).map((t) => t.name)).toEqual(['By A Manager']);
    });

    it('answers 422 naming `managerId` unless the manager is an active user of the organization', async () => {
      const admin = await http.register();
      const stranger = await http.register();
      const inactive = await http.createUser(admin.token);
      expectOk(
        await http.api('PATCH', `/api/users/${inactive.user.id}`, {
          token: admin.token,
          body: { isActive: false },
        }),
      );
      for (const managerId of [stranger.user.id, inactive.user.id, randomUUID(), 'not-a-uuid']) {
        expect(
          fieldsOf(expectError(await createTeam(admin.token, { name: `T ${managerId}`, managerId }), 422)),
        ).toEqual(['managerId']);
      }
      expect(await listTeams(admin.token)).toEqual([]);
    });

    it('answers 422 naming `name` for a missing or blank name', async () => {
      const admin = await http.register();
      expect(fieldsOf(expectError(await createTeam(admin.token, {}), 422))).toEqual(['name']);
      expect(fieldsOf(expectError(await createTeam(admin.token, { name: '  ' }), 422))).toEqual(['name']);
    });

    it('answers 409 for a name already used in the organization, in any letter case', async () => {
      const admin = await http.register();
      expectOk(await createTeam(admin.token, { name: 'Enterprise' }), 201);
      expectError(await createTeam(admin.token, { name: 'Enterprise' }), 409);
      expectError(await createTeam(admin.token, { name: 'ENTERPRISE' }), 409);
      expect(await listTeams(admin.token)).toHaveLength(1);
    });

    it('allows the same name in another organization', async () => {
      const first = await http.register();
      const second = await http.register();
      expectOk(await createTeam(first.token, { name: 'Shared Name' }), 201);
      expectOk(await createTeam(second.token, { name: 'Shared Name' }), 201);
    });

    it('lets exactly one of concurrent creations with one name succeed; the others get 409', async () => {
      const admin = await http.register();
      const answers = await Promise.all(
        [1, 2, 3].map(() => createTeam(admin.token, { name: 'Racing Team' })),
      );
      expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409]);
      for (const res of answers.filter((r) => r.status === 409)) expectError(res, 409);
      expect(await listTeams(admin.token)).toHaveLength(1);
    });
  });

  describe('GET /api/teams and /api/teams/:id', () => {
    it("lists the organization's teams by name, with their members, to any role", async () => {
      const admin = await http.register();
      const sales = await http.createUser(admin.token);
      const zulu = await http.createTeam(admin.token, { name: 'Zulu' });
      const alpha = await http.createTeam(admin.token, { name: 'Alpha' });
      await http.createTeam((await http.register()).token, { name: 'Elsewhere' });
      await memberAdded(admin.token, zulu.id, sales.user.id);

      const teams = await listTeams(sales.token);
      expect(teams.map((t) => [t.id, t.memberIds])).toEqual([
        [alpha.id, []],
        [zulu.id, [sales.user.id]],
      ]);
      expect(expectOk(await getTeam(sales.token, zulu.id)).memberIds).toEqual([sales.user.id]);
    });

    it("answers 404 for another organization's team, an unknown id and an id that is not a UUID", async () => {
      const admin = await http.register();
      const foreign = await http.createTeam((await http.register()).token);
      for (const id of [foreign.id, randomUUID(), 'abc']) expectError(await getTeam(admin.token, id), 404);
    });
  });

  describe('PUT /api/teams/:id', () => {
    it('is a partial update of name and manager', async () => {
      const admin = await http.register();
      const manager = await http.createUser(admin.token, { role: 'manager' });
      const team = await http.createTeam(admin.token, { name: 'Before', managerId: manager.user.id });
      const renamed = expectOk(await putTeam(admin.token, team.id, { name: 'After' }));
      expect(renamed).toMatchObject({ id: team.id, name: 'After', managerId: manager.user.id });
      const unmanaged = expectOk(await putTeam(admin.token, team.id, { managerId: null }));
      expect(unmanaged).toMatchObject({ name: 'After', managerId: null });
      expect(expectOk(await getTeam(admin.token, team.id))).toMatchObject({ name: 'After', managerId: null });
    });

    it('ignores organizationId and memberIds in the body', async () => {
      const admin = await http.register();
      const other = await http.register();
      const team = await http.createTeam(admin.token);
      const updated = expectOk(
        await putTeam(admin.token, team.id, {
          organizationId: other.organization.id,
          memberIds: [other.user.id],
        }),
      );
      expect(updated).toMatchObject({ organizationId: admin.organization.id, memberIds: [] });
    });

    it('accepts a change of letter case of its own name, and answers 409 for the name of another team', async () => {
      const admin = await http.register();
      const team = await http.createTeam(admin.token, { name: 'North' });
      await http.createTeam(admin.token, { name: 'South' });
      expect(expectOk(await putTeam(admin.token, team.id, { name: 'NORTH' })).name).toBe('NORTH');
      expectError(await putTeam(admin.token, team.id, { name: 'south' }), 409);
      expect(expectOk(await getTeam(admin.token, team.id)).name).toBe('NORTH');
    });

    it('answers 422 naming `managerId` for a manager outside the organization', async () => {
      const admin = await http.register();
      const stranger = await http.register();
      const team = await http.createTeam(admin.token);
      expect(
        fieldsOf(expectError(await putTeam(admin.token, team.id, { managerId: stranger.user.id }), 422)),
      ).toEqual(['managerId']);
    });

    it('answers 422, not 500, for a null name', async () => {
      const admin = await http.register();
      const team = await http.createTeam(admin.token);
      expect(fieldsOf(expectError(await putTeam(admin.token, team.id, { name: null }), 422))).toEqual([
        'name',
      ]);
    });

    it("answers 403 to a sales user and 404 for another organization's team", async () => {
      const admin = await http.register();
      const sales = await http.createUser(admin.token);
      const team = await http.createTeam(admin.token, { name: 'Untouched' });
      expectError(await putTeam(sales.token, team.id, { name: 'Touched' }), 403);
      const foreign = await http.register();
      expectError(await putTeam(foreign.token, team.id, { name: 'Touched' }), 404);
      expect(expectOk(await getTeam(admin.token, team.id)).name).toBe('Untouched');
    });
  });

  describe('DELETE /api/teams/:id', () => {
    it('deletes the team: 200 {success: true}, then 404 everywhere and no longer listed', async () => {
      const admin = await http.register();
      const member = await http.createUser(admin.token);
      const team = await http.createTeam(admin.token, { name: 'Doomed' });
      await memberAdded(admin.token, team.id, member.user.id);

      expect(expectOk(await deleteTeam(admin.token, team.id))).toEqual({ success: true });

      expectError(await getTeam(admin.token, team.id), 404);
      expect(await listTeams(admin.token)).toEqual([]);
      expectError(await putTeam(admin.token, team.id, { name: 'Revived' }), 404);
      expectError(await deleteTeam(admin.token, team.id), 404);
      expectError(await addMember(admin.token, team.id, admin.user.id), 404);
      expectError(await removeMember(admin.token, team.id, member.user.id), 404);
    });

    it('frees the name of a deleted team', async () => {
      const admin = await http.register();
      const team = await http.createTeam(admin.token, { name: 'Reused' });
      expectOk(await deleteTeam(admin.token, team.id));
      expectOk(await createTeam(admin.token, { name: 'Reused' }), 201);
    });

    it("answers 403 to a sales user and 404 for another organization's team", async () => {
      const admin = await http.register();
      const sales = await http.createUser(admin.token);
      const team = await http.createTeam(admin.token);
      expectError(await deleteTeam(sales.token, team.id), 403);
      expectError(await deleteTeam((await http.register()).token, team.id), 404);
      expectOk(await getTeam(admin.token, team.id));
    });
  });

  describe('team members', () => {
    it('adds and removes members, answering the team each time', async () => {
      const admin = await http.register();
      const [first, second] = [await http.createUser(admin.token), await http.createUser(admin.token)];
      const team = await http.createTeam(admin.token);
      expect((await memberAdded(admin.token, team.id, first.user.id)).memberIds).toEqual([first.user.id]);
      expect((await memberAdded(admin.token, team.id, second.user.id)).memberIds).toEqual([
        first.user.id,
        second.user.id,
      ]);
      expect(expectOk(await removeMember(admin.token, team.id, first.user.id)).memberIds).toEqual([
        second.user.id,
      ]);
      expect(expectOk(await getTeam(admin.token, team.id)).memberIds).toEqual([second.user.id]);
    });

    it('lets a manager manage members, and answers 403 to a sales user', async () => {
      const admin = await http.register();
      const manager = await http.createUser(admin.token, { role: 'manager' });
      const sales = await http.createUser(admin.token);
      const team = await http.createTeam(admin.token);
      await memberAdded(manager.token, team.id, sales.user.id);
      expectError(await removeMember(sales.token, team.id, sales.user.id), 403);
      expectError(await addMember(sales.token, team.id, manager.user.id), 403);
      expect(expectOk(await getTeam(admin.token, team.id)).memberIds).toEqual([sales.user.id]);
    });

    it('adds a member once, however often they are added', async () => {
      const admin = await http.register();
      const team = await http.createTeam(admin.token);
      await memberAdded(admin.token, team.id, admin.user.id);
      expect((await memberAdded(admin.token, team.id, admin.user.id)).memberIds).toEqual([admin.user.id]);
    });

    it('answers 200 with the team unchanged when removing someone who is not a member', async () => {
      const admin = await http.register();
      const team = await http.createTeam(admin.token);
      expect(expectOk(await removeMember(admin.token, team.id, admin.user.id)).memberIds).toEqual([]);
    });

    it("answers 422 naming `userId` for another organization's user, an inactive user or an unknown one", async () => {
      const admin = await http.register();
      const stranger = await http.register();
      const inactive = await http.createUser(admin.token);
      expectOk(
        await http.api('PATCH', `/api/users/${inactive.user.id}`, {
          token: admin.token,
          body: { isActive: false },
        }),
      );
      const team = await http.createTeam(admin.token);
      for (const userId of [stranger.user.id, inactive.user.id, randomUUID(), 'not-a-uuid']) {
        expect(fieldsOf(expectError(await addMember(admin.token, team.id, userId), 422))).toEqual(['userId']);
      }
      expect(expectOk(await getTeam(admin.token, team.id)).memberIds).toEqual([]);
    });

    it("answers 404 for another organization's team, and for ids that are not UUIDs", async () => {
      const admin = await http.register();
      const foreignTeam = await http.createTeam((await http.register()).token);
      expectError(await addMember(admin.token, foreignTeam.id, admin.user.id), 404);
      expectError(await removeMember(admin.token, foreignTeam.id, admin.user.id), 404);
      expectError(await addMember(admin.token, 'nope', admin.user.id), 404);
      const team = await http.createTeam(admin.token);
      expectError(await removeMember(admin.token, team.id, 'nope'), 404);
    });
  });
});
