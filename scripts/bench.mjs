// npm run bench — the whole stack under load, through the gateway. Starts identity, contacts,
// pipeline and the gateway on private ports and fresh databases (or, with BENCH_GATEWAY_URL, uses a
// running stack), seeds one organization (10,000 leads, 50,000 contacts, 20,000 deals, with
// progress), then measures deal list, deal create, stage change, forecast, board and search at 20
// concurrent clients, and how long events take to reach the other service. Prints the table and
// writes docs/benchmarks.md.
import { cpus } from 'node:os';
import pg from 'pg';
import {
  importCsv,
  machine,
  measure,
  percentiles,
  progress,
  recordSection,
  registerOrganization,
} from './lib/bench.mjs';
import { startIsolatedStack } from './lib/stack.mjs';

const LEADS = Number(process.env.BENCH_LEADS ?? 10_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 50_000);
const DEALS = Number(process.env.BENCH_DEALS ?? 20_000);
const SEED_CONCURRENCY = 16;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 2;
const PROPAGATION_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const GOALS = { read: 50, write: 100, propagation: 200 };
const STAGES = ['prospect', 'qualified', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];
const COMPANIES = [
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark',
  'Wayne',
  'Acme',
  'Soylent',
  'Tyrell',
  'Wonka',
];
const SEARCHES = ['glob', 'initech', 'umbr', 'hool', 'stark', 'wayne', 'acme', 'tyrel', 'wonk', 'renewal'];
const pick = (list, i) => list[i % list.length];

async function main() {
  const external = process.env.BENCH_GATEWAY_URL;
  const stack = external
    ? null
    : await startIsolatedStack(['identity', 'contacts', 'pipeline', 'gateway'], {
        basePort: 4501,
        env: { RATE_LIMIT_PER_IP: '100000000', RATE_LIMIT_PER_USER: '100000000' },
      });
  try {
    const gateway = external ?? stack.urls.gateway;
    const token = await registerOrganization(gateway);
    const api = client(gateway, token);
    const contactIds = await seedContacts(gateway, token, api);
    await seedLeads(gateway, token);
    await waitForContactReplica(api, contactIds[0]);
    const dealIds = await seedDeals(api, contactIds);
    if (stack) await settle(stack);

    const load = (nextRequest) =>
      measure(gateway, token, nextRequest, {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
      });
    const get = (path) => ({ method: 'GET', path });
    const json = (method, path, body) => ({
      method,
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    console.log(
      `\nthrough the gateway, ${CONNECTIONS} clients, ${DURATION_S} s each after a ${WARMUP_S} s warm-up`,
    );
    let n = 0;
    const reads = [
      ['deal list, default sort', await load(() => get('/api/deals'))],
      ['deal list, filter=hot, sort=-value', await load(() => get('/api/deals?filter=hot&sort=-value'))],
      ['forecast', await load(() => get('/api/deals/forecast'))],
      ['board', await load(() => get('/api/deals/board'))],
      [
        'search (gateway fan-out to 2 services)',
        await load(() => get(`/api/search?q=${pick(SEARCHES, n++)}`)),
      ],
    ];
    const writes = [
      [
        'deal create',
        await load(() =>
          json('POST', '/api/deals', { title: `Bench deal ${n++}`, value: 1000 + (n % 50_000) }),
        ),
      ],
      [
        'stage change',
        await load(() => {
          const i = n++;
          return json('PATCH', `/api/deals/${pick(dealIds, i * 7919)}/stage`, {
            stage: pick(STAGES.slice(0, 4), i),
          });
        }),
      ],
    ];
    console.log(`\npropagation, ${PROPAGATION_SAMPLES} samples each`);
    const propagation = [
      ['deal created → contact totals updated', await dealToTotals(api, contactIds)],
      ['lead converted → contact readable', await conversionToContact(api)],
    ];
    report(reads, writes, propagation);
  } finally {
    await stack?.stop();
  }
}

/** JSON calls through the gateway as the benchmark's admin. */
function client(gateway, token) {
  return async (method, path, body) => {
    const res = await fetch(`${gateway}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

async function seedContacts(gateway, token, api) {
  await importCsv(gateway, token, {
    path: '/api/contacts/import',
    total: CONTACTS,
    label: 'seeding contacts',
    line: (i) =>
      i === null ? 'name,email,company' : `Contact ${i},contact${i}@example.com,${pick(COMPANIES, i)}`,
  });
  // Their ids, newest first, through the list (the export would do too).
  const ids = [];
  for (let page = 1; ids.length < Math.min(CONTACTS, 2_000); page++) {
    const res = await api('GET', `/api/contacts?limit=100&page=${page}`);
    if (res.status !== 200 || res.body.data.length === 0) break;
    ids.push(...res.body.data.map((contact) => contact.id));
  }
  return ids;
}

async function seedLeads(gateway, token) {
  await importCsv(gateway, token, {
    path: '/api/leads/import',
    total: LEADS,
    label: 'seeding leads',
    line: (i) =>
      i === null
        ? 'name,email,company,source'
        : `Lead ${i},lead${i}@example.com,${pick(COMPANIES, i * 3)},${pick(['Website', 'Referral', 'Ads'], i)}`,
  });
}

/** Deals point at contacts pipeline knows from contacts' events: wait until they flow. */
async function waitForContactReplica(api, contactId) {
  const deadline = Date.now() + 300_000;
  process.stdout.write('waiting for pipeline to hear of the contacts');
  for (;;) {
    const res = await api('POST', '/api/deals', { title: 'Replica probe', value: 1, contactId });
    if (res.status === 201) {
      await api('DELETE', `/api/deals/${res.body.data.id}`);
      process.stdout.write(' done\n');
      return;
    }
    if (Date.now() > deadline) throw new Error(`pipeline never heard of contact ${contactId}`);
    process.stdout.write('.');
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function seedDeals(api, contactIds) {
  const started = Date.now();
  const ids = [];
  let next = 0;
  const month = (i) =>
    new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + (i % 6), 1 + (i % 27)));
  const worker = async () => {
    for (let i = next++; i < DEALS; i = next++) {
      const res = await createDeal(api, {
        title: `${pick(['Renewal', 'Expansion', 'New business', 'Pilot'], i)} ${pick(COMPANIES, i)} ${i}`,
        value: 500 + ((i * 7919) % 200_000),
        stage: pick(STAGES, i),
        company: pick(COMPANIES, i),
        expectedCloseDate: month(i).toISOString().slice(0, 10),
        ...(i % 2 === 0 ? { contactId: pick(contactIds, i) } : {}),
      });
      if (res.status !== 201)
        throw new Error(`deal ${i}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      if (res.body.data.stage !== 'closed_won' && res.body.data.stage !== 'closed_lost')
        ids.push(res.body.data.id);
      if (i % 200 === 0) progress('seeding deals', Math.min(next, DEALS), DEALS, started);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  progress('seeding deals', DEALS, DEALS, started);
  process.stdout.write('\n');
  return ids;
}

/** A deal; one refused because pipeline has not heard of its contact yet is tried again. */
async function createDeal(api, body) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await api('POST', '/api/deals', body);
    const unknownContact = res.status === 422 && res.body.error.details?.some((d) => d.field === 'contactId');
    if (!unknownContact || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Statistics up to date and the seeding's writes on disk before measuring (this run's databases only). */
async function settle(stack) {
  for (const app of ['contacts', 'pipeline']) {
    const client = new pg.Client({ connectionString: stack.testRun.databaseUrl(app) });
    await client.connect();
    try {
      await client.query('VACUUM ANALYZE');
      await client.query('CHECKPOINT');
    } finally {
      await client.end();
    }
  }
}

async function poll(check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('propagation timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A deal for a contact, then its totals in contacts, polled. */
async function dealToTotals(api, contactIds) {
  const samples = [];
  for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
    const contactId = contactIds[contactIds.length - 1 - i];
    const before = (await api('GET', `/api/contacts/${contactId}`)).body.data.totalDealsCount;
    const started = performance.now();
    const res = await api('POST', '/api/deals', { title: `Propagation ${i}`, value: 10, contactId });
    if (res.status !== 201) throw new Error(`deal: ${res.status}`);
    await poll(
      async () => (await api('GET', `/api/contacts/${contactId}`)).body.data.totalDealsCount > before,
    );
    samples.push(performance.now() - started);
  }
  return percentiles(samples);
}

/** A lead converted, then its contact in contacts, polled. */
async function conversionToContact(api) {
  const samples = [];
  for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
    const lead = await api('POST', '/api/leads', {
      name: `Propagation lead ${i}`,
      company: `Propagation Co ${i}`,
    });
    const started = performance.now();
    const out = await api('POST', `/api/leads/${lead.body.data.id}/convert`, { createDeal: true });
    if (out.status !== 200) throw new Error(`convert: ${out.status}`);
    await poll(async () => (await api('GET', `/api/contacts/${out.body.data.contactId}`)).status === 200);
    samples.push(performance.now() - started);
  }
  return percentiles(samples);
}

function report(reads, writes, propagation) {
  const row = ([name, r]) =>
    `| ${name} | ${r.rps === undefined ? '—' : r.rps.toFixed(0)} | ${r.p50} | ${r.p95} | ${r.p99} |`;
  const table = [
    '| measurement | requests/s | p50 (ms) | p95 (ms) | p99 (ms) |',
    '|---|---:|---:|---:|---:|',
    ...reads.map(row),
    ...writes.map(row),
    ...propagation.map(row),
  ].join('\n');
  const worst = (rows) => Math.max(...rows.map(([, r]) => r.p95));
  const verdict = [
    ['Reads', worst(reads), GOALS.read],
    ['Writes', worst(writes), GOALS.write],
    ['Propagation', worst(propagation), GOALS.propagation],
  ]
    .map(
      ([what, p95, goal]) =>
        `${what}: worst p95 ${p95} ms (goal < ${goal} ms) — ${p95 < goal ? 'met' : 'NOT met'}.`,
    )
    .join('\n');
  const cpu = cpuTable([...reads, ...writes]);
  console.log(`\n${table}\n\n${verdict}${cpu ? `\n\n${cpu.join('\n')}` : ''}`);
  recordSection('stack', [
    '## The whole stack',
    '',
    `Command: \`npm run bench\` (one organization with ${LEADS} leads and ${CONTACTS} contacts seeded through the CSV`,
    `imports and ${DEALS} deals through the API; ${CONNECTIONS} concurrent clients through the gateway, ${DURATION_S} s per`,
    `request type after a ${WARMUP_S} s warm-up; propagation timed from the write's answer being sent to the other`,
    `service answering with the change, ${PROPAGATION_SAMPLES} sequential samples; identity, contacts, pipeline, the gateway,`,
    'PostgreSQL, RabbitMQ and the load generator share the machine).',
    '',
    `Machine: ${machine()}.`,
    '',
    table,
    '',
    verdict,
    ...(cpu ? ['', ...cpu] : []),
  ]);
}

const CPU_KINDS = [
  'gateway',
  'identity',
  'contacts',
  'pipeline',
  'PostgreSQL',
  'RabbitMQ',
  'load generator',
  'other',
];

/**
 * Where each request's CPU time went, and the throughput that leaves the machine's cores: in a
 * closed loop, latency is about clients ÷ throughput, so this bounds what the table can show.
 */
function cpuTable(rows) {
  if (!rows.every(([, r]) => r.cpu)) return null;
  const cores = cpus().length;
  const line = ([name, r]) => {
    const total = CPU_KINDS.reduce((sum, kind) => sum + (r.cpu[kind] ?? 0), 0);
    const cells = CPU_KINDS.map((kind) => (r.cpu[kind] ?? 0).toFixed(2));
    return `| ${name} | ${cells.join(' | ')} | ${total.toFixed(2)} | ${Math.round((cores * 1000) / total)} |`;
  };
  return [
    `CPU time per request (ms), by process, measured from /proc during the measured ${DURATION_S} s; the ceiling is`,
    `${cores} cores' worth of it, the throughput the machine allows whatever the latency:`,
    '',
    `| measurement | ${CPU_KINDS.join(' | ')} | total | ceiling (req/s) |`,
    `|---|${CPU_KINDS.map(() => '---:').join('|')}|---:|---:|`,
    ...rows.map(line),
  ];
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
