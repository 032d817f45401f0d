import { type UpstreamPool } from '../proxy/upstream-pool';
import { type RoutingTable } from '../routing/routing-table';

export type ServiceStatus = 'up' | 'down';

const PROBE_TIMEOUT_MS = 1_500;

/** Each service's readiness: up when any of its instances answers /health/ready. */
export class ServiceHealth {
  constructor(
    private readonly routing: RoutingTable,
    private readonly upstreams: UpstreamPool,
  ) {}

  async check(): Promise<{ status: 'ok' | 'degraded'; services: Record<string, ServiceStatus> }> {
    const entries = await Promise.all(
      this.routing.services.map(async ({ service }) => [service, await this.statusOf(service)] as const),
    );
    const services = Object.fromEntries(entries);
    return { status: entries.every(([, status]) => status === 'up') ? 'ok' : 'degraded', services };
  }

  private async statusOf(service: string): Promise<ServiceStatus> {
    const probes = this.upstreams.instances(service).map(async (upstream) => {
      const res = await fetch(`${upstream.url}/health/ready`, {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    });
    try {
      await Promise.any(probes);
      return 'up';
    } catch {
      return 'down';
    }
  }
}
