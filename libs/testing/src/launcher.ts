import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface LaunchOptions {
  /** The app's folder name under apps/ (its built entry is apps/<app>/dist/main.js). */
  readonly app: string;
  readonly env: Record<string, string>;
  /** Port to listen on; a free one when left out. */
  readonly port?: number;
  readonly readyTimeoutMs?: number;
  /** Where the repository is; found from this file when left out. */
  readonly root?: string;
}

export interface LaunchedApp {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Recent output, for failure messages. */
  output(): string;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Polls `url` until it answers 2xx or the deadline passes. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/** Starts a built app as a child process and waits until /health/ready answers. */
export async function launchApp(options: LaunchOptions): Promise<LaunchedApp> {
  const root = options.root ?? resolve(__dirname, '../../..');
  const port = options.port ?? (await freePort());
  const entry = resolve(root, 'apps', options.app, 'dist', 'main.js');
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  const alive = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health/ready`, options.readyTimeoutMs ?? 30_000, alive);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${options.app} did not start: ${(error as Error).message}\n${log}`);
  }
  const terminate = async (signal: NodeJS.Signals) => {
    if (!alive()) return;
    child.kill(signal);
    await exited;
  };
  return {
    url,
    port,
    process: child,
    output: () => log,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
  };
}
