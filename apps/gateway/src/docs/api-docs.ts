import { type UpstreamPool } from '../proxy/upstream-pool';
import { type RoutingTable } from '../routing/routing-table';
import { mergeOpenApi, type OpenApiDocument } from './openapi-merge';

const FETCH_TIMEOUT_MS = 2_000;

/** The merged OpenAPI document, rebuilt from the services at most every `cacheSeconds`. */
export class ApiDocs {
  private cached?: { document: OpenApiDocument; at: number };
  private pending?: Promise<OpenApiDocument>;

  constructor(
    private readonly routing: RoutingTable,
    private readonly upstreams: UpstreamPool,
    private readonly cacheSeconds: number,
  ) {}

  async document(): Promise<OpenApiDocument> {
    if (this.cached && Date.now() - this.cached.at < this.cacheSeconds * 1000) return this.cached.document;
    this.pending ??= this.build().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async build(): Promise<OpenApiDocument> {
    const documents: Record<string, OpenApiDocument> = {};
    const unavailable: string[] = [];
    await Promise.all(
      this.routing.services.map(async ({ service }) => {
        const document = await this.fetchFrom(service);
        if (document) documents[service] = document;
        else unavailable.push(service);
      }),
    );
    const document = mergeOpenApi(
      documents,
      unavailable.sort(),
      (path) => this.routing.resolve(path)?.service,
    );
    this.cached = { document, at: Date.now() };
    return document;
  }

  private async fetchFrom(service: string): Promise<OpenApiDocument | undefined> {
    for (const upstream of this.upstreams.instances(service)) {
      try {
        const res = await fetch(`${upstream.url}/docs-json`, {
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        });
        if (res.ok) return (await res.json()) as OpenApiDocument;
        await res.body?.cancel();
      } catch {
        // try the next instance
      }
    }
    return undefined;
  }
}
