// npm run bench:contacts — contacts at scale, through the gateway: starts identity, contacts and
// the gateway on private ports and fresh databases, seeds one organization with 100,000 contacts
// through the CSV import (with a progress bar), spreads scores and dates over them, then measures
// list, search, filter and create at 20 concurrent clients, and the export of every row with the
// contacts process's memory watched. Prints the table and writes docs/benchmarks.md.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { importCsv, machine, measure, recordSection, registerOrganization } from './lib/bench.mjs';
import { startIsolatedStack } from './lib/stack.mjs';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 2;
const GOALS = { read: 50, exportSeconds: 5 };

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Radia',
  'Tim',
  'Frances',
  'John',
  'Lynn',
  'Dennis',
  'Hedy',
  'Linus',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Perlman',
  'Berners',
  'Allen',
  'Backus',
  'Conway',
  'Ritchie',
  'Lamarr',
  'Torvalds',
];
const COMPANIES = [
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark Industries',
  'Wayne Enterprises',
  'Acme',
  'Soylent',
  'Tyrell',
  'Cyberdyne',
  'Wonka',
  'Massive Dynamic',
];
/** Substrings a user types: parts of names and companies, some rare, some common. */
const SEARCHES = [
  'lovel',
  'hopp',
  'turi',
  'dijk',
  'knuth',
  'glob',
  'initech',
  'umbr',
  'stark',
  'wonk',
  'tyrel',
  'ada tor',
  'grace',
  'massive',
];
const pick = (list, i) => list[i % list.length];

async function main() {
  const stack = await startIsolatedStack(['identity', 'contacts', 'gateway'], {
    basePort: 4301,
    env: { RATE_LIMIT_PER_IP: '100000000', RATE_LIMIT_PER_USER: '100000000' },
  });
  try {
    const gateway = stack.urls.gateway;
    const token = await registerOrganization(gateway);
    const load = (nextRequest) =>
      measure(gateway, token, nextRequest, {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
      });
    await seed(gateway, token);
    await spread(stack);

    console.log(
      `\nthrough the gateway, ${CONNECTIONS} clients, ${DURATION_S} s each after a ${WARMUP_S} s warm-up`,
    );
    const rows = [];
    const get = (path) => ({ method: 'GET', path });
    let n = 0;
    rows.push(['list, default sort (-createdAt)', await load(() => get('/api/contacts'))]);
    rows.push([
      'search, substring of name/email/company',
      await load(() => get(`/api/contacts?search=${encodeURIComponent(pick(SEARCHES, n++))}`)),
    ]);
    rows.push(['filter=at-risk', await load(() => get('/api/contacts?filter=at-risk'))]);
    rows.push([
      'filter=needs-follow-up, sort=-healthScore',
      await load(() => get('/api/contacts?filter=needs-follow-up&sort=-healthScore')),
    ]);
    rows.push(['tag=vip, sort=name', await load(() => get('/api/contacts?tag=vip&sort=name'))]);
    const run = randomBytes(3).toString('hex');
    rows.push([
      'create',
      await load(() => ({
        method: 'POST',
        path: '/api/contacts',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Bench ${run} ${n}`, email: `bench-${run}-${n++}@example.com` }),
      })),
    ]);
    const exported = await exportAll(gateway, token, stack.children.contacts.pid);
    report(rows, exported);
  } finally {
    await stack.stop();
  }
}

/** 100,000 contacts through POST /api/contacts/import. */
async function seed(gateway, token) {
  await importCsv(gateway, token, {
    path: '/api/contacts/import',
    total: CONTACTS,
    label: 'seeding contacts',
    line: (i) => {
      if (i === null) return 'name,email,phone,company,title,tags';
      const name = `${pick(FIRST, i)} ${pick(LAST, Math.floor(i / FIRST.length))} ${i}`;
      const tags = i % 10 === 0 ? 'vip;newsletter' : i % 3 === 0 ? 'newsletter' : '';
      return `${name},contact${i}@example.com,+1 555 ${String(i).padStart(7, '0')},${pick(COMPANIES, i * 7)},Buyer,${tags}`;
    },
  });
}

/**
 * The import sets names and tags only; scores, last contacts and follow-ups are spread over the
 * rows directly in the database (this run's own), so that the filters select realistic shares.
 */
async function spread(stack) {
  const client = new pg.Client({ connectionString: stack.testRun.databaseUrl('contacts') });
  await client.connect();
  try {
    await client.query(`
      UPDATE contacts SET
        churn_risk = (abs(hashtext(id::text)) % 101),
        health_score = (abs(hashtext(name)) % 101),
        last_contact_at = now() - ((abs(hashtext(id::text || 'l')) % 90) || ' days')::interval,
        next_follow_up_at = CASE WHEN abs(hashtext(id::text || 'f')) % 4 = 0
                                 THEN now() + ((abs(hashtext(id::text || 'd')) % 20 - 10) || ' days')::interval END`);
    await client.query('VACUUM ANALYZE contacts');
    // The seeding's dirty pages written out now, not by a checkpoint during the first measurement.
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

/** The whole export, timed, with the contacts process's resident memory sampled meanwhile. */
async function exportAll(gateway, token, pid) {
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 25);
  const started = Date.now();
  const res = await fetch(`${gateway}/api/contacts/export`, {
    headers: { authorization: `Bearer ${token}` },
  });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  if (res.status !== 200) throw new Error(`export: ${res.status}`);
  const rows = lines - 1;
  console.log(`export: ${rows} rows, ${(bytes / 2 ** 20).toFixed(1)} MiB in ${seconds.toFixed(2)} s`);
  return { rows, bytes, seconds, rssBefore: before, rssPeak: peak };
}

function report(rows, exported) {
  const table = [
    '| request | requests/s | p50 (ms) | p95 (ms) | p99 (ms) |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(([name, r]) => `| ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p95} | ${r.p99} |`),
  ].join('\n');
  const reads = rows.slice(0, 5);
  const worst = Math.max(...reads.map(([, r]) => r.p95));
  const verdict = [
    `Reads: worst p95 ${worst} ms (goal < ${GOALS.read} ms) — ${worst < GOALS.read ? 'met' : 'NOT met'}.`,
    `Export: ${exported.rows} rows (${(exported.bytes / 2 ** 20).toFixed(1)} MiB) in ${exported.seconds.toFixed(2)} s ` +
      `(goal < ${GOALS.exportSeconds} s) — ${exported.seconds < GOALS.exportSeconds ? 'met' : 'NOT met'}; ` +
      `contacts RSS ${exported.rssBefore.toFixed(0)} MiB before, ${exported.rssPeak.toFixed(0)} MiB at its peak during the export.`,
  ].join('\n');
  console.log(`\n${table}\n\n${verdict}`);
  recordSection('contacts', [
    '## Contacts at 100,000',
    '',
    `Command: \`npm run bench:contacts\` (${CONTACTS} contacts in one organization, seeded through the CSV import;`,
    `${CONNECTIONS} concurrent clients through the gateway, ${DURATION_S} s per request type after a ${WARMUP_S} s warm-up;`,
    'identity, contacts, the gateway, PostgreSQL and the load generator share the machine).',
    '',
    `Machine: ${machine()}.`,
    '',
    table,
    '',
    verdict,
  ]);
}

main().catch((error) => {
  console.error(`bench:contacts: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
