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
    for (const port of service.ports ?? []) {
      const container = String(typeof port === 'object' ? port.target : port)
        .split(':')
        .at(-1)
        .split('/')[0];
      check(container === String(args.PORT), `compose ${name} publishes its PORT`, `${port}`);
    }
    for (const key of ['DATABASE_URL', 'RABBITMQ_URL', 'JWKS_URL']) {
      const value = service.environment?.[key];
      if (!check(Boolean(value), `compose ${name} sets ${key}`)) continue;
      const host = new URL(value).hostname;
      check(Boolean(services[host]), `compose ${name} ${key} points at a compose service`, host);
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
    check(
      names('Deployment').has(hpa.spec.scaleTargetRef.name),
      `${label}: HPA ${hpa.metadata.name} targets an existing Deployment`,
    );
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
        check(names(kind).has(ref.name), `${what} envFrom ${kind} ${ref.name} exists`);
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
