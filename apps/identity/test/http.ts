// Shared helpers of identity's integration tests: HTTP calls against the in-process app, fresh
// organizations and users, the events it publishes, its database, TOTP codes and JWTs.
import {
  base64url,
  decodeJwt,
  EventCapture,
  EventInjector,
  eventually,
  signRs256,
  sleep,
  httpCall,
  type HttpAnswer,
  expectError,
  expectNoLeak,
  expectOk,
  fieldsOf,
  LEAKS,
  leaksIn,
  show,
  strongPassword,
  uniqueEmail,
  type ErrorJson,
} from '@flow-crm/testing';
import { databaseUrl } from '@flow-crm/db';
import { TestRun } from '@flow-crm/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { Client } from 'pg';
import { type RunningIdentity, startIdentity } from './identity-app';

/** JSON whose shape a test asserts as it reads it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user as the contract shows it. */
export interface UserJson {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
  role: 'admin' | 'manager' | 'sales';
  organizationId: string;
  isActive: boolean;
  twoFactorEnabled: boolean;
  preferences: { theme: string; notificationsEnabled: boolean; timezone: string; language: string };
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TeamJson {
  id: string;
  organizationId: string;
  name: string;
  managerId: string | null;
  memberIds: string[];
}

export interface TokenPair {
  token: string;
  refreshToken: string;
  expiresIn: number;
}

export type ApiResponse = HttpAnswer;

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sends `body` as given (a string) instead of as JSON. */
  readonly raw?: boolean;
  readonly headers?: Record<string, string>;
  readonly requestId?: string;
}

/** A freshly registered organization and its first admin, logged in. */
export interface Registered extends TokenPair {
  user: UserJson;
  organization: { id: string; name: string };
  email: string;
  password: string;
}

/** A user created by an admin, logged in. */
export interface CreatedUser extends TokenPair {
  user: UserJson;
  email: string;
  password: string;
}

export function requestId(): string {
  return `test-${randomUUID()}`;
}

/**
 * Waits until everything identity committed so far has been published: an organization
 * registered now has had its two events captured (the relay publishes in commit order).
 */
export async function publishedSoFar(http: IdentityHttp, events: EventCapture): Promise<void> {
  const id = requestId();
  expectOk(
    await http.api('POST', '/api/auth/register', {
      body: { email: uniqueEmail('barrier'), password: strongPassword(), name: 'B', organizationName: 'B' },
      requestId: id,
    }),
    201,
  );
  await events.waitFor((event) => event.correlationId === id, 2);
}

/** HTTP against one running identity. */
export class IdentityHttp {
  constructor(readonly baseUrl: string) {}

  api(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const { raw, body, requestId, headers, token } = options;
    return httpCall(this.baseUrl, method, path, {
      token,
      // A raw body is a JSON text the test broke on purpose: it still says it is JSON.
      headers: {
        ...(raw ? { 'content-type': 'application/json' } : {}),
        ...headers,
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      ...(raw ? { raw: String(body) } : { body }),
    });
  }

  /** Registers a fresh organization; its admin is logged in. */
  async register(overrides: Record<string, unknown> = {}): Promise<Registered> {
    const tag = randomBytes(3).toString('hex');
    const body = {
      email: uniqueEmail('admin'),
      password: strongPassword(),
      name: `Admin ${tag}`,
      organizationName: `Org ${tag}`,
      ...overrides,
    };
    const data = expectOk(await this.api('POST', '/api/auth/register', { body }), 201);
    return { ...data, email: String(body.email).trim().toLowerCase(), password: String(body.password) };
  }

  loginAttempt(email: string, password: string): Promise<ApiResponse> {
    return this.api('POST', '/api/auth/login', { body: { email, password } });
  }

  /** Logs in (asserting 200) and returns the tokens, or the 2FA challenge. */
  async login(email: string, password: string): Promise<TokenPair & { user: UserJson }> {
    return expectOk(await this.loginAttempt(email, password));
  }

  refresh(refreshToken: string): Promise<ApiResponse> {
    return this.api('POST', '/api/auth/refresh', { body: { refreshToken } });
  }

  async me(token: string): Promise<UserJson> {
    return expectOk(await this.api('GET', '/api/auth/me', { token }));
  }

  /** Creates a user in the admin's organization (asserting 201) and logs it in. */
  async createUser(
    adminToken: string,
    fields: { role?: 'admin' | 'manager' | 'sales'; email?: string; name?: string; password?: string } = {},
  ): Promise<CreatedUser> {
    const role = fields.role ?? 'sales';
    const body = {
      email: fields.email ?? uniqueEmail(role),
      name: fields.name ?? `${role} ${randomBytes(3).toString('hex')}`,
      role,
      password: fields.password ?? strongPassword(),
    };
    const user = expectOk(await this.api('POST', '/api/users', { token: adminToken, body }), 201);
    const session = await this.login(body.email, body.password);
    return {
      user,
      email: body.email,
      password: body.password,
      token: session.token,
      refreshToken: session.refreshToken,
      expiresIn: session.expiresIn,
    };
  }

  async createTeam(
    token: string,
    body: { name?: string; managerId?: string | null } = {},
  ): Promise<TeamJson> {
    return expectOk(
      await this.api('POST', '/api/teams', {
        token,
        body: { name: `Team ${randomBytes(3).toString('hex')}`, ...body },
      }),
      201,
    );
  }
}

/** identity's own database, for what a test must arrange behind the API's back (expired tokens, keys). */
export class IdentityDb {
  private constructor(private readonly client: Client) {}

  static async open(identity: RunningIdentity): Promise<IdentityDb> {
    const client = new Client({
      connectionString: databaseUrl(identity.config.DATABASE_URL, identity.config.DATABASE_NAME),
    });
    await client.connect();
    return new IdentityDb(client);
  }
  async query<T = Json>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

// --- TOTP ----------------------------------------------------------------------------------

export const TOTP_PERIOD_MS = 30_000;

/** The code of the step `offset` steps from the one `base` falls in. */
export function totpCode(secret: string, base: number, offset = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: base + offset * TOTP_PERIOD_MS,
  });
}

/**
 * A timestamp in a step that has at least `marginMs` left, waiting for the next step if need be,
 * so that codes computed relative to it keep their step offset while the test runs.
 */
export async function stableStepBase(marginMs = 6_000): Promise<number> {
  const left = TOTP_PERIOD_MS - (Date.now() % TOTP_PERIOD_MS);
  if (left < marginMs) await sleep(left + 50);
  return Date.now();
}

/** A six-digit code that is valid in no step within ±3 of `base`. */
export function wrongTotpCode(secret: string, base: number): string {
  const valid = new Set([-3, -2, -1, 0, 1, 2, 3].map((offset) => totpCode(secret, base, offset)));
  let n = Number(totpCode(secret, base));
  let code: string;
  do {
    n = (n + 1) % 1_000_000;
    code = String(n).padStart(6, '0');
  } while (valid.has(code));
  return code;
}

// --- JWT -----------------------------------------------------------------------------------

// --- shapes ---------------------------------------------------------------------------------

const USER_FIELDS = [
  'id',
  'email',
  'name',
  'avatarUrl',
  'role',
  'organizationId',
  'isActive',
  'twoFactorEnabled',
  'preferences',
  'lastLoginAt',
  'createdAt',
  'updatedAt',
];

/** A user as the contract shows it, and nothing that could be a secret (by key or by value). */
export function expectUserShape(user: unknown, secrets: string[] = []): asserts user is UserJson {
  expect(user).toEqual(
    expect.objectContaining({
      id: expect.stringMatching(UUID),
      organizationId: expect.stringMatching(UUID),
      email: expect.any(String),
      name: expect.any(String),
      role: expect.stringMatching(/^(admin|manager|sales)$/),
      isActive: expect.any(Boolean),
      twoFactorEnabled: expect.any(Boolean),
      preferences: {
        theme: expect.any(String),
        notificationsEnabled: expect.any(Boolean),
        timezone: expect.any(String),
        language: expect.any(String),
      },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    }),
  );
  expect(Object.keys(user as object).sort()).toEqual([...USER_FIELDS].sort());
  const json = JSON.stringify(user);
  expect(json).not.toMatch(/\$argon2|\$2[aby]\$/);
  for (const secret of secrets) expect(json).not.toContain(secret);
}

export interface IdentityFixture {
  run: TestRun;
  identity: RunningIdentity;
  http: IdentityHttp;
  db: IdentityDb;
  /** Events captured from the start (only with `capture`). */
  events: EventCapture;
  /** Publishes events on the run's exchange as another service would, for identity's consumer. */
  inject: EventInjector;
}

/**
 * Starts one identity for the calling test file (beforeAll) and tears it down (afterAll): its own
 * run, an HTTP client, a connection to its database and, with `capture`, a queue bound before the
 * first event is published. The fields are filled when the file's tests run.
 */
export function useIdentity(
  options: { capture?: string; env?: Record<string, string> } = {},
): IdentityFixture {
  const fixture = {} as IdentityFixture;
  beforeAll(async () => {
    fixture.run = await TestRun.create();
    if (options.capture) fixture.events = await EventCapture.start(fixture.run, options.capture);
    fixture.inject = await EventInjector.start(fixture.run);
    fixture.identity = await startIdentity(fixture.run, options.env);
    fixture.http = new IdentityHttp(fixture.identity.url);
    fixture.db = await IdentityDb.open(fixture.identity);
  });
  afterAll(async () => {
    await fixture.events?.close();
    await fixture.inject?.close();
    await fixture.db?.close();
    await fixture.identity?.close();
    await fixture.run?.cleanup();
  });
  return fixture;
}

export { base64url, decodeJwt, eventually, signRs256, sleep };

export { EventCapture, EventInjector };

export { expectError, expectNoLeak, expectOk, fieldsOf, LEAKS, leaksIn, show, strongPassword, uniqueEmail };
export type { ErrorJson };
