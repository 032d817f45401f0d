// npm start: builds every app, starts them against local PostgreSQL and RabbitMQ (or the URLs in
// the environment), waits until all are ready, prints their URLs, and stops them on Ctrl-C.
import {
  APP_PORTS,
  checkInfrastructure,
  presentApps,
  run,
  serviceUrls,
  startApp,
  stopAll,
  waitReady,
} from './lib/stack.mjs';

const apps = presentApps();
const portOf = (app) => process.env[`${app.toUpperCase()}_PORT`] ?? String(APP_PORTS[app]);
/**
 * The gateway (started last) gets the `<SERVICE>_URLS` of the services started before it, at the
 * ports they were given; the services verify tokens with the identity started here. A variable
 * already set in the environment is left as it is.
 */
const unlessSet = (env) =>
  Object.fromEntries(Object.entries(env).filter(([key]) => process.env[key] === undefined));
const envOf = (app) => ({
  PORT: portOf(app),
  ...(app === 'gateway' ? unlessSet(serviceUrls(apps, portOf)) : {}),
  ...(apps.includes('identity')
    ? unlessSet({ JWKS_URL: `http://127.0.0.1:${portOf('identity')}/api/auth/jwks.json` })
    : {}),
});

if (!(await checkInfrastructure())) process.exit(1);

console.log(`Building ${apps.join(', ')}…`);
await run('npx', ['nx', 'run-many', '-t', 'build', '--projects', apps.join(','), '--output-style', 'static']);

const children = [];
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await stopAll(children);
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  for (const app of apps) {
    const port = portOf(app);
    const child = startApp(app, envOf(app));
    children.push(child);
    child.once('exit', (code) => {
      if (!stopping) {
        console.error(`${app} exited (${code}); stopping the stack`);
        void stop(1);
      }
    });
    await waitReady(`http://127.0.0.1:${port}/health/ready`, 60_000, child);
    child.url = `http://localhost:${port}`;
    child.app = app;
  }
} catch (error) {
  console.error(`Could not start the stack: ${error.message}`);
  await stop(1);
}

console.log('\nFlow CRM is running:');
for (const child of children) {
  const docs = child.app === 'gateway' ? `${child.url}/api/docs` : `${child.url}/docs-json`;
  console.log(`  ${child.app.padEnd(10)} ${child.url}   (docs: ${docs}, health: ${child.url}/health/ready)`);
}
const front = children.find((c) => c.app === 'gateway') ?? children[0];
console.log(`\nAPI: ${front.url}/api   — Ctrl-C stops everything.`);
