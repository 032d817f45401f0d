// Helpers shared by the start, seed and acceptance scripts: which apps exist, whether the
// infrastructure answers, and starting/stopping app processes.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every app with its default port (ARCHITECTURE.md, "Topology"), in start order. */
export const APP_PORTS = {
  identity: 3001,
  contacts: 3002,
  pipeline: 3003,
  messaging: 3004,
  calendar: 3005,
  quoting: 3006,
  campaigns: 3007,
  support: 3008,
  ai: 3009,
  gateway: 8080,
};

/** The apps present in this checkout, in start order (services first, gateway last). */
export function presentApps() {
  const folders = new Set(readdirSync(join(ROOT, 'apps')));
  return Object.keys(APP_PORTS).filter((app) => folders.has(app));
}

/**
 * Where the gateway finds each service started here: `<SERVICE>_URLS` (the routing table's keys,
 * apps/gateway/src/routing/routes.json) for every present app but the gateway, on `portOf(app)`.
 */
export function serviceUrls(apps, portOf) {
  return Object.fromEntries(
    apps
      .filter((app) => app !== 'gateway')
      .map((app) => [`${app.toUpperCase().replace(/-/g, '_')}_URLS`, `http://127.0.0.1:${portOf(app)}`]),
  );
}

export function builtEntry(app) {
  const entry = join(ROOT, 'apps', app, 'dist', 'main.js');
  if (!existsSync(entry)) throw new Error(`apps/${app} is not built (${entry} is missing)`);
  return entry;
}

/** Resolves true when a TCP connection to the URL's host and port succeeds within 2 s. */
export function reachable(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || defaultPort) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Says which of PostgreSQL and RabbitMQ cannot be reached, and how to start them. */
export async function checkInfrastructure(env = process.env) {
  const postgres = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const rabbitmq = env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const missing = [];
  if (!(await reachable(postgres, 5432))) missing.push(['PostgreSQL', postgres, 'postgres']);
  if (!(await reachable(rabbitmq, 5672))) missing.push(['RabbitMQ', rabbitmq, 'rabbitmq']);
  if (missing.length === 0) return true;
  for (const [name, url] of missing) console.error(`✗ ${name} is not reachable at ${redact(url)}`);
  console.error(
    [
      '',
      'Start them with Docker:',
      `  docker compose up -d ${missing.map(([, , service]) => service).join(' ')}`,
      'or point DATABASE_URL / RABBITMQ_URL at running servers. On a Debian machine with the packages installed:',
      '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      '  rabbitmq-server -detached',
    ].join('\n'),
  );
  return false;
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Starts `node apps/<app>/dist/main.js`; its output goes to ours, prefixed with the app name. */
export function startApp(app, env) {
  const child = spawn(process.execPath, [builtEntry(app)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${app}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  return child;
}

/** Polls `url` until it answers 2xx; rejects after `timeoutMs` or when `child` exits. */
export async function waitReady(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s`);
}

/** SIGTERM every child and wait for them (they finish in-flight work first). */
export function stopAll(children) {
  return Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
}

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/**
 * Builds and starts `apps` (in that order; the gateway last) on private ports (`basePort` plus the
 * app's place in APP_PORTS), fresh databases and a fresh bus prefix, for the acceptance run and
 * the benchmarks: nothing touches a developer's data. Returns the URLs, the child processes and
 * `stop()`, which also drops the data.
 */
export async function startIsolatedStack(apps, { basePort, env = {} }) {
  if (!(await checkInfrastructure())) process.exit(1);
  await run('npx', [
    'nx',
    'run-many',
    '-t',
    'build',
    '--projects',
    apps.join(','),
    '--output-style',
    'static',
  ]);
  // Built above: the test harness gives the run its own databases and broker names, and removes them.
  const { default: testing } = await import('@flow-crm/testing');
  const testRun = await testing.TestRun.create();
  const portOf = (app) => basePort + Object.keys(APP_PORTS).indexOf(app);
  const urls = Object.fromEntries(apps.map((app) => [app, `http://127.0.0.1:${portOf(app)}`]));
  const children = {};
  const stop = async () => {
    await stopAll(Object.values(children));
    await testRun.cleanup();
  };
  try {
    for (const app of apps) {
      testRun.trackService(app);
      children[app] = startApp(app, {
        LOG_LEVEL: 'warn',
        PORT: String(portOf(app)),
        DATABASE_NAME: testRun.database(app),
        BUS_PREFIX: testRun.prefix,
        JWKS_URL: `${urls.identity}/api/auth/jwks.json`,
        ...serviceUrls(apps, portOf),
        ...env,
      });
      await waitReady(`${urls[app]}/health/ready`, 60_000, children[app]);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, children, testRun, stop };
}
