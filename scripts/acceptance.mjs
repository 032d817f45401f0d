// The acceptance step of `npm test`: builds the apps, starts them on a fresh database set and bus
// prefix (so the run never touches a developer's data), runs the black-box suites of
// ../shared/acceptance that apply to the apps present, then stops everything and drops the data.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_PORTS,
  ROOT,
  checkInfrastructure,
  presentApps,
  run,
  startApp,
  stopAll,
  waitReady,
} from './lib/stack.mjs';

const ACCEPTANCE = join(ROOT, '..', 'shared', 'acceptance');
/** Which suite needs which apps; a suite runs once every app it needs exists. */
const SUITES = [
  // Through the gateway once there is one: that covers identity and the gateway's routing of it.
  {
    file: 'identity.test.mjs',
    needs: ['identity'],
    through: presentApps().includes('gateway') ? 'gateway' : 'identity',
  },
  { file: 'gateway.test.mjs', needs: ['identity', 'gateway'], through: 'gateway' },
  { file: 'contacts.test.mjs', needs: ['identity', 'contacts', 'gateway'], through: 'gateway' },
  { file: 'pipeline.test.mjs', needs: ['identity', 'contacts', 'pipeline', 'gateway'], through: 'gateway' },
];
/** Ports of this run's apps: next to the defaults, so that a developer's `npm start` can keep running. */
const portOf = (app) => 4100 + (Object.keys(APP_PORTS).indexOf(app) + 1);

if (!existsSync(ACCEPTANCE)) {
  console.error(`acceptance: ${ACCEPTANCE} not found (the shared folder belongs beside this checkout)`);
  process.exit(1);
}
if (!(await checkInfrastructure())) process.exit(1);

const apps = presentApps();
const suites = SUITES.filter((suite) => suite.needs.every((app) => apps.includes(app)));

await run('npx', ['nx', 'run-many', '-t', 'build', '--projects', apps.join(','), '--output-style', 'static']);
// Built above: the test harness gives this run its own databases and broker names, and removes them.
const { default: testing } = await import('@flow-crm/testing');
const testRun = await testing.TestRun.create();

const children = [];
let failed = false;
try {
  for (const app of apps) {
    const port = portOf(app);
    const child = startApp(app, {
      PORT: String(port),
      // The gateway reaches the services started here, not those of a developer's `npm start`.
      ...Object.fromEntries(
        apps
          .filter((a) => a !== 'gateway')
          .map((a) => [`${a.toUpperCase()}_URLS`, `http://127.0.0.1:${portOf(a)}`]),
      ),
      DATABASE_NAME: testRun.database(app),
      BUS_PREFIX: testRun.prefix,
      JWKS_URL: `http://127.0.0.1:${portOf('identity')}/api/auth/jwks.json`,
      LOG_LEVEL: 'warn',
    });
    children.push(child);
    testRun.trackService(app, [1_000, 5_000, 30_000]);
    await waitReady(`http://127.0.0.1:${port}/health/ready`, 60_000, child);
  }
  for (const suite of suites) {
    const url = `http://127.0.0.1:${portOf(suite.through)}`;
    console.log(`\nacceptance: ${suite.file} against ${url}`);
    try {
      await run(process.execPath, ['--test', '--test-reporter=spec', join(ACCEPTANCE, suite.file)], {
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
  await stopAll(children);
  await testRun.cleanup();
}
process.exit(failed ? 1 : 0);
