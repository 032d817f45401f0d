import { z } from 'zod';
import { defineEvent } from './registry';

/** Aggregates other services keep replicas of, named by the prefix of their events' types. */
export const REPLICATED_AGGREGATES = ['identity.user', 'contacts.contact', 'contacts.customer'] as const;
export type ReplicatedAggregate = (typeof REPLICATED_AGGREGATES)[number];

/**
 * `<service>.replicas.requested`: the service has met an organization whose earlier events it
 * never received (its database is newer than the organization), and asks the owners of
 * `aggregates` to send the organization's records again as `*.republished` snapshots.
 */
export function replicasRequested<TService extends string>(service: TService) {
  return defineEvent(
    `${service}.replicas.requested` as const,
    1,
    z.object({ organizationId: z.uuid(), aggregates: z.array(z.enum(REPLICATED_AGGREGATES)).min(1) }),
  );
}
