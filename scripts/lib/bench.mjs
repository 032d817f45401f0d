// What the benchmarks share: a fresh organization to measure with, and docs/benchmarks.md, where
// each benchmark owns the section between its markers.
import autocannon from 'autocannon';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './stack.mjs';

/** Registers a new organization through `baseUrl`; returns its admin's access token. */
export async function registerOrganization(baseUrl) {
  const res = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `bench.${Date.now()}@example.com`,
      password: 'Bench-Pass1',
      name: 'Bench',
      organizationName: 'Bench Org',
    }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return (await res.json()).data.token;
}

/** This machine, for the record: `2 × CPU model, 24 GiB, Node v20; run YYYY-MM-DD`. */
export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; run ${new Date().toISOString().slice(0, 10)}`;
}

/** Replaces the section `name` of docs/benchmarks.md (between its markers) with `lines`. */
export function recordSection(name, lines) {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = [begin, ...lines, end].join('\n');
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nFigures measured on the development machine, with the command that produced them.\n';
  writeFileSync(
    file,
    current.includes(begin)
      ? current.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section)
      : `${current.trimEnd()}\n\n${section}\n`,
  );
}

/**
 * `nextRequest()` in a closed loop of `connections` clients through `gateway` for `durationS`
 * seconds after a `warmupS` warm-up; any error or non-2xx answer fails the benchmark.
 * Returns requests/s, the latency percentiles (ms) of the measured part and, on Linux, the CPU
 * time each process of the machine spent per request meanwhile (`cpu`, ms by process kind).
 */
export async function measure(gateway, token, nextRequest, { connections, durationS, warmupS }) {
  const latencies = [];
  const options = (seconds) => ({
    url: gateway,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => {
          const next = nextRequest();
          return { ...request, ...next, headers: { authorization: `Bearer ${token}`, ...next.headers } };
        },
      },
    ],
  });
  await autocannon(options(warmupS));
  const cpuBefore = cpuTimes();
  const instance = autocannon(options(durationS));
  const failures = new Map();
  instance.on('response', (_client, status, _bytes, responseTime) => {
    if (status >= 400) failures.set(status, (failures.get(status) ?? 0) + 1);
    else latencies.push(responseTime);
  });
  const result = await instance;
  if (result.errors + result.timeouts + result.non2xx > 0)
    throw new Error(
      `${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx (${[...failures].map(([status, count]) => `${count} × ${status}`).join(', ')})`,
    );
  const cpu = cpuBefore && perRequest(cpuBefore, cpuTimes(), result.requests.total);
  return { rps: result.requests.average, ...percentiles(latencies), ...(cpu ? { cpu } : {}) };
}

/** Who the machine's CPU time goes to: an app of apps/, the database, the broker, this process. */
function processKind(pid, commandLine) {
  if (pid === process.pid) return 'load generator';
  const app = /apps\/([\w-]+)\/dist\/main\.js/.exec(commandLine);
  if (app) return app[1];
  if (/^postgres|\/postgres /.test(commandLine)) return 'PostgreSQL';
  if (/beam\.smp|rabbitmq/.test(commandLine)) return 'RabbitMQ';
  return 'other';
}

/**
 * CPU time (ms) so far by process kind, from /proc; null where there is no /proc. A process's own
 * time plus that of its children it has reaped, so that PostgreSQL backends that ended meanwhile
 * still count (in the postmaster's).
 */
function cpuTimes() {
  if (!existsSync('/proc/self/stat')) return null;
  const msPerTick = 10; // USER_HZ is 100 on Linux
  const times = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      // utime, stime, cutime, cstime: fields 14–17, counted after the parenthesised command name
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
      const kind = processKind(Number(entry), commandLine);
      times.set(kind, (times.get(kind) ?? 0) + ticks * msPerTick);
    } catch {
      // the process ended while being read
    }
  }
  return times;
}

/** CPU ms per request by process kind between two `cpuTimes()`, the kinds that used any. */
function perRequest(before, after, requests) {
  const cpu = {};
  for (const [kind, ms] of after) {
    const used = (ms - (before.get(kind) ?? 0)) / requests;
    if (used >= 0.01) cpu[kind] = Math.round(used * 100) / 100;
  }
  return cpu;
}

/** p50, p95 and p99 of latencies in ms, to 0.1 ms. */
export function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
  return { p50: at(50), p95: at(95), p99: at(99) };
}

/** Rows per file when seeding through a CSV import (the routes take up to 50,000). */
const IMPORT_ROWS = 5_000;

/**
 * Seeds `total` rows through the CSV import at `path` (gateway-relative), in files of 5,000 rows
 * with a progress bar: `line(null)` is the header, `line(i)` the i-th row.
 */
export async function importCsv(gateway, token, { path, total, label, line }) {
  const started = Date.now();
  for (let done = 0; done < total; done += IMPORT_ROWS) {
    const count = Math.min(IMPORT_ROWS, total - done);
    const lines = [line(null)];
    for (let i = done; i < done + count; i++) lines.push(line(i));
    const res = await fetch(`${gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: lines.join('\n'),
    });
    const body = await res.json();
    if (res.status !== 200 || body.data.imported !== count)
      throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    progress(label, done + count, total, started);
  }
  process.stdout.write('\n');
}

/** A one-line progress bar on the terminal. */
export function progress(label, done, total, started) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / ((Date.now() - started) / 1000);
  process.stdout.write(
    `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} (${rate.toFixed(0)}/s)`,
  );
}
