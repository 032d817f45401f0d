import { type Dispatcher, request } from 'undici';
import { type UpstreamPool, UpstreamError } from '../proxy/upstream-pool';
import { type RoutingTable, type ServiceRoute } from '../routing/routing-table';

export interface FanOutCall {
  /**
   * The path of the service's route: under /api, its service found in the routing table; or, with
   * `service`, any path of that service, such as its internal routes the gateway never forwards.
   */
  readonly path: string;
  /** The service to call, by its name in the routing table. */
  readonly service?: string;
  readonly timeoutMs?: number;
}

export interface FanOutResult<K extends string> {
  readonly data: Partial<Record<K, unknown>>;
  /** Services that did not answer usefully (down, slow, or an error): the answer is partial. */
  readonly degraded: string[];
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Calls several services in parallel on behalf of the caller (their token goes along, so each
 * service applies its own visibility rules) and returns what came back, naming the services
 * that did not answer instead of failing the whole request. Composition endpoints (search,
 * dashboard) are built on it.
 */
export class FanOut {
  constructor(
    private readonly routing: RoutingTable,
    private readonly upstreams: UpstreamPool,
  ) {}

  async call<K extends string>(
    calls: Record<K, FanOutCall>,
    context: { authorization?: string; requestId: string },
  ): Promise<FanOutResult<K>> {
    const entries = Object.entries(calls) as [K, FanOutCall][];
    const outcomes = await Promise.all(
      entries.map(async ([key, call]) => [key, await this.one(call, context)] as const),
    );
    const data: Partial<Record<K, unknown>> = {};
    const degraded = new Set<string>();
    for (const [key, outcome] of outcomes) {
      if ('data' in outcome) data[key] = outcome.data;
      else degraded.add(outcome.degraded);
    }
    return { data, degraded: [...degraded].sort() };
  }

  private async one(call: FanOutCall, context: { authorization?: string; requestId: string }) {
    const route = this.routeOf(call);
    try {
      const data = await this.upstreams.call(route, async (upstream) => {
        const timeout = call.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        let res: Dispatcher.ResponseData;
        try {
          // undici's request, not fetch: no WHATWG streams, abort signals and timers per call.
          res = await request(`${upstream.url}${call.path}`, {
            headers: {
              accept: 'application/json',
              'x-request-id': context.requestId,
              ...(context.authorization ? { authorization: context.authorization } : {}),
            },
            headersTimeout: timeout,
            bodyTimeout: timeout,
          });
        } catch (error) {
          const code = (error as { code?: string }).code;
          const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
          throw new UpstreamError(route.service, timedOut ? 'timeout' : 'unavailable', error);
        }
        const body = (await res.body.json().catch(() => null)) as { data?: unknown } | null;
        if (res.statusCode >= 500) throw new UpstreamError(route.service, 'unavailable');
        if (res.statusCode >= 300 || !body || !('data' in body))
          throw new Error(`${route.service} answered ${res.statusCode}`);
        return body.data;
      });
      return { data };
    } catch {
      return { degraded: route.service };
    }
  }

  private routeOf(call: FanOutCall): ServiceRoute {
    if (call.service) {
      const named = this.routing.named(call.service);
      if (!named) throw new Error(`no service named ${call.service}`);
      return named;
    }
    const route = this.routing.resolve(call.path.split('?', 1)[0]!);
    if (!route) throw new Error(`no service routes ${call.path}`);
    return route;
  }
}
