import { Outbox } from '@flow-crm/bus';
import {
  ContactRepublished,
  CustomerRepublished,
  type EventData,
  type EventEnvelope,
  type PipelineReplicasRequested,
} from '@flow-crm/contracts';
import { Injectable } from '@nestjs/common';
import { type EntityManager, MoreThan } from 'typeorm';
import { Contact } from '../contacts/contact.entity';
import { contactEvent } from '../contacts/contact.mapper';
import { Customer } from '../customers/customer.entity';
import { customerEvent } from '../customers/customer.mapper';

/** Rows read and events written per statement: an organization may hold hundreds of thousands. */
const BATCH = 1_000;

/**
 * Another service met an organization older than its database: contacts sends the
 * organization's live contacts and customers again, as they are now. Deleted ones are not
 * sent: to a replica that never saw them they are as unknown as records that never existed.
 */
@Injectable()
export class ReplicaRequests {
  constructor(private readonly outbox: Outbox) {}

  async answer(
    manager: EntityManager,
    event: EventEnvelope<EventData<typeof PipelineReplicasRequested>>,
  ): Promise<void> {
    const { organizationId, aggregates } = event.data;
    if (aggregates.includes('contacts.customer')) {
      for await (const customers of inBatches((after) => manager.find(Customer, page(organizationId, after))))
        await this.outbox.publishMany(
          manager,
          CustomerRepublished,
          customers.map((customer) => customerEvent(customer, null)),
        );
    }
    if (aggregates.includes('contacts.contact')) {
      for await (const contacts of inBatches((after) => manager.find(Contact, page(organizationId, after))))
        await this.outbox.publishMany(
          manager,
          ContactRepublished,
          contacts.map((contact) => contactEvent(contact, null)),
        );
    }
  }
}

/** The organization's live rows in id order, a batch at a time (`find` leaves soft-deleted rows out). */
async function* inBatches<T extends { id: string }>(
  load: (after: string | undefined) => Promise<T[]>,
): AsyncGenerator<T[]> {
  for (let rows = await load(undefined); rows.length > 0; rows = await load(rows.at(-1)!.id)) yield rows;
}

function page(organizationId: string, after: string | undefined) {
  return {
    where: { organizationId, ...(after ? { id: MoreThan(after) } : {}) },
    order: { id: 'ASC' as const },
    take: BATCH,
  };
}
