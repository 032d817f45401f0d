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
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`${definition.type} must be published inside the transaction of its change`);
    }
    const data = this.registry.validateData(
      definition.type,
      definition.version,
      event.data,
    ) as EventData<TDef>;
    const context = RequestContext.current();
    const envelope: EventEnvelope<EventData<TDef>> = {
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
      data,
    };
    await manager.query(
      'INSERT INTO outbox_events (id, type, aggregate_id, envelope) VALUES ($1, $2, $3, $4)',
      [envelope.id, envelope.type, envelope.aggregateId, JSON.stringify(envelope)],
    );
    // Delivered to the relay's LISTEN only when this transaction commits.
    await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, '']);
    return envelope;
  }
}
