import { eventEnvelopeSchema, type EventEnvelope } from '@flow-crm/contracts';
import {
  EventCapture,
  expectError,
  expectOk,
  IdentityHttp,
  publishedSoFar,
  requestId,
  strongPassword,
  uniqueEmail,
  UUID,
  useIdentity,
} from './http';

describe('identity: integration events through the outbox', () => {
  const fixture = useIdentity({ capture: 'identity.#' });
  let http: IdentityHttp;
  let events: EventCapture;
  beforeAll(() => ({ http, events } = fixture));

  /** Sends a request with a fresh X-Request-Id and returns the answer with that id. */
  async function tracked(method: string, path: string, token: string | undefined, body?: unknown) {
    const id = requestId();
    const res = await http.api(method, path, { token, body, requestId: id });
    return { res, id };
  }

  /** The events caused by one request, once `count` of them arrived. */
  const caused = (id: string, count = 1) => events.waitFor((event) => event.correlationId === id, count);

  /**
   * Proves that a request published nothing: a later request's event arrived (the relay publishes
   * in commit order), and still nothing carries the first request's id.
   */
  async function expectNothingPublishedFor(id: string): Promise<void> {
    await publishedSoFar(http, events);
    expect(events.byRequest(id)).toEqual([]);
  }

  function expectEnvelope(event: EventEnvelope, expected: Partial<EventEnvelope>): void {
    expect(() => eventEnvelopeSchema.parse(event)).not.toThrow();
    expect(event).toMatchObject({
      id: expect.stringMatching(UUID),
      version: 1,
      source: 'identity',
      causationId: null,
      ...expected,
    });
    expect(Date.now() - Date.parse(event.occurredAt)).toBeLessThan(60_000);
    expect(events.messageIds.get(event.id)).toBe(event.id);
    expect(events.routingKeys.get(event.id)).toBe(event.type);
  }

  const ofType = (list: EventEnvelope[], type: string) => {
    const found = list.filter((event) => event.type === type);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('publishes identity.organization.created and identity.user.created for a registration, with the request id as correlationId', async () => {
    const id = requestId();
    const email = uniqueEmail('events');
    const data = expectOk(
      await http.api('POST', '/api/auth/register', {
        body: { email, password: strongPassword(), name: 'Eve Events', organizationName: 'Evented' },
        requestId: id,
      }),
      201,
    );
    const published = await caused(id, 2);
    expect(published).toHaveLength(2);

    const organizationCreated = ofType(published, 'identity.organization.created');
    expectEnvelope(organizationCreated, {
      type: 'identity.organization.created',
      organizationId: data.organization.id,
      actorId: data.user.id,
      correlationId: id,
      aggregateId: data.organization.id,
      aggregateVersion: 1,
    });
    expect(organizationCreated.data).toEqual({
      id: data.organization.id,
      name: 'Evented',
      createdAt: data.organization.createdAt,
    });

    const userCreated = ofType(published, 'identity.user.created');
    expectEnvelope(userCreated, {
      type: 'identity.user.created',
      organizationId: data.organization.id,
      actorId: data.user.id,
      correlationId: id,
      aggregateId: data.user.id,
      aggregateVersion: 1,
    });
    expect(userCreated.data).toEqual({
      id: data.user.id,
      organizationId: data.organization.id,
      email,
      name: 'Eve Events',
      role: 'admin',
      isActive: true,
      avatarUrl: null,
    });
  });

  it('never puts a password, hash or token in an event', async () => {
    const password = strongPassword();
    const id = requestId();
    const data = expectOk(
      await http.api('POST', '/api/auth/register', {
        body: { email: uniqueEmail('secret'), password, name: 'S', organizationName: 'S' },
        requestId: id,
      }),
      201,
    );
    const json = JSON.stringify(await caused(id, 2));
    for (const secret of [password, data.token, data.refreshToken]) expect(json).not.toContain(secret);
    expect(json).not.toMatch(/argon2|passwordHash|twoFactorSecret/);
  });

  it('publishes identity.user.created for a user an admin creates, with the admin as actor', async () => {
    const admin = await http.register();
    const { res, id } = await tracked('POST', '/api/users', admin.token, {
      email: uniqueEmail('made'),
      name: 'Made',
      role: 'manager',
      password: strongPassword(),
    });
    const user = expectOk(res, 201);
    const [event] = await caused(id);
    expectEnvelope(event, {
      type: 'identity.user.created',
      organizationId: admin.organization.id,
      actorId: admin.user.id,
      aggregateId: user.id,
      aggregateVersion: 1,
    });
    expect(event.data).toMatchObject({ id: user.id, role: 'manager', isActive: true });
  });

  it('publishes identity.user.updated with changedFields and a higher aggregateVersion for a PATCH', async () => {
    const admin = await http.register();
    const created = await tracked('POST', '/api/users', admin.token, {
      email: uniqueEmail('patched'),
      name: 'Before',
      role: 'sales',
      password: strongPassword(),
    });
    const user = expectOk(created.res, 201);
    const [createdEvent] = await caused(created.id);

    const renamed = await tracked('PATCH', `/api/users/${user.id}`, admin.token, { name: 'After' });
    expectOk(renamed.res);
    const [renamedEvent] = await caused(renamed.id);
    expectEnvelope(renamedEvent, {
      type: 'identity.user.updated',
      organizationId: admin.organization.id,
      actorId: admin.user.id,
      aggregateId: user.id,
    });
    expect(renamedEvent.data).toMatchObject({
      id: user.id,
      name: 'After',
      role: 'sales',
      changedFields: ['name'],
    });
    expect(renamedEvent.aggregateVersion).toBeGreaterThan(createdEvent.aggregateVersion);

    const promoted = await tracked('PATCH', `/api/users/${user.id}`, admin.token, {
      role: 'manager',
      name: 'After',
    });
    expectOk(promoted.res);
    const [promotedEvent] = await caused(promoted.id);
    expect(promotedEvent.data).toMatchObject({ role: 'manager', changedFields: ['role'] });
    expect(promotedEvent.aggregateVersion).toBeGreaterThan(renamedEvent.aggregateVersion);
  });

  it('publishes nothing for a PATCH that changes nothing', async () => {
    const admin = await http.register();
    const member = await http.createUser(admin.token, { role: 'sales', name: 'Same' });
    const { res, id } = await tracked('PATCH', `/api/users/${member.user.id}`, admin.token, {
      name: 'Same',
      role: 'sales',
      isActive: true,
    });
    expectOk(res);
    await expectNothingPublishedFor(id);
  });

  it('publishes identity.user.deactivated for a deactivation, and identity.user.updated for a reactivation', async () => {
    const admin = await http.register();
    const member = await http.createUser(admin.token);
    const deactivation = await tracked('PATCH', `/api/users/${member.user.id}`, admin.token, {
      isActive: false,
    });
    expectOk(deactivation.res);
    const [deactivated] = await caused(deactivation.id);
    expectEnvelope(deactivated, {
      type: 'identity.user.deactivated',
      organizationId: admin.organization.id,
      actorId: admin.user.id,
      aggregateId: member.user.id,
    });
    expect(deactivated.data).toMatchObject({ id: member.user.id, isActive: false });

    const reactivation = await tracked('PATCH', `/api/users/${member.user.id}`, admin.token, {
      isActive: true,
    });
    expectOk(reactivation.res);
    const [reactivated] = await caused(reactivation.id);
    expect(reactivated).toMatchObject({
      type: 'identity.user.updated',
      data: { isActive: true, changedFields: ['isActive'] },
    });
    expect(reactivated.aggregateVersion).toBeGreaterThan(deactivated.aggregateVersion);
  });

  it('publishes identity.user.updated for a profile rename, and nothing for a preferences-only change', async () => {
    const admin = await http.register();
    const rename = await tracked('PUT', '/api/auth/me', admin.token, {
      name: 'New Me',
      avatarUrl: 'https://example.com/me.png',
    });
    expectOk(rename.res);
    const [renamed] = await caused(rename.id);
    expectEnvelope(renamed, {
      type: 'identity.user.updated',
      aggregateId: admin.user.id,
      actorId: admin.user.id,
    });
    expect(renamed.data).toMatchObject({
      name: 'New Me',
      avatarUrl: 'https://example.com/me.png',
      changedFields: ['name', 'avatarUrl'],
    });

    const preferences = await tracked('PUT', '/api/auth/me', admin.token, { preferences: { theme: 'dark' } });
    expectOk(preferences.res);
    await expectNothingPublishedFor(preferences.id);
  });

  it('publishes the events of a team lifecycle with increasing aggregateVersion', async () => {
    const admin = await http.register();
    const member = await http.createUser(admin.token);
    const created = await tracked('POST', '/api/teams', admin.token, { name: 'Eventful' });
    const team = expectOk(created.res, 201);
    const steps = [{ id: created.id, type: 'identity.team.created' }];
    for (const [method, path, body, type] of [
      [
        'PUT',
        `/api/teams/${team.id}`,
        { name: 'Eventful 2', managerId: admin.user.id },
        'identity.team.updated',
      ],
      ['POST', `/api/teams/${team.id}/members`, { userId: member.user.id }, 'identity.team.member_added'],
      [
        'DELETE',
        `/api/teams/${team.id}/members/${member.user.id}`,
        undefined,
        'identity.team.member_removed',
      ],
      ['DELETE', `/api/teams/${team.id}`, undefined, 'identity.team.deleted'],
    ] as const) {
      const { res, id } = await tracked(method, path, admin.token, body);
      expect(res.status).toBeLessThan(300);
      steps.push({ id, type });
    }

    const published: EventEnvelope[] = [];
    for (const { id, type } of steps) {
      const [event] = await caused(id);
      expectEnvelope(event, {
        type,
        organizationId: admin.organization.id,
        actorId: admin.user.id,
        aggregateId: team.id,
        correlationId: id,
      });
      published.push(event);
    }
    const versions = published.map((event) => event.aggregateVersion);
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]);

    expect(published[0].data).toEqual({
      id: team.id,
      organizationId: admin.organization.id,
      name: 'Eventful',
      managerId: null,
      memberIds: [],
    });
    expect(published[1].data).toEqual({
      id: team.id,
      organizationId: admin.organization.id,
      name: 'Eventful 2',
      managerId: admin.user.id,
      memberIds: [],
    });
    expect(published[2].data).toEqual({
      teamId: team.id,
      organizationId: admin.organization.id,
      userId: member.user.id,
    });
    expect(published[3].data).toEqual({
      teamId: team.id,
      organizationId: admin.organization.id,
      userId: member.user.id,
    });
    expect(published[4].data).toEqual({ id: team.id, organizationId: admin.organization.id });
    // The relay publishes one aggregate's events in the order they were written.
    const arrival = events
      .matching((event) => event.aggregateId === team.id)
      .map((event) => event.aggregateVersion);
    expect(arrival).toEqual(versions);
  });

  it('publishes nothing for a membership change that changes nothing', async () => {
    const admin = await http.register();
    const team = await http.createTeam(admin.token);
    expect(
      (
        await http.api('POST', `/api/teams/${team.id}/members`, {
          token: admin.token,
          body: { userId: admin.user.id },
        })
      ).status,
    ).toBe(201);
    const again = await tracked('POST', `/api/teams/${team.id}/members`, admin.token, {
      userId: admin.user.id,
    });
    expect(again.res.status).toBe(201);
    const notMember = await http.createUser(admin.token);
    const removal = await tracked(
      'DELETE',
      `/api/teams/${team.id}/members/${notMember.user.id}`,
      admin.token,
    );
    expectOk(removal.res);
    await expectNothingPublishedFor(again.id);
    expect(events.byRequest(removal.id)).toEqual([]);
  });

  it('publishes nothing for a request that fails with 409', async () => {
    const admin = await http.register();
    const duplicate = await tracked('POST', '/api/auth/register', undefined, {
      email: admin.email,
      password: strongPassword(),
      name: 'Dup',
      organizationName: 'Dup',
    });
    expectError(duplicate.res, 409);
    const duplicateUser = await tracked('POST', '/api/users', admin.token, {
      email: admin.email,
      password: strongPassword(),
      name: 'Dup',
      role: 'sales',
    });
    expectError(duplicateUser.res, 409);
    const lastAdmin = await tracked('PATCH', `/api/users/${admin.user.id}`, admin.token, { role: 'sales' });
    expectError(lastAdmin.res, 409);
    await http.createTeam(admin.token, { name: 'Taken' });
    const duplicateTeam = await tracked('POST', '/api/teams', admin.token, { name: 'Taken' });
    expectError(duplicateTeam.res, 409);

    await expectNothingPublishedFor(duplicate.id);
    for (const { id } of [duplicateUser, lastAdmin, duplicateTeam]) expect(events.byRequest(id)).toEqual([]);
  });

  it('publishes nothing for a request refused with 422 or 403', async () => {
    const admin = await http.register();
    const sales = await http.createUser(admin.token);
    const invalid = await tracked('POST', '/api/users', admin.token, {
      email: uniqueEmail(),
      password: 'weak',
      name: 'W',
      role: 'sales',
    });
    expectError(invalid.res, 422);
    const forbidden = await tracked('POST', '/api/teams', sales.token, { name: 'Not allowed' });
    expectError(forbidden.res, 403);
    await expectNothingPublishedFor(invalid.id);
    expect(events.byRequest(forbidden.id)).toEqual([]);
  });

  it('gives a request without X-Request-Id a generated correlation id, the one it answers with', async () => {
    const res = await http.api('POST', '/api/auth/register', {
      body: { email: uniqueEmail('noid'), password: strongPassword(), name: 'N', organizationName: 'N' },
    });
    const data = expectOk(res, 201);
    const generated = res.headers.get('x-request-id')!;
    expect(generated).toMatch(UUID);
    const published = await caused(generated, 2);
    expect(published.map((event) => event.aggregateId).sort()).toEqual(
      [data.organization.id, data.user.id].sort(),
    );
  });
});
