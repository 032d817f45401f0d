// The contacts app in this process for integration tests: its own database and bus prefix, tokens
// from a fake issuer (contacts only verifies them), events captured and injected on the run's exchange.
import { databaseUrl } from '@flow-crm/db';
import { createServiceApp } from '@flow-crm/platform';
import {
  EventCapture,
  EventInjector,
  expectOk,
  FakeIssuer,
  httpCall,
  type HttpAnswer,
  type Principal,
  type PrincipalRole,
  TestRun,
  waitForHttp,
} from '@flow-crm/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { type ContactsConfig, loadContactsConfig } from '../src/config';

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

/** A user of one organization, as the API sees it through its token. */
export class Caller {
  constructor(
    private readonly app: ContactsFixture,
    readonly principal: Principal,
  ) {}

  get userId(): string {
    return this.principal.userId;
  }

  get organizationId(): string {
    return this.principal.organizationId;
  }

  call(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
    return this.app.call(method, path, { ...options, token: this.principal.token });
  }

  /** Another user of the same organization. */
  colleague(role: PrincipalRole): Caller {
    return this.app.user(role, this.organizationId);
  }

  async createContact(body: Record<string, unknown> = {}): Promise<Json> {
    return expectOk(
      await this.call('POST', '/api/contacts', { body: { name: `Contact ${word()}`, ...body } }),
      201,
    );
  }

  async createCustomer(body: Record<string, unknown> = {}): Promise<Json> {
    return expectOk(
      await this.call('POST', '/api/customers', { body: { name: `Customer ${word()}`, ...body } }),
      201,
    );
  }
}

export interface ContactsFixture {
  run: TestRun;
  app: NestFastifyApplication;
  url: string;
  config: ContactsConfig;
  issuer: FakeIssuer;
  /** Every event published on the run's exchange since the start (binding `#`). */
  events: EventCapture;
  /** Publishes events as another service would (pipeline's deals and conversions). */
  inject: EventInjector;
  /** contacts' own database, for what a test checks behind the API (outbox, replica rows). */
  db: Client;
  call(method: string, path: string, options?: RequestOptions & { token?: string }): Promise<HttpAnswer>;
  /** A user with `role` in organization `org` (a fresh organization by default). */
  user(role?: PrincipalRole, org?: string): Caller;
}

/** A unique lower-case word, for names that searches must find unambiguously. */
export function word(): string {
  return `w${randomBytes(5).toString('hex')}z`;
}

/**
 * Starts contacts for the calling test file (beforeAll) and stops it (afterAll). The fields are
 * filled when the file's tests run.
 */
export function useContacts(env: Record<string, string> = {}): ContactsFixture {
  const fixture = {} as ContactsFixture;
  beforeAll(async () => {
    fixture.run = await TestRun.create();
    fixture.run.trackService('contacts', [200, 400]);
    fixture.issuer = await FakeIssuer.start();
    fixture.events = await EventCapture.start(fixture.run, '#');
    fixture.inject = await EventInjector.start(fixture.run);
    fixture.config = loadContactsConfig({
      DATABASE_URL: fixture.run.infra.postgresUrl,
      DATABASE_NAME: fixture.run.database('contacts'),
      RABBITMQ_URL: fixture.run.infra.rabbitmqUrl,
      BUS_PREFIX: fixture.run.prefix,
      BUS_RETRY_DELAYS_MS: '200,400',
      OUTBOX_POLL_MS: '100',
      JWKS_URL: fixture.issuer.jwksUrl,
      LOG_LEVEL: 'warn',
      ...env,
    });
    fixture.app = await createServiceApp(AppModule.with(fixture.config), {
      service: 'contacts',
      title: 'contacts (test)',
      config: fixture.config,
    });
    await fixture.app.startAllMicroservices();
    await fixture.app.listen(0, '127.0.0.1');
    const { port } = fixture.app.getHttpServer().address() as { port: number };
    fixture.url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${fixture.url}/health/ready`, 15_000);
    fixture.db = new Client({
      connectionString: databaseUrl(fixture.config.DATABASE_URL, fixture.config.DATABASE_NAME),
    });
    await fixture.db.connect();
    fixture.call = (method, path, options = {}) =>
      httpCall(fixture.url, method, path, {
        token: options.token,
        headers: {
          ...(options.contentType ? { 'content-type': options.contentType } : {}),
          ...options.headers,
        },
        ...(options.raw !== undefined ? { raw: options.raw } : { body: options.body }),
      });
    fixture.user = (role = 'admin', org = randomUUID()) =>
      new Caller(fixture, fixture.issuer.user({ role, org }));
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
