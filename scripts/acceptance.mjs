// The acceptance step of `npm test`: builds the apps, starts them on a fresh database set and bus
// prefix (so the run never touches a developer's data), runs the black-box suites of
// ../shared/acceptance that apply to the apps present, then stops everything and drops the data.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, presentApps, run, startIsolatedStack } from './lib/stack.mjs';

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
  // Some contacts tests create deals: their totals come from pipeline's events.
  { file: 'contacts.test.mjs', needs: ['identity', 'contacts', 'pipeline', 'gateway'], through: 'gateway' },
  { file: 'pipeline.test.mjs', needs: ['identity', 'contacts', 'pipeline', 'gateway'], through: 'gateway' },
];
if (!existsSync(ACCEPTANCE)) {
  console.error(`acceptance: ${ACCEPTANCE} not found (the shared folder belongs beside this checkout)`);
  process.exit(1);
}

const apps = presentApps();
const suites = SUITES.filter((suite) => suite.needs.every((app) => apps.includes(app)));

let failed = false;
let stack;
try {
  // Ports next to the defaults, so that a developer's `npm start` can keep running.
  stack = await startIsolatedStack(apps, { basePort: 4101 });
  for (const suite of suites) {
    const url = stack.urls[suite.through];
    const file = join(ACCEPTANCE, suite.file);
    console.log(`\nacceptance: ${suite.file} against ${url}`);
    try {
      await run(process.execPath, ['--test', '--test-reporter=spec', file], {
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
