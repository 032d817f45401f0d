// npm run bench:gateway — what the gateway costs: GET /api/auth/me measured directly on identity
// and through the gateway, at the same concurrency, with autocannon. Starts its own identity and
// gateway (built apps, fresh databases and bus prefix; rate limits lifted) unless BENCH_IDENTITY_URL
// and BENCH_GATEWAY_URL point at running ones. Prints the table and writes docs/benchmarks.md.
import autocannon from 'autocannon';
import { machine, recordSection, registerOrganization } from './lib/bench.mjs';
import { startIsolatedStack } from './lib/stack.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 3;
/** A load both paths sustain with CPU to spare: what the gateway adds to one request, without queueing. */
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 300);

async function measure(url, token, seconds, overallRate) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    ...(overallRate ? { overallRate } : {}),
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  if (errors > 0) throw new Error(`${url}: ${errors} failed requests (${result.non2xx} non-2xx)`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main() {
  let stack;
  let identityUrl = process.env.BENCH_IDENTITY_URL;
  let gatewayUrl = process.env.BENCH_GATEWAY_URL;
  try {
    if (!identityUrl || !gatewayUrl) {
      stack = await startIsolatedStack(['identity', 'gateway'], {
        basePort: 4201,
        env: { RATE_LIMIT_PER_IP: '100000000', RATE_LIMIT_PER_USER: '100000000' },
      });
      ({ identity: identityUrl, gateway: gatewayUrl } = stack.urls);
    }
    const token = await registerOrganization(gatewayUrl);

    console.log(
      `GET /api/auth/me, ${CONNECTIONS} connections, ${DURATION_S} s each after a ${WARMUP_S} s warm-up`,
    );
    await measure(`${identityUrl}/api/auth/me`, token, WARMUP_S);
    const direct = await measure(`${identityUrl}/api/auth/me`, token, DURATION_S);
    await measure(`${gatewayUrl}/api/auth/me`, token, WARMUP_S);
    const proxied = await measure(`${gatewayUrl}/api/auth/me`, token, DURATION_S);
    const directSteady = await measure(`${identityUrl}/api/auth/me`, token, DURATION_S, STEADY_RATE);
    const proxiedSteady = await measure(`${gatewayUrl}/api/auth/me`, token, DURATION_S, STEADY_RATE);

    const rows = [
      ['identity, direct — as fast as it goes', direct],
      ['through the gateway — as fast as it goes', proxied],
      [`identity, direct — ${STEADY_RATE} req/s`, directSteady],
      [`through the gateway — ${STEADY_RATE} req/s`, proxiedSteady],
    ];
    const ratio = proxied.rps / direct.rps;
    const added = proxied.p50 - direct.p50;
    const addedSteady = proxiedSteady.p50 - directSteady.p50;
    const table = [
      '| path | requests/s | p50 (ms) | p99 (ms) |',
      '|---|---:|---:|---:|',
      ...rows.map(([name, r]) => `| ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} |`),
    ].join('\n');
    const verdict = [
      `Gateway throughput: ${(ratio * 100).toFixed(1)}% of direct (goal ≥ 80%).`,
      `Added p50 latency: ${added.toFixed(2)} ms at full load, ${addedSteady.toFixed(2)} ms at ${STEADY_RATE} req/s (goal < 2 ms).`,
      'At full load both processes and the load generator compete for the two cores, so the gateway',
      "adds its own CPU time and the queueing it causes; the steady-rate line is the gateway's own cost.",
    ].join('\n');
    console.log(`\n${table}\n\n${verdict}`);
    record(table, verdict);
  } finally {
    await stack?.stop();
  }
}

function record(table, verdict) {
  recordSection('gateway', [
    '## Gateway overhead',
    '',
    `Command: \`npm run bench:gateway\` (GET /api/auth/me, ${CONNECTIONS} connections, ${DURATION_S} s per measurement after a ${WARMUP_S} s warm-up;`,
    'identity, gateway and the load generator share the machine).',
    '',
    `Machine: ${machine()}.`,
    '',
    table,
    '',
    verdict,
  ]);
}

main().catch((error) => {
  console.error(`bench:gateway: ${error.message}`);
  process.exitCode = 1;
});
