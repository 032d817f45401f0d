// What the benchmarks share: a fresh organization to measure with, and docs/benchmarks.md, where
// each benchmark owns the section between its markers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
