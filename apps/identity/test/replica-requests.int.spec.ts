import {
  type EventEnvelope,
  eventEnvelopeSchema,
  type ReplicatedAggregate,
  UserRepublished,
} from '@flow-crm/contracts';
import { Metrics } from '@flow-crm/observability';
import { deliverAndWait, replicasRequested } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import {
  type EventCapture,
  expectOk,
  IdentityHttp,
  publishedSoFar,
  type Registered,
  requestId,
  strongPassword,
  uniqueEmail,
  UUID,
  useIdentity,
} from './http';

/** The user snapshot other services replicate (identity.user.* events' data). */
interface Snapshot {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: 'admin' | 'manager' | 'sales';
  isActive: boolean;
  avatarUrl: string | null;
}

/** A user of a test organization: what its replica must hold, and the version its last own event carried. */
interface Arranged {
  snapshot: Snapshot;
  lastEventVersion: number;
}

type Outcome = 'processed' | 'duplicate';

// identity as the owner of the users other services replicate: when pipeline meets an
// organization older than its database it asks (pipeline.replicas.requested), and identity sends
// every user of that organization again as identity.user.republished.
describe('identity: answering pipeline.replicas.requested', () => {
  const fixture = useIdentity({ capture: 'identity.#' });
  let http: IdentityHttp;
  let events: EventCapture;
  beforeAll(() => ({ http, events } = fixture));

  /**
   * Publishes the request as pipeline's relay would and waits until the consumer has committed it
   * with `outcome` (its inbox row and outbox rows in one transaction); a failing handler fails at once.
   */
  const deliver = (event: EventEnvelope, outcome: Outcome = 'processed'): Promise<void> =>
    deliverAndWait(fixture.inject, fixture.identity.app.get(Metrics), [event], { outcome, failFast: true });

  /**
   * Waits until everything identity committed so far has been published: a later registration's
   * events arrived (the relay publishes in commit order). Whatever a delivered request caused is
   * in `events` after this, and what is not there was never published.
   */
  const barrier = () => publishedSoFar(http, events);

  /** What identity published in answer to `request`: it carries the request's correlation id. */
  const answersTo = (request: EventEnvelope) =>
    events.matching((event) => event.correlationId === request.correlationId);

  /** The aggregateVersion of the user's newest identity.user.* event captured (not counting republished ones). */
  async function lastEventVersion(userId: string): Promise<number> {
    const own = await events.waitFor(
      (event) =>
        event.aggregateId === userId &&
        event.type.startsWith('identity.user.') &&
        event.type !== UserRepublished.type,
    );
    return Math.max(...own.map((event) => event.aggregateVersion));
  }

  /** The user's current version in identity's database. */
  async function storedVersion(userId: string): Promise<number> {
    const [row] = await fixture.db.query<{ version: number }>('SELECT version FROM users WHERE id = $1', [
      userId,
    ]);
    return row!.version;
  }

  /** Sends a request with a fresh X-Request-Id, asserts its status, and waits for the one event it causes. */
  async function changed(
    method: string,
    path: string,
    token: string,
    body: unknown,
    status = 200,
  ): Promise<{ data: Snapshot; event: EventEnvelope }> {
    const id = requestId();
    const data = expectOk(await http.api(method, path, { token, body, requestId: id }), status);
    const [event] = await events.waitFor((e) => e.correlationId === id);
    return { data, event: event! };
  }

  /**
   * An organization whose users have been through a life: the admin renamed themselves and set an
   * avatar, a manager was renamed, a sales user was deactivated. None of them logged in after
   * their last change, so each one's current version is the one its last event carried.
   */
  async function organization(): Promise<{ admin: Registered; users: Arranged[] }> {
    const admin = await http.register({ name: 'Ada Admin' });
    const renamedAdmin = await changed('PUT', '/api/auth/me', admin.token, {
      name: 'Ada Renamed',
      avatarUrl: 'https://example.com/ada.png',
    });

    const created = await changed(
      'POST',
      '/api/users',
      admin.token,
      { email: uniqueEmail('manager'), name: 'Max Before', role: 'manager', password: strongPassword() },
      201,
    );
    const renamed = await changed('PATCH', `/api/users/${created.data.id}`, admin.token, {
      name: 'Max After',
    });
    expect(renamed.event.aggregateVersion).toBeGreaterThan(created.event.aggregateVersion);

    const leaving = await changed(
      'POST',
      '/api/users',
      admin.token,
      { email: uniqueEmail('leaver'), name: 'Lee Leaver', role: 'sales', password: strongPassword() },
      201,
    );
    const deactivated = await changed('PATCH', `/api/users/${leaving.data.id}`, admin.token, {
      isActive: false,
    });
    expect(deactivated.event.type).toBe('identity.user.deactivated');

    const users: Arranged[] = [];
    for (const { event } of [renamedAdmin, renamed, deactivated]) {
      const { id, organizationId, email, name, role, isActive, avatarUrl } = event.data as Snapshot;
      users.push({
        snapshot: { id, organizationId, email, name, role, isActive, avatarUrl },
        lastEventVersion: await lastEventVersion(id),
      });
    }
    return { admin, users };
  }

  function expectRepublished(event: EventEnvelope, request: EventEnvelope, user: Arranged): void {
    expect(() => eventEnvelopeSchema.parse(event)).not.toThrow();
    expect(event).toEqual({
      id: expect.stringMatching(UUID),
      type: UserRepublished.type,
      version: UserRepublished.version,
      occurredAt: expect.any(String),
      source: 'identity',
      organizationId: user.snapshot.organizationId,
      actorId: null,
      correlationId: request.correlationId,
      causationId: request.id,
      aggregateId: user.snapshot.id,
      aggregateVersion: user.lastEventVersion,
      data: user.snapshot,
    });
    expect(event.id).not.toBe(request.id);
    expect(Date.now() - Date.parse(event.occurredAt)).toBeLessThan(60_000);
    expect(events.messageIds.get(event.id)).toBe(event.id);
    expect(events.routingKeys.get(event.id)).toBe(UserRepublished.type);
  }

  it("republishes every user of the organization, inactive ones included, as they are now, and no other organization's", async () => {
    const a = await organization();
    const b = await organization();
    const request = replicasRequested(a.admin.organization.id);

    await deliver(request);
    const answers = await events.waitFor((event) => event.correlationId === request.correlationId, 3);
    await barrier();
    expect(answersTo(request)).toHaveLength(3);

    expect(answers.map((event) => event.aggregateId).sort()).toEqual(
      a.users.map((user) => user.snapshot.id).sort(),
    );
    for (const user of a.users) {
      const [event] = answers.filter((e) => e.aggregateId === user.snapshot.id);
      expectRepublished(event!, request, user);
      expect(event!.aggregateVersion).toBe(await storedVersion(user.snapshot.id));
    }
    // As the users are now: the renames, the avatar and the deactivation are in.
    expect(answers.map((event) => event.data.name).sort()).toEqual([
      'Ada Renamed',
      'Lee Leaver',
      'Max After',
    ]);
    expect(answers.find((event) => event.data.name === 'Lee Leaver')!.data.isActive).toBe(false);
    expect(answers.find((event) => event.data.name === 'Max After')!.aggregateVersion).toBeGreaterThan(1);

    const republishedOfB = events.matching(
      (event) =>
        event.type === UserRepublished.type &&
        (event.organizationId === b.admin.organization.id ||
          b.users.some((user) => user.snapshot.id === event.aggregateId)),
    );
    expect(republishedOfB).toEqual([]);
  });

  it('sends the current version of a user whose version moved on without an event (a login)', async () => {
    const admin = await http.register();
    const member = await http.createUser(admin.token, { role: 'sales', name: 'Logged In' });
    // createUser logged the member in: its version moved past the one identity.user.created carried.
    const stored = await storedVersion(member.user.id);
    expect(stored).toBeGreaterThanOrEqual(await lastEventVersion(member.user.id));

    const request = replicasRequested(admin.organization.id, ['identity.user']);
    await deliver(request);
    await barrier();
    const answers = answersTo(request);
    expect(answers.map((event) => event.aggregateId).sort()).toEqual([admin.user.id, member.user.id].sort());
    const answer = answers.find((event) => event.aggregateId === member.user.id)!;
    expect(answer.aggregateVersion).toBe(stored);
    expect(answer.data).toEqual({
      id: member.user.id,
      organizationId: admin.organization.id,
      email: member.email,
      name: 'Logged In',
      role: 'sales',
      isActive: true,
      avatarUrl: null,
    });
  });

  it.each([[['contacts.contact']], [['contacts.contact', 'contacts.customer']]] as ReplicatedAggregate[][][])(
    'publishes nothing for a request that does not list identity.user (%j)',
    async (aggregates) => {
      const { admin } = await organization();
      const request = replicasRequested(admin.organization.id, aggregates);
      await deliver(request);
      await barrier();
      expect(answersTo(request)).toEqual([]);
      expect(events.matching((event) => event.causationId === request.id)).toEqual([]);
    },
  );

  it('answers a request delivered twice (same event id) only once', async () => {
    const { admin, users } = await organization();
    const request = replicasRequested(admin.organization.id, ['identity.user']);

    await deliver(request, 'processed');
    await deliver(request, 'duplicate');
    await deliver(request, 'duplicate');
    await barrier();

    const answers = answersTo(request);
    expect(answers).toHaveLength(users.length);
    expect(new Set(answers.map((event) => event.aggregateId)).size).toBe(users.length);
    const inbox = await fixture.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM inbox_events WHERE event_id = $1',
      [request.id],
    );
    expect(inbox[0]!.n).toBe(1);
  });

  it('answers a second request for the same organization (a new event id) again', async () => {
    const { admin, users } = await organization();
    const first = replicasRequested(admin.organization.id, ['identity.user']);
    const second = replicasRequested(admin.organization.id, ['identity.user']);
    await deliver(first);
    await deliver(second);
    await barrier();
    expect(answersTo(first)).toHaveLength(users.length);
    expect(answersTo(second)).toHaveLength(users.length);
    expect(answersTo(second).every((event) => event.causationId === second.id)).toBe(true);
  });

  it('publishes nothing, and does not fail, for an organization it does not know', async () => {
    const request = replicasRequested(randomUUID());
    await deliver(request);
    await barrier();
    expect(answersTo(request)).toEqual([]);
  });
});
