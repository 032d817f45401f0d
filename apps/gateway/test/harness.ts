// What the gateway's integration and e2e tests share: the gateway in this process (or as its own
// process), identity as a real process, an HTTP client that reads answers whole, the contract's
// error shape and the gateway's metrics. The fakes are in fakes.ts.
import {
  eventually,
  expectError,
  expectOk,
  httpCall,
  type HttpAnswer,
  type HttpCallOptions,
  show,
  sleep,
  strongPassword,
  uniqueEmail,
} from '@flow-crm/testing';
import { freePort, launchApp, type LaunchedApp, TestRun } from '@flow-crm/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import { Client } from 'pg';
import { type GatewayConfig, loadGatewayConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import bundledRoutes from '../src/routing/routes.json';

/** Every service of the bundled routing table. */
export const SERVICES = Object.keys(bundledRoutes.services);

/** The variable that lists the instances of `service` (RoutingTable reads `<SERVICE>_URLS`). */
export function urlsVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URLS`;
}

/** A URL nothing listens on: connections to it are refused. */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

// --- HTTP --------------------------------------------------------------------------------------

export type Answer = HttpAnswer;
export type CallOptions = HttpCallOptions;

/** HTTP against one base URL (a gateway), each answer read whole. */
export class Http {
  constructor(readonly baseUrl: string) {}

  call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    return httpCall(this.baseUrl, method, path, options);
  }

  /**
   * The request with its path sent byte for byte (node:http), where fetch would normalise it
   * (`/a/%2e%2e/b` becomes `/b` in a WHATWG URL).
   */
  async rawPath(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const payload = options.body !== undefined ? JSON.stringify(options.body) : options.raw;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const { hostname, port } = new URL(this.baseUrl);
    const {
      status,
      headers: received,
      text,
    } = await new Promise<{
      status: number;
      headers: IncomingHttpHeaders;
      text: string;
    }>((resolve, reject) => {
      const req = request({ hostname, port, method, path, headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        res.on('error', reject);
      });
      req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer`)));
      req.on('error', reject);
      req.end(payload);
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(received)) {
      if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = text === '' ? null : text;
    if (text && /json/i.test(responseHeaders.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        // left as text for the test to judge
      }
    }
    return { status, headers: responseHeaders, body, text, request: `${method} ${path}` };
  }

  get(path: string, options: CallOptions = {}): Promise<Answer> {
    return this.call('GET', path, options);
  }

  post(path: string, body: unknown, options: CallOptions = {}): Promise<Answer> {
    return this.call('POST', path, { ...options, body });
  }
}

/** The value of one sample of a Prometheus text exposition, or undefined when it is absent. */
export function metricSample(
  exposition: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

// --- the gateway -------------------------------------------------------------------------------

export interface RunningGateway {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly config: GatewayConfig;
  readonly http: Http;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Gateway variables (UPSTREAM_TIMEOUT_MS, RATE_LIMIT_PER_IP, …) over the tests' defaults. */
  readonly config?: Record<string, string>;
  /** Instances by service (comma-separated URLs); every other service points at a dead URL. */
  readonly upstreams?: Record<string, string>;
}

/**
 * The environment of a gateway whose services are the given upstreams; every other service of the
 * routing table points at a URL nothing listens on, so that no test depends on what else runs on
 * this machine's default ports.
 */
export async function gatewayEnv(options: GatewayOptions = {}): Promise<Record<string, string>> {
  const dead = await deadUrl();
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DOCS_CACHE_SECONDS: '0',
    REDIS_URL: '',
    JWKS_URL: `${dead}/api/auth/jwks.json`,
  };
  for (const service of SERVICES) env[urlsVariable(service)] = options.upstreams?.[service] ?? dead;
  return { ...env, ...options.config };
}

/** The gateway in this process, listening on a free port of 127.0.0.1. */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = await gatewayEnv(options);
  const config = loadGatewayConfig(env);
  const app = await createGateway(config, env);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    config,
    http: new Http(url),
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    close: () => app.close(),
  };
}

/** The built gateway as its own process (apps/gateway/dist). */
export async function launchGateway(options: GatewayOptions = {}): Promise<LaunchedApp> {
  const env = await gatewayEnv({ ...options, config: { LOG_LEVEL: 'error', ...options.config } });
  return launchApp({ app: 'gateway', env });
}

// --- identity ----------------------------------------------------------------------------------

/** The built identity app as its own process, on this run's database and bus prefix. */
export async function launchIdentity(run: TestRun, port?: number): Promise<LaunchedApp> {
  run.trackService('identity');
  return launchApp({
    app: 'identity',
    port,
    env: {
      DATABASE_URL: run.infra.postgresUrl,
      DATABASE_NAME: run.database('identity'),
      RABBITMQ_URL: run.infra.rabbitmqUrl,
      BUS_PREFIX: run.prefix,
      LOG_LEVEL: 'error',
      ARGON2_MEMORY_KIB: '8192',
    },
  });
}

export interface Registered {
  readonly token: string;
  readonly refreshToken: string;
  readonly user: { id: string; email: string; organizationId: string };
  readonly organization: { id: string };
  readonly email: string;
  readonly password: string;
}

/** Registers a fresh organization through the gateway; its admin is logged in. */
export async function register(http: Http): Promise<Registered> {
  const tag = randomBytes(3).toString('hex');
  const email = uniqueEmail('admin');
  const password = strongPassword();
  const data = expectOk(
    await http.post('/api/auth/register', {
      email,
      password,
      name: `Admin ${tag}`,
      organizationName: `Org ${tag}`,
    }),
    201,
  );
  return { ...data, email, password };
}

/** The key identity signs access tokens with, read from its database (for tokens identity would not issue). */
export async function identitySigningKey(run: TestRun): Promise<{ kid: string; privateKeyPem: string }> {
  const client = new Client({ connectionString: run.databaseUrl('identity') });
  await client.connect();
  try {
    const { rows } = await client.query<{ kid: string; private_key_pem: string }>(
      'SELECT kid, private_key_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    return { kid: rows[0]!.kid, privateKeyPem: rows[0]!.private_key_pem };
  } finally {
    await client.end();
  }
}

export interface Stack {
  run: TestRun;
  identity: LaunchedApp;
  gateway: RunningGateway;
  http: Http;
}

/**
 * identity as a process and a gateway in this process in front of it (plus `upstreams`), for the
 * calling test file: started in beforeAll, stopped in afterAll. The fields are filled when the
 * file's tests run.
 */
export function useStack(options: {
  config?: Record<string, string>;
  upstreams?: () => Record<string, string>;
}): Stack {
  const stack = {} as Stack;
  beforeAll(async () => {
    stack.run = await TestRun.create();
    stack.identity = await launchIdentity(stack.run);
    stack.gateway = await startGateway({
      upstreams: { identity: stack.identity.url, ...options.upstreams?.() },
      config: { JWKS_URL: `${stack.identity.url}/api/auth/jwks.json`, ...options.config },
    });
    stack.http = stack.gateway.http;
  });
  afterAll(async () => {
    await stack.gateway?.close();
    await stack.identity?.stop();
    await stack.run?.cleanup();
  });
  return stack;
}

export { eventually, sleep };

export { expectError, expectOk, show, strongPassword, uniqueEmail };
