/// <reference types="jest" />
// A service app in the test's own process for integration tests: its own database and bus prefix,
// tokens from a fake issuer (services only verify them), events captured and injected on the run's
// exchange. Each app's test folder adds its own helpers (creating its records) on top.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EventCapture } from './event-capture';
import { EventInjector } from './event-injector';
import { httpCall, type HttpAnswer } from './http';
import { waitForHttp } from './launcher';
import { TestRun } from './test-run';
import { FakeIssuer, type Principal, type PrincipalRole } from './token-issuer';

/** JSON whose shape a test asserts as it reads it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as it is, with `contentType` (a CSV file, a broken JSON text). */
  readonly raw?: string | Buffer;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

/** What the fixture needs of a started app: its HTTP server, and closing it. */
export interface StartedApp {
  getHttpServer(): { address(): unknown };
  close(): Promise<void>;
}

/** A user of one organization, as the API sees it through its token. */
export class Caller {
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    protected readonly fixture: ServiceFixture<any, Caller, StartedApp>,
    readonly principal: Principal,
  ) {}

  get userId(): string {
    return this.principal.userId;
  }

  get organizationId(): string {
    return this.principal.organizationId;
  }

  call(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
    return this.fixture.call(method, path, { ...options, token: this.principal.token });
  }
}

export interface ServiceFixture<C, U extends Caller = Caller, A extends StartedApp = StartedApp> {
  run: TestRun;
  /** The started app (its providers, for metrics a test reads). */
  app: A;
  url: string;
  config: C;
  issuer: FakeIssuer;
  /** Every event published on the run's exchange since the start (binding `#`). */
  events: EventCapture;
  /** Publishes events as another service would. */
  inject: EventInjector;
  /** The service's own database, for what a test checks behind the API (outbox, replica rows). */
  db: Client;
  call(method: string, path: string, options?: RequestOptions & { token?: string }): Promise<HttpAnswer>;
  /** A user with `role` in organization `org` (a fresh organization by default). */
  user(role?: PrincipalRole, org?: string): U;
}

export interface ServiceFixtureOptions<C, U extends Caller, A extends StartedApp> {
  readonly service: string;
  /** The service's configuration from these variables (its own loader, so its defaults apply). */
  readonly loadConfig: (env: Record<string, string>) => C;
  /** Builds and starts the app (HTTP and event consumers) on an ephemeral port of 127.0.0.1. */
  readonly start: (config: C) => Promise<A>;
  /** The caller class with the app's helpers. */
  readonly caller: new (fixture: ServiceFixture<C, U, A>, principal: Principal) => U;
  readonly env?: Record<string, string>;
}

/** A unique lower-case word, for names that searches must find unambiguously. */
export function word(): string {
  return `w${randomBytes(5).toString('hex')}z`;
}

/** Short back-off steps, so that a test sees a retried event within a second. */
const TEST_RETRY_DELAYS_MS = [200, 400];

/**
 * Starts the service for the calling test file (beforeAll) and stops it (afterAll). The fields
 * are filled when the file's tests run.
 */
export function useService<C, U extends Caller, A extends StartedApp>(
  options: ServiceFixtureOptions<C, U, A>,
): ServiceFixture<C, U, A> {
  const fixture = {} as ServiceFixture<C, U, A>;
  beforeAll(async () => {
    fixture.run = await TestRun.create();
    fixture.run.trackService(options.service, TEST_RETRY_DELAYS_MS);
    fixture.issuer = await FakeIssuer.start();
    fixture.events = await EventCapture.start(fixture.run, '#');
    fixture.inject = await EventInjector.start(fixture.run);
    const config = options.loadConfig({
      DATABASE_URL: fixture.run.infra.postgresUrl,
      DATABASE_NAME: fixture.run.database(options.service),
      RABBITMQ_URL: fixture.run.infra.rabbitmqUrl,
      BUS_PREFIX: fixture.run.prefix,
      BUS_RETRY_DELAYS_MS: TEST_RETRY_DELAYS_MS.join(','),
      OUTBOX_POLL_MS: '100',
      JWKS_URL: fixture.issuer.jwksUrl,
      LOG_LEVEL: 'warn',
      ...options.env,
    });
    fixture.config = config;
    fixture.app = await options.start(config);
    const { port } = fixture.app.getHttpServer().address() as { port: number };
    fixture.url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${fixture.url}/health/ready`, 15_000);
    fixture.db = new Client({ connectionString: fixture.run.databaseUrl(options.service) });
    await fixture.db.connect();
    fixture.call = (method, path, request = {}) =>
      httpCall(fixture.url, method, path, {
        token: request.token,
        headers: {
          ...(request.contentType ? { 'content-type': request.contentType } : {}),
          ...request.headers,
        },
        ...(request.raw !== undefined ? { raw: request.raw } : { body: request.body }),
      });
    fixture.user = (role = 'admin', org = randomUUID()) =>
      new options.caller(fixture, fixture.issuer.user({ role, org }));
  }, 60_000);
  afterAll(async () => {
    await fixture.db?.end();
    await fixture.app?.close();
    await fixture.events?.close();
    await fixture.inject?.close();
    await fixture.issuer?.close();
    await fixture.run?.cleanup();
  });
  return fixture;
}
