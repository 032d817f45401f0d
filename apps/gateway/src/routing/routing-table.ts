import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundledRoutes from './routes.json';

const route = z
  .string()
  .regex(/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*$/, 'a route is "METHOD /path"');

const routesFileSchema = z.object({
  services: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/),
    z.object({
      port: z.number().int().positive(),
      prefixes: z.array(z.string().regex(/^\/api\/[\w-]+(\/[\w-]+)*$/)).min(1),
    }),
  ),
  publicRoutes: z.array(route),
  loginRoute: route,
  largeBodyRoutes: z.array(route),
});

export interface ServiceRoute {
  readonly service: string;
  readonly prefixes: readonly string[];
  readonly upstreams: readonly string[];
}

/**
 * Which service owns which path prefix, and where its instances are. Prefixes and routes come
 * from a file (config, not code); the instances of service `x` from `X_URLS` (comma-separated),
 * else `http://127.0.0.1:<port>`. Adding a service or moving one is a configuration change.
 */
export class RoutingTable {
  private readonly byPrefix: [string, ServiceRoute][];
  private readonly byName: Map<string, ServiceRoute>;
  private readonly publicRoutes: Set<string>;
  private readonly largeBodyRoutes: Set<string>;
  readonly loginRoute: string;
  readonly services: readonly ServiceRoute[];

  constructor(file: z.infer<typeof routesFileSchema>, env: NodeJS.ProcessEnv) {
    this.services = Object.entries(file.services).map(([service, { port, prefixes }]) => ({
      service,
      prefixes,
      upstreams: upstreamsOf(service, port, env),
    }));
    this.byName = new Map(this.services.map((route) => [route.service, route]));
    // Longest prefix first, so that a more specific prefix wins.
    this.byPrefix = this.services
      .flatMap((s) => s.prefixes.map((prefix): [string, ServiceRoute] => [prefix, s]))
      .sort(([a], [b]) => b.length - a.length);
    const seen = new Set<string>();
    for (const [prefix] of this.byPrefix) {
      if (seen.has(prefix)) throw new Error(`prefix ${prefix} is routed to two services`);
      seen.add(prefix);
    }
    this.publicRoutes = new Set(file.publicRoutes);
    this.largeBodyRoutes = new Set(file.largeBodyRoutes);
    this.loginRoute = file.loginRoute;
  }

  /** The table in `path`, or the bundled one. */
  static load(path: string | undefined, env: NodeJS.ProcessEnv = process.env): RoutingTable {
    const raw: unknown = path ? JSON.parse(readFileSync(path, 'utf8')) : bundledRoutes;
    const parsed = routesFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new Error(`invalid routing table ${path ?? 'routes.json'}: ${problems.join('; ')}`);
    }
    return new RoutingTable(parsed.data, env);
  }

  /** The service owning a path (query string excluded), if any. */
  resolve(path: string): ServiceRoute | undefined {
    return this.byPrefix.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))?.[1];
  }

  /** A service by its name in the table, if any. */
  named(service: string): ServiceRoute | undefined {
    return this.byName.get(service);
  }

  isPublic(method: string, path: string): boolean {
    return this.publicRoutes.has(`${method} ${path}`);
  }

  isLargeBody(method: string, path: string): boolean {
    return this.largeBodyRoutes.has(`${method} ${path}`);
  }

  isLogin(method: string, path: string): boolean {
    return this.loginRoute === `${method} ${path}`;
  }
}

function upstreamsOf(service: string, port: number, env: NodeJS.ProcessEnv): string[] {
  const configured = env[`${service.toUpperCase().replace(/-/g, '_')}_URLS`];
  const urls = configured
    ? configured
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean)
    : [`http://127.0.0.1:${port}`];
  for (const url of urls) {
    const parsed = new URL(url);
    if (!['http:', 'https:'].includes(parsed.protocol))
      throw new Error(`${service}: upstream ${url} is not http(s)`);
  }
  return urls.map((url) => url.replace(/\/+$/, ''));
}
