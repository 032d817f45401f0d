import {
  type EventData,
  type EventDefinition,
  type EventEnvelope,
  eventRegistry,
  type EventRegistry,
} from '@flow-crm/contracts';
import { RequestContext } from '@flow-crm/observability';
import { randomUUID } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { v7 } from 'uuid';
import { OUTBOX_CHANNEL } from '../bus.options';

export interface NewEvent<TData> {
  readonly organizationId: string;
  readonly aggregateId: string;
  /** The aggregate's version after the change; replicas ignore anything older than what they hold. */
  readonly aggregateVersion: number;
  readonly actorId?: string | null;
  readonly data: TData;
}

/** An aggregate's event at its current version: the fields every such event takes from its root. */
export function aggregateEvent<TData>(
  root: { readonly id: string; readonly organizationId: string; readonly version: number },
  actorId: string | null,
  data: TData,
): NewEvent<TData> {
  return {
    organizationId: root.organizationId,
    aggregateId: root.id,
    aggregateVersion: root.version,
    actorId,
    data,
  };
}

/**
 * Records integration events in the transaction of the state change that produced them. The
 * relay publishes them once that transaction has committed, so an event is never published for
 * a change that rolled back, and never lost because the broker was down.
 */
export class Outbox {
  constructor(
    private readonly source: string,
    private readonly registry: EventRegistry = eventRegistry,
  ) {}

  async publish<TDef extends EventDefinition>(
    manager: EntityManager,
    definition: TDef,
    event: NewEvent<EventData<TDef>>,
  ): Promise<EventEnvelope<EventData<TDef>>> {
    const [envelope] = await this.publishMany(manager, definition, [event]);
    return envelope!;
  }

  /** Many events of one type in one statement: for bulk changes (imports) that publish thousands. */
  async publishMany<TDef extends EventDefinition>(
    manager: EntityManager,
    definition: TDef,
    events: readonly NewEvent<EventData<TDef>>[],
  ): Promise<EventEnvelope<EventData<TDef>>[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`${definition.type} must be published inside the transaction of its change`);
    }
    if (events.length === 0) return [];
    const context = RequestContext.current();
    const envelopes = events.map((event): EventEnvelope<EventData<TDef>> => ({
      id: v7(),
      type: definition.type,
      version: definition.version,
      occurredAt: new Date().toISOString(),
      source: this.source,
      organizationId: event.organizationId,
      actorId: event.actorId ?? null,
      correlationId: context?.correlationId ?? randomUUID(),
      causationId: context?.causationId ?? null,
      aggregateId: event.aggregateId,
      aggregateVersion: event.aggregateVersion,
      data: this.registry.validateData(definition.type, definition.version, event.data) as EventData<TDef>,
    }));
    // The notification reaches the relay's LISTEN only when this transaction commits; sent by the
    // insert's statement, it costs no round trip of its own.
    await manager.query(
      `WITH inserted AS (
         INSERT INTO outbox_events (id, type, aggregate_id, envelope)
         SELECT id, $1, aggregate_id, envelope
         FROM unnest($2::uuid[], $3::uuid[], $4::jsonb[]) WITH ORDINALITY AS e (id, aggregate_id, envelope, n)
         ORDER BY n
       )
       SELECT pg_notify($5, '')`,
      [
        definition.type,
        envelopes.map((e) => e.id),
        envelopes.map((e) => e.aggregateId),
        envelopes.map((e) => JSON.stringify(e)),
        OUTBOX_CHANNEL,
      ],
    );
    return envelopes;
  }
}
