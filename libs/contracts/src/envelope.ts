import { z } from 'zod';

/**
 * The integration-event envelope every service publishes and consumes (ARCHITECTURE.md,
 * "Integration events"). `id` is also the AMQP messageId; `type` is the routing key.
 */
export interface EventEnvelope<TData = unknown, TType extends string = string> {
  readonly id: string;
  readonly type: TType;
  readonly version: number;
  readonly occurredAt: string;
  readonly source: string;
  readonly organizationId: string;
  readonly actorId: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly data: TData;
}

export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z]+\.[a-z_]+\.[a-z_]+$/, 'type must be <service>.<aggregate>.<verb>'),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  organizationId: z.uuid(),
  actorId: z.uuid().nullable(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  aggregateId: z.uuid(),
  aggregateVersion: z.number().int().nonnegative(),
  data: z.unknown(),
});
