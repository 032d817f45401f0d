import { Outbox } from '@flow-crm/bus';
import { ContactMerged } from '@flow-crm/contracts';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { CommunicationEvent } from '../communication/communication-event.entity';
import { DealTotals } from '../deals/deal-totals';
import { TagCatalog } from '../tags/tag-catalog';
import { mergedFields } from './contact-merge';
import { Contact } from './contact.entity';
import { contactMergedEvent } from './contact.mapper';

/**
 * Merges one contact into another, for the merge route and for a converted lead that turns out
 * to be a known contact: the target keeps its values and takes the source's where it has none,
 * unites the tags, takes over the communication and the deal totals; the source is deleted, and
 * `contacts.contact.merged` tells other services to re-point their references.
 */
@Injectable()
export class ContactMerger {
  constructor(
    private readonly outbox: Outbox,
    private readonly tagCatalog: TagCatalog,
    private readonly dealTotals: DealTotals,
  ) {}

  /** Both contacts must be locked by the caller's transaction. Returns the target as merged. */
  async merge(
    manager: EntityManager,
    target: Contact,
    source: Contact,
    actorId: string | null,
  ): Promise<Contact> {
    // The source goes first: its email is free for the target once it is deleted. A converted
    // lead's contact is born merged into the target: it is written already.
    if (source.mergedIntoId !== target.id) {
      source.deletedAt = new Date();
      source.mergedIntoId = target.id;
      await manager.save(source);
    }
    Object.assign(target, mergedFields(target, source));
    target.tags = await this.tagCatalog.register(manager, target.organizationId, target.tags);
    await manager.update(CommunicationEvent, { contactId: source.id }, { contactId: target.id });
    await this.dealTotals.moveDeals(manager, source.id, target.id);
    await manager.save(target);
    await this.dealTotals.refresh(manager, [target.id]);
    const merged = await manager.findOneByOrFail(Contact, { id: target.id });
    await this.outbox.publish(manager, ContactMerged, contactMergedEvent(merged, source.id, actorId));
    return merged;
  }
}
