// The acceptance step of `npm test`: builds the apps, starts them on a fresh database set and bus
// prefix (so the run never touches a developer's data), runs the black-box suites of
// ../shared/acceptance that apply to the apps present, then stops everything and drops the data.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, presentApps, run, startIsolatedStack } from './lib/stack.mjs';

const ACCEPTANCE = join(ROOT, '..', 'shared', 'acceptance');
/**
 * Which suite needs which apps; a suite runs once every app it needs exists. `needsFor` names the
 * tests of a suite that also need another app (`{app: [exact test names]}`): until that app exists
 * they are skipped, and the rest of the suite runs.
 */
const SUITES = [
  // Through the gateway once there is one: that covers identity and the gateway's routing of it.
  {
    file: 'identity.test.mjs',
    needs: ['identity'],
    through: presentApps().includes('gateway') ? 'gateway' : 'identity',
  },
  { file: 'gateway.test.mjs', needs: ['identity', 'gateway'], through: 'gateway' },
  {
    file: 'contacts.test.mjs',
    needs: ['identity', 'contacts', 'gateway'],
    through: 'gateway',
    // Deal totals per contact come from the pipeline's events: these tests create deals (POST /api/deals).
    needsFor: {
      pipeline: [
        'filter=high-value is totalDealsValue > 50000, driven by deals in the pipeline',
        'stats count total, highValue, atRisk and needsFollowUp with the filter definitions',
      ],
    },
  },
  { file: 'pipeline.test.mjs', needs: ['identity', 'contacts', 'pipeline', 'gateway'], through: 'gateway' },
];
if (!existsSync(ACCEPTANCE)) {
  console.error(`acceptance: ${ACCEPTANCE} not found (the shared folder belongs beside this checkout)`);
  process.exit(1);
}

const apps = presentApps();
const suites = SUITES.filter((suite) => suite.needs.every((app) => apps.includes(app)));

/** The tests of a suite that need an app this checkout does not have: `[{name, app}]`. */
const skippedTests = (suite) =>
  Object.entries(suite.needsFor ?? {})
    .filter(([app]) => !apps.includes(app))
    .flatMap(([app, names]) => names.map((name) => ({ name, app })));

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `^(?:a|b)$`: exactly one of these names. */
const exactly = (names) => `^(?:${names.map(escapeRegExp).join('|')})$`;

/**
 * The describe() blocks around the named tests of a test file, read from its source (nesting by
 * indentation). Warns about a name the file does not have: the list in SUITES is stale.
 */
function enclosingSuites(file, names) {
  const unquote = (literal) => literal.replace(/\\(.)/g, '$1');
  const suitesOf = (stack) => stack.map((suite) => suite.name);
  const stack = [];
  const found = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const call = /^(\s*)(describe|suite|test|it)(?:\.\w+)?\(\s*(['"`])((?:\\.|(?!\3).)*)\3/.exec(line);
    if (!call) continue;
    const [, indent, kind, , literal] = call;
    while (stack.length > 0 && stack.at(-1).indent >= indent.length) stack.pop();
    const name = unquote(literal);
    if (kind === 'describe' || kind === 'suite') stack.push({ indent: indent.length, name });
    else if (names.includes(name)) found.set(name, suitesOf(stack));
  }
  for (const name of names.filter((n) => !found.has(n)))
    console.warn(
      `acceptance: warning: no test '${name}' in ${file} (renamed? update SUITES in scripts/acceptance.mjs)`,
    );
  return [...new Set([...found.values()].flat())];
}

/** Node 22+ has --test-skip-pattern; Node 20 has only --test-name-pattern. */
let skipPatternSupported;
const supportsSkipPattern = () =>
  (skipPatternSupported ??=
    spawnSync(process.execPath, ['--test-skip-pattern=^$', '-e', ''], { stdio: 'ignore' }).status === 0);

/** `node --test` options that leave out exactly the named tests of `file`. */
function skipArgs(file, names) {
  if (names.length === 0) return [];
  if (supportsSkipPattern()) return [`--test-skip-pattern=${exactly(names)}`];
  // Node 20 runs a test when --test-name-pattern matches its own name or the name of any ancestor:
  // its describe() blocks and the file's root test, named '<root>'. So the negative lookahead
  // refuses those ancestors as well as the tests; the other tests in those describes still match
  // by their own names. (The describes' before() hooks still run.)
  const refused = ['<root>', ...enclosingSuites(file, names), ...names];
  return [`--test-name-pattern=^(?!${exactly(refused).slice(1)})`];
}

let failed = false;
let stack;
try {
  // Ports next to the defaults, so that a developer's `npm start` can keep running.
  stack = await startIsolatedStack(apps, { basePort: 4101 });
  for (const suite of suites) {
    const url = stack.urls[suite.through];
    const file = join(ACCEPTANCE, suite.file);
    const skipped = skippedTests(suite);
    console.log(`\nacceptance: ${suite.file} against ${url}`);
    for (const { name, app } of skipped)
      console.log(`acceptance: skipping '${name}': it needs ${app}, which is not in apps/`);
    const skippedNames = skipped.map(({ name }) => name);
    const filter = skipArgs(file, skippedNames);
    if (filter.length > 0) console.log(`acceptance: node --test ${filter.join(' ')}`);
    try {
      await run(process.execPath, ['--test', '--test-reporter=spec', ...filter, file], {
        env: { ...process.env, CRM_URL: url },
      });
    } catch {
      failed = true;
    }
  }
} catch (error) {
  console.error(`acceptance: ${error.message}`);
  failed = true;
} finally {
  await stack?.stop();
}
process.exit(failed ? 1 : 0);
