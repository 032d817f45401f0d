#!/usr/bin/env node
// Checks the deployment files without a Docker engine or a cluster (deploy/README.md, "Validation").
//
//   node deploy/validate.mjs          static checks; renders kustomize with kubectl/kustomize if present
//   node deploy/validate.mjs --npm    also runs the Dockerfile's two `npm ci` as --dry-run on a copy
//                                     of the manifests (needs the npm registry)
//
// Exit code 1 when a check fails. Warnings (a new app without deployment files, a tool that is
// missing) do not fail the run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const deploy = join(root, 'deploy');
const k8s = join(deploy, 'k8s');
const withNpm = process.argv.includes('--npm');

let passed = 0;
let failed = 0;
const warnings = [];
const rel = (path) => relative(root, path) || '.';
function check(ok, what, detail = '') {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${what}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}
function warn(message) {
  warnings.push(message);
  console.log(`warn ${message}`);
}

// ---------------------------------------------------------------------------------------------
// YAML: the `yaml` package (v1 or v2) or js-yaml, whichever the workspace has (both arrive with
// the dev tooling); no dependency of its own.
const requireFromRoot = createRequire(join(root, 'package.json'));
function loadYamlParser() {
  try {
    const YAML = requireFromRoot('yaml');
    return (text) =>
      YAML.parseAllDocuments(text, { merge: true }).map((doc) => {
        if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
        return doc.toJSON();
      });
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
  }
  const jsYaml = requireFromRoot('js-yaml');
  return (text) => jsYaml.loadAll(text);
}
let parseYaml;
try {
  parseYaml = loadYamlParser();
} catch {
  console.log('FAIL no YAML parser: run `npm ci` at the repository root first (yaml or js-yaml)');
  process.exit(1);
}
const parseAll = (file) => parseYaml(readFileSync(file, 'utf8')).filter((doc) => doc != null);

function walk(dir, pick) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(path, pick);
    return pick(path) ? [path] : [];
  });
}
const apps = readdirSync(join(root, 'apps')).filter((app) =>
  existsSync(join(root, 'apps', app, 'package.json')),
);
// What an app reads, from its source: a service (platformConfigSchema) needs a database and the
// broker; the gateway (appConfigSchema only) does not. An app with a routing table
// (src/routing/routes.json: the gateway) reads `<SERVICE>_URLS` for the services listed there.
const appSource = (app, file) => {
  const path = join(root, 'apps', app, 'src', file);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};
const needsDatabase = (app) => /\bplatformConfigSchema\b/.test(appSource(app, 'config.ts'));
function routedServices(app) {
  const text = appSource(app, join('routing', 'routes.json'));
  if (!text) return null;
  try {
    return new Map(Object.entries(JSON.parse(text).services ?? {}).map(([s, { port }]) => [s, port]));
  } catch {
    return new Map();
  }
}
const urlsKey = (service) => `${service.toUpperCase().replace(/-/g, '_')}_URLS`;
const defaultPorts = {
  'http:': '80',
  'https:': '443',
  'postgres:': '5432',
  'postgresql:': '5432',
  'amqp:': '5672',
  'amqps:': '5671',
  'redis:': '6379',
  'rediss:': '6379',
};
/** The URLs of an environment: the values of `*_URL` and `*_URLS` keys (comma-separated). */
function urlsOf(env) {
  return Object.entries(env ?? {})
    .filter(([key, value]) => /_URLS?$/.test(key) && typeof value === 'string' && value.includes('://'))
    .flatMap(([key, value]) =>
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
        .map((url) => {
          try {
            const parsed = new URL(url);
            const port = parsed.port || defaultPorts[parsed.protocol] || '';
            const credentials = Boolean(parsed.password);
            return {
              key,
              url,
              host: parsed.hostname,
              port: port === '' ? undefined : Number(port),
              credentials,
            };
          } catch {
            return { key, url, invalid: true };
          }
        }),
    );
}
/**
 * Routing-table keys (`<SERVICE>_URLS`) must name a service of the app's routes.json: the gateway
 * ignores any other, so a typo would silently leave the service on its default, 127.0.0.1.
 */
function checkUpstreamKeys(what, app, env) {
  const routed = routedServices(app);
  if (!routed) return;
  const known = new Set([...routed.keys()].map(urlsKey));
  for (const key of Object.keys(env ?? {}).filter((k) => /_URLS$/.test(k))) {
    check(known.has(key), `${what} ${key} names a service of apps/${app}/src/routing/routes.json`);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Every YAML file parses.
const yamlFiles = [join(root, 'docker-compose.yml'), ...walk(deploy, (p) => /\.ya?ml$/.test(p))];
const parsed = new Map();
for (const file of yamlFiles) {
  try {
    parsed.set(file, parseAll(file));
    check(true, `parse ${rel(file)}`);
  } catch (error) {
    check(false, `parse ${rel(file)}`, error.message);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Dockerfile and .dockerignore.
const dockerfilePath = join(deploy, 'Dockerfile');
const instructions = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
{
  const stages = [];
  let stage = null;
  const globalArgs = new Set();
  for (const { op, args } of instructions) {
    if (op === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      const image = match?.[1] ?? '';
      const base = image.replace(/^\$\{?(\w+)\}?$/, '$1');
      check(
        globalArgs.has(base) || stages.some((s) => s.name === image) || /^[\w./-]+:[\w.-]+$/.test(image),
        `Dockerfile FROM ${image}`,
        'an image with a tag, an earlier stage or a global ARG',
      );
      stage = { name: match?.[2] ?? `#${stages.length}`, args: new Set(), ops: [] };
      stages.push(stage);
      continue;
    }
    if (!stage) {
      if (op === 'ARG') globalArgs.add(args.split('=')[0].trim());
      continue;
    }
    stage.ops.push({ op, args });
    if (op === 'ARG') stage.args.add(args.split('=')[0].trim());
    // A variable used by a stage must be declared in it (ARG scope ends at FROM) or be an ENV.
    if (op !== 'RUN' && op !== 'HEALTHCHECK' && op !== 'CMD') {
      for (const [, name] of args.matchAll(/\$\{?(\w+)/g)) {
        check(
          stage.args.has(name),
          `Dockerfile stage ${stage.name}: ${op} uses \${${name}}`,
          'not declared with ARG in this stage',
        );
      }
    }
    if (op === 'RUN') {
      for (const [, name] of args.matchAll(/\$\{(APP|PORT)\b/g)) {
        check(
          stage.args.has(name),
          `Dockerfile stage ${stage.name}: RUN uses \${${name}}`,
          'not declared with ARG in this stage',
        );
      }
    }
    const from = /--from=(\S+)/.exec(args)?.[1];
    if (from)
      check(
        stages.slice(0, -1).some((s) => s.name === from),
        `Dockerfile stage ${stage.name}: --from=${from} is an earlier stage`,
      );
    if ((op === 'COPY' || op === 'ADD') && !from) {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      for (const source of words.slice(0, -1)) {
        check(existsSync(join(root, source)), `Dockerfile COPY source ${source} exists in the context`);
      }
    }
  }
  const names = stages.map((s) => s.name);
  check(new Set(names).size === names.length, 'Dockerfile stage names are unique', names.join(', '));
  const runtime = stages.at(-1);
  const last = (op) => runtime.ops.filter((o) => o.op === op).at(-1)?.args ?? '';
  const user = last('USER');
  check(
    user !== '' && !/^(root|0)(:|$)/.test(user),
    'Dockerfile runtime runs as a non-root USER',
    user || 'none',
  );
  check(
    /NODE_ENV=production/.test(
      runtime.ops
        .filter((o) => o.op === 'ENV')
        .map((o) => o.args)
        .join(' '),
    ),
    'Dockerfile runtime sets NODE_ENV=production',
  );
  check(last('EXPOSE') !== '', 'Dockerfile runtime EXPOSEs the port');
  check(
    /\/health\/live/.test(last('HEALTHCHECK')) && /\bfetch\(/.test(last('HEALTHCHECK')),
    'Dockerfile HEALTHCHECK fetches /health/live with node',
  );
  let cmd = null;
  try {
    cmd = JSON.parse(last('CMD'));
  } catch {
    /* reported below */
  }
  check(Array.isArray(cmd) && cmd[0] === 'node', 'Dockerfile CMD is exec form running node', last('CMD'));
  check(
    !JSON.stringify(cmd ?? '').includes('$'),
    'Dockerfile CMD has no variable (exec form does not expand it)',
  );
  const workdir = last('WORKDIR');
  check(
    workdir.includes('${APP}') && cmd?.[1] === 'dist/main.js',
    'Dockerfile starts apps/${APP}/dist/main.js',
    `${workdir} + ${cmd?.[1]}`,
  );
  // Files the manifests stage copies by name.
  for (const file of ['package.json', 'package-lock.json'])
    check(existsSync(join(root, file)), `Dockerfile needs ${file} at the root`);
  for (const pattern of ['**/node_modules', '**/dist', '.git', '.nx']) {
    check(dockerignore.includes(pattern), `.dockerignore excludes ${pattern}`);
  }
  for (const needed of [
    'package.json',
    'package-lock.json',
    'apps',
    'libs',
    'nx.json',
    'tsconfig.base.json',
  ]) {
    check(
      !dockerignore.some((pattern) => pattern === needed || pattern === `${needed}/`),
      `.dockerignore keeps ${needed} in the context`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// 3. docker-compose.yml.
const compose = parsed.get(join(root, 'docker-compose.yml'))?.[0] ?? { services: {} };
const composeApps = new Map();
const composeUrls = [];
const portOfService = new Map();
{
  const services = compose.services ?? {};
  for (const name of ['postgres', 'rabbitmq', 'redis']) {
    check(Boolean(services[name]?.healthcheck?.test), `compose ${name} has a healthcheck`);
    check(!services[name]?.depends_on, `compose ${name} starts on its own (no depends_on)`);
  }
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, spec] of Object.entries(service.depends_on ?? {})) {
      const target = services[dependency];
      check(Boolean(target), `compose ${name} depends_on ${dependency} exists`);
      if (spec?.condition === 'service_healthy') {
        check(
          Boolean(target?.healthcheck || target?.build),
          `compose ${dependency} can become healthy for ${name}`,
        );
      }
    }
    if (!service.build) continue;
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    const args = Array.isArray(build.args)
      ? Object.fromEntries(build.args.map((a) => a.split('=')))
      : (build.args ?? {});
    check(
      existsSync(join(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile')),
      `compose ${name} build.dockerfile exists`,
    );
    check(apps.includes(args.APP), `compose ${name} build arg APP=${args.APP} is an app under apps/`);
    check(
      /^\d+$/.test(String(args.PORT ?? '')),
      `compose ${name} build arg PORT is a number`,
      String(args.PORT),
    );
    composeApps.set(args.APP, Number(args.PORT));
    portOfService.set(name, Number(args.PORT));
    for (const port of service.ports ?? []) {
      const container = String(typeof port === 'object' ? port.target : port)
        .split(':')
        .at(-1)
        .split('/')[0];
      check(container === String(args.PORT), `compose ${name} publishes its PORT`, `${port}`);
    }
    const environment = Array.isArray(service.environment)
      ? Object.fromEntries(service.environment.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]))
      : (service.environment ?? {});
    const required = needsDatabase(args.APP) ? ['DATABASE_URL', 'RABBITMQ_URL', 'JWKS_URL'] : ['JWKS_URL'];
    for (const key of required) check(Boolean(environment[key]), `compose ${name} sets ${key}`);
    checkUpstreamKeys(`compose ${name}`, args.APP, environment);
    composeUrls.push({ name, urls: urlsOf(environment) });
  }
  // Every URL of an app's environment (DATABASE_URL, JWKS_URL, REDIS_URL, IDENTITY_URLS...) points
  // at a compose service, and at an app's own PORT when the target is an app.
  for (const { name, urls } of composeUrls) {
    for (const { key, url, host, port, invalid } of urls) {
      if (!check(!invalid, `compose ${name} ${key} is a URL`, url)) continue;
      if (!check(Boolean(services[host]), `compose ${name} ${key} points at a compose service`, host))
        continue;
      if (portOfService.has(host))
        check(port === portOfService.get(host), `compose ${name} ${key} uses ${host}'s PORT`, url);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Kustomize: every referenced file exists; render base and overlays; check the result.
const kustomizations = walk(k8s, (p) => /(^|\/)kustomization\.ya?ml$/.test(p));
for (const file of kustomizations) {
  const dir = dirname(file);
  const k = parsed.get(file)?.[0] ?? {};
  const refs = [
    ...(k.resources ?? []),
    ...(k.components ?? []),
    ...(k.patchesStrategicMerge ?? []),
    ...(k.patches ?? []).map((p) => p.path).filter(Boolean),
    ...[...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])].flatMap((g) => [
      ...(g.envs ?? []),
      ...(g.env ? [g.env] : []),
      ...(g.files ?? []).map((f) => f.split('=').at(-1)),
    ]),
  ];
  for (const ref of refs) {
    const path = join(dir, ref);
    const ok =
      existsSync(path) &&
      (!statSync(path).isDirectory() ||
        ['kustomization.yaml', 'kustomization.yml'].some((f) => existsSync(join(path, f))));
    check(ok, `${rel(file)} references ${ref}`);
  }
}

const renderer = ['kustomize', 'kubectl'].find(
  (tool) =>
    spawnSync(tool, ['version', '--client'], { stdio: 'ignore' }).status === 0 ||
    spawnSync(tool, ['version'], { stdio: 'ignore' }).status === 0,
);
function render(dir) {
  if (renderer) {
    const args = renderer === 'kubectl' ? ['kustomize', dir] : ['build', dir];
    const out = spawnSync(renderer, args, { encoding: 'utf8' });
    if (!check(out.status === 0, `${renderer} ${args.join(' ')}`, out.stderr.trim())) return [];
    return parseYaml(out.stdout).filter(Boolean);
  }
  // Without kustomize: the raw resources, recursively (no generators, names or transformers).
  const k = parsed.get(join(dir, 'kustomization.yaml'))?.[0] ?? {};
  return (k.resources ?? []).flatMap((ref) => {
    const path = join(dir, ref);
    return statSync(path).isDirectory() ? render(path) : (parsed.get(path) ?? []);
  });
}
if (!renderer)
  warn('neither kustomize nor kubectl found: checked the raw manifests, not the kustomize output');

const baseApps = new Set();
const targets = [
  join(k8s, 'base'),
  ...(existsSync(join(k8s, 'overlays'))
    ? readdirSync(join(k8s, 'overlays')).map((o) => join(k8s, 'overlays', o))
    : []),
];
for (const dir of targets) {
  const docs = render(dir);
  const label = rel(dir);
  const byKind = (kind) => docs.filter((d) => d.kind === kind);
  const names = (kind) => new Set(byKind(kind).map((d) => d.metadata.name));
  const isOverlay = dir !== join(k8s, 'base');
  if (renderer) {
    const placeholders = byKind('Secret').filter((s) => JSON.stringify(s).includes('REPLACE_ME'));
    if (isOverlay)
      check(
        placeholders.length === 0,
        `${label}: no placeholder Secret left`,
        placeholders.map((s) => s.metadata.name).join(', '),
      );
  }
  const hpaTargets = new Set(byKind('HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name));
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const what = `${label}: HPA ${hpa.metadata.name}`;
    const ref = hpa.spec.scaleTargetRef ?? {};
    check(hpa.apiVersion === 'autoscaling/v2', `${what} is autoscaling/v2`, hpa.apiVersion);
    check(
      ref.kind === 'Deployment' && ref.apiVersion === 'apps/v1',
      `${what} scaleTargetRef is an apps/v1 Deployment`,
      `${ref.apiVersion} ${ref.kind}`,
    );
    const target = byKind('Deployment').find((d) => d.metadata.name === ref.name);
    check(Boolean(target), `${what} targets an existing Deployment`, ref.name);
    const min = hpa.spec.minReplicas ?? 1;
    check(
      Number.isInteger(min) && min >= 1 && min <= hpa.spec.maxReplicas,
      `${what} has 1 <= minReplicas <= maxReplicas`,
      `${min}..${hpa.spec.maxReplicas}`,
    );
    check((hpa.spec.metrics ?? []).length > 0, `${what} has metrics`);
    // A Utilization target is a percentage of the request: without one the HPA cannot compute it.
    for (const metric of hpa.spec.metrics ?? []) {
      const resource = metric.type === 'Resource' ? metric.resource : null;
      if (!target || resource?.target?.type !== 'Utilization') continue;
      check(
        target.spec.template.spec.containers.every((c) => c.resources?.requests?.[resource.name]),
        `${what}: every container of ${ref.name} requests ${resource.name} (Utilization target)`,
      );
    }
  }
  for (const deployment of byKind('Deployment')) {
    const name = deployment.metadata.name;
    const spec = deployment.spec.template.spec;
    const podLabels = deployment.spec.template.metadata?.labels ?? {};
    const selector = deployment.spec.selector?.matchLabels ?? {};
    check(
      Object.entries(selector).every(([k, v]) => podLabels[k] === v),
      `${label}: ${name} selector matches its pod labels`,
    );
    // Infrastructure of an overlay (local PostgreSQL, RabbitMQ) is not held to the app rules.
    if (deployment.metadata.labels?.['app.kubernetes.io/part-of'] !== 'flow-crm') continue;
    if (!isOverlay) baseApps.add(name);
    if (hpaTargets.has(name))
      check(deployment.spec.replicas === undefined, `${label}: ${name} leaves replicas to its HPA`);
    else check(Number.isInteger(deployment.spec.replicas), `${label}: ${name} sets replicas`);
    check(
      Number.isInteger(spec.terminationGracePeriodSeconds),
      `${label}: ${name} sets terminationGracePeriodSeconds`,
    );
    check(spec.securityContext?.runAsNonRoot === true, `${label}: ${name} runAsNonRoot`);
    for (const container of spec.containers) {
      const what = `${label}: ${name}/${container.name}`;
      const ports = new Set((container.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
      for (const probe of ['livenessProbe', 'readinessProbe']) {
        const get = container[probe]?.httpGet;
        check(Boolean(get), `${what} has an HTTP ${probe}`);
        if (get) check(ports.has(get.port), `${what} ${probe} port ${get.port} is a container port`);
      }
      check(container.livenessProbe?.httpGet?.path === '/health/live', `${what} liveness is /health/live`);
      check(
        container.readinessProbe?.httpGet?.path === '/health/ready',
        `${what} readiness is /health/ready`,
      );
      for (const kind of ['requests', 'limits']) {
        check(
          Boolean(container.resources?.[kind]?.cpu && container.resources?.[kind]?.memory),
          `${what} has ${kind} for cpu and memory`,
        );
      }
      const security = container.securityContext ?? {};
      check(security.allowPrivilegeEscalation === false, `${what} allowPrivilegeEscalation: false`);
      check(security.readOnlyRootFilesystem === true, `${what} readOnlyRootFilesystem: true`);
      check(security.capabilities?.drop?.includes('ALL'), `${what} drops all capabilities`);
      for (const source of container.envFrom ?? []) {
        const ref = source.configMapRef ?? source.secretRef;
        const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
        // `optional: true` (the gateway's Secret, for an overlay's Redis password) may be absent.
        check(
          names(kind).has(ref.name) || ref.optional === true,
          `${what} envFrom ${kind} ${ref.name} exists`,
        );
      }
      // The port the app listens on (PORT, from a ConfigMap or env) is the containerPort.
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
      for (const source of container.envFrom ?? []) {
        const cm =
          source.configMapRef &&
          byKind('ConfigMap').find((c) => c.metadata.name === source.configMapRef.name);
        if (cm)
          Object.assign(env, {
            ...cm.data,
            ...Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value])),
          });
      }
      if (renderer) {
        check(
          env.PORT !== undefined && ports.has(Number(env.PORT)),
          `${what} PORT=${env.PORT} is its containerPort`,
        );
        if (composeApps.has(name))
          check(
            Number(env.PORT) === composeApps.get(name),
            `${what} PORT matches docker-compose.yml`,
            `${env.PORT} vs ${composeApps.get(name)}`,
          );
      }
    }
  }
  for (const service of byKind('Service')) {
    const match = byKind('Deployment').find((d) => {
      const podLabels = d.spec.template.metadata?.labels ?? {};
      return Object.entries(service.spec.selector ?? {}).every(([k, v]) => podLabels[k] === v);
    });
    if (!check(Boolean(match), `${label}: Service ${service.metadata.name} selects a Deployment`)) continue;
    const containerPorts = match.spec.template.spec.containers
      .flatMap((c) => c.ports ?? [])
      .flatMap((p) => [p.name, p.containerPort]);
    for (const port of service.spec.ports) {
      check(
        containerPorts.includes(port.targetPort ?? port.port),
        `${label}: Service ${service.metadata.name} targetPort ${port.targetPort} exists`,
      );
    }
  }
  // Only the gateway is reachable from outside (ARCHITECTURE.md: the web client talks only to the
  // gateway): the apps' other Services stay ClusterIP and Ingresses route to the gateway alone.
  const services = byKind('Service');
  const appServices = services.filter((s) => s.metadata.labels?.['app.kubernetes.io/part-of'] === 'flow-crm');
  for (const service of appServices) {
    if (service.metadata.name === 'gateway') continue;
    check(
      (service.spec.type ?? 'ClusterIP') === 'ClusterIP',
      `${label}: Service ${service.metadata.name} stays internal (ClusterIP; only the gateway is exposed)`,
      service.spec.type,
    );
  }
  for (const ingress of byKind('Ingress')) {
    const backends = [
      ingress.spec.defaultBackend,
      ...(ingress.spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend)),
    ].filter(Boolean);
    for (const backend of backends) {
      const { name, port } = backend.service ?? {};
      const service = services.find((s) => s.metadata.name === name);
      const what = `${label}: Ingress ${ingress.metadata.name} backend ${name}`;
      if (!check(Boolean(service), `${what} is an existing Service`)) continue;
      check(
        service.spec.ports.some((p) => p.name === port?.name || p.port === port?.number),
        `${what} port ${port?.name ?? port?.number} exists`,
      );
      check(name === 'gateway', `${what} is the gateway (services stay internal)`);
    }
  }
  // URLs in the apps' ConfigMaps and Secrets (JWKS_URL, IDENTITY_URLS, REDIS_URL, DATABASE_URL...)
  // that name an in-cluster Service (`name`, `name.namespace.svc...`) use one of its ports. In the
  // base, Services that an environment provides (postgres, redis...) are absent and skipped; an
  // overlay must render them.
  const envSources = [...byKind('ConfigMap'), ...byKind('Secret')].filter(
    (o) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'flow-crm',
  );
  for (const source of envSources) {
    const env = {
      ...Object.fromEntries(
        Object.entries(source.data ?? {}).map(([k, v]) => [
          k,
          source.kind === 'Secret' ? Buffer.from(String(v), 'base64').toString('utf8') : v,
        ]),
      ),
      ...(source.stringData ?? {}),
    };
    const app = source.metadata.labels?.['app.kubernetes.io/name'];
    if (app && source.kind === 'ConfigMap')
      checkUpstreamKeys(`${label}: ConfigMap ${source.metadata.name}`, app, env);
    for (const { key, url, host, port, invalid, credentials } of urlsOf(env)) {
      const what = `${label}: ${source.kind} ${source.metadata.name} ${key}`;
      if (!check(!invalid, `${what} is a URL`, url)) continue;
      // A password (REDIS_URL of a Redis with AUTH...) goes into a Secret, not a ConfigMap.
      if (source.kind === 'ConfigMap') check(!credentials, `${what} has no password (use a Secret)`);
      const labels = host.split('.');
      const inCluster = labels.length === 1 || labels[2] === 'svc';
      if (!inCluster || JSON.stringify(env[key]).includes('REPLACE_ME')) continue;
      const service = services.find(
        (s) =>
          s.metadata.name === labels[0] &&
          (labels.length === 1 || !s.metadata.namespace || s.metadata.namespace === labels[1]),
      );
      if (!service) {
        if (isOverlay) check(false, `${what} points at a Service of the overlay`, host);
        continue;
      }
      check(
        service.spec.ports.some((p) => p.port === port),
        `${what} uses a port of Service ${service.metadata.name}`,
        url,
      );
    }
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    const selects = byKind('Deployment').some((d) =>
      Object.entries(pdb.spec.selector?.matchLabels ?? {}).every(
        ([k, v]) => d.spec.template.metadata?.labels?.[k] === v,
      ),
    );
    check(selects, `${label}: PodDisruptionBudget ${pdb.metadata.name} selects a Deployment`);
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Every app has its deployment files (a reminder when an app is added, not a failure).
for (const app of apps) {
  if (!composeApps.has(app))
    warn(`apps/${app} has no service in docker-compose.yml (copy the identity entry)`);
  if (!existsSync(join(k8s, 'base', app)))
    warn(
      `apps/${app} has no folder deploy/k8s/base/${app} (copy identity/, add it to base/kustomization.yaml)`,
    );
  else if (renderer && !baseApps.has(app))
    warn(`deploy/k8s/base/${app} is not rendered by base (list it under resources)`);
}

// ---------------------------------------------------------------------------------------------
// 6. --npm: the Dockerfile's installs, as dry runs, on exactly the files the manifests stage copies.
if (withNpm) {
  const dir = mkdtempSync(join(tmpdir(), 'flow-crm-manifests-'));
  try {
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
      if (existsSync(join(root, file))) cpSync(join(root, file), join(dir, file));
    }
    for (const group of ['apps', 'libs']) {
      for (const ws of readdirSync(join(root, group))) {
        const manifest = join(root, group, ws, 'package.json');
        if (existsSync(manifest)) cpSync(manifest, join(dir, group, ws, 'package.json'));
      }
    }
    const npm = (args) =>
      spawnSync('npm', [...args, '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
      });
    const summary = (out) =>
      (out.stderr + out.stdout)
        .split('\n')
        .filter((l) => /error/.test(l))
        .slice(0, 6)
        .join(' | ');
    // The image runs the npm bundled with its Node (npm 10 for Node 22); npm 11 checks the lockfile
    // more strictly, so the result can differ with the npm on PATH.
    const version = spawnSync('npm', ['--version'], { cwd: dir, encoding: 'utf8' }).stdout.trim();
    const all = npm(['ci']);
    check(all.status === 0, `npm ci (build stage, npm ${version}) accepts package-lock.json`, summary(all));
    for (const app of composeApps.keys()) {
      const prod = npm(['ci', '--omit=dev', '--workspace', `apps/${app}`, '--include-workspace-root=false']);
      check(
        prod.status === 0,
        `npm ci --omit=dev --workspace apps/${app} (prod-deps stage, npm ${version})`,
        summary(prod),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${warnings.length} warning(s)`);
console.log(`deploy: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------------------------
function parseDockerfile(text) {
  const out = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!current && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (current && line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    const match = /^\s*(\w+)\s+([\s\S]*)$/.exec(current);
    if (match) out.push({ op: match[1].toUpperCase(), args: match[2].trim() });
    current = '';
  }
  return out;
}
