import { type EventContext } from '@flow-crm/bus';
import {
  ContactCreated,
  ContactDeleted,
  ContactMerged,
  ContactRepublished,
  type ContactSnapshot,
  ContactUpdated,
  CustomerCreated,
  CustomerDeleted,
  CustomerRepublished,
  type CustomerSnapshot,
  CustomerUpdated,
  type EventData,
  type EventEnvelope,
  TagDeleted,
  TagRenamed,
} from '@flow-crm/contracts';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DealsService } from '../deals/deals.service';
import { ContactReplicas } from '../replicas/contact-replicas';
import { CustomerReplicas } from '../replicas/customer-replicas';
import { TaggedRecords } from './tagged-records';

/** What pipeline does with contacts' events; each runs in the transaction of its inbox row. */
@Controller()
export class ContactsEventsController {
  constructor(
    private readonly contacts: ContactReplicas,
    private readonly customers: CustomerReplicas,
    private readonly deals: DealsService,
    private readonly tagged: TaggedRecords,
  ) {}

  @EventPattern(ContactCreated.type)
  async contactCreated(
    @Payload() event: EventEnvelope<ContactSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.contacts.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  @EventPattern(ContactUpdated.type)
  async contactUpdated(
    @Payload() event: EventEnvelope<ContactSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.contacts.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  /** Sent on pipeline's request for an organization older than its database. */
  @EventPattern(ContactRepublished.type)
  async contactRepublished(
    @Payload() event: EventEnvelope<ContactSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.contacts.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  /** Deals keep `contactId` and the last known name. */
  @EventPattern(ContactDeleted.type)
  async contactDeleted(
    @Payload() event: EventEnvelope<ContactSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.contacts.apply(ctx.manager, event.data, event.aggregateVersion, true);
  }

  /** The source's deals move to the target. */
  @EventPattern(ContactMerged.type)
  async contactMerged(
    @Payload() event: EventEnvelope<EventData<typeof ContactMerged>>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const { target, sourceId, organizationId } = event.data;
    await this.contacts.apply(ctx.manager, target, event.aggregateVersion);
    await ctx.manager.query(
      'UPDATE contact_replicas SET deleted = true WHERE id = $1 AND organization_id = $2',
      [sourceId, organizationId],
    );
    // The target as the replica now has it: a later rename may have arrived before this merge.
    const current = (await this.contacts.live(ctx.manager, organizationId, target.id)) ?? target;
    await this.deals.moveContactDeals(ctx.manager, organizationId, sourceId, current);
  }

  @EventPattern(CustomerCreated.type)
  async customerCreated(
    @Payload() event: EventEnvelope<CustomerSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.customers.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  @EventPattern(CustomerUpdated.type)
  async customerUpdated(
    @Payload() event: EventEnvelope<CustomerSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.customers.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  @EventPattern(CustomerRepublished.type)
  async customerRepublished(
    @Payload() event: EventEnvelope<CustomerSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.customers.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  @EventPattern(CustomerDeleted.type)
  async customerDeleted(
    @Payload() event: EventEnvelope<CustomerSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.customers.apply(ctx.manager, event.data, event.aggregateVersion, true);
  }

  @EventPattern(TagDeleted.type)
  async tagDeleted(
    @Payload() event: EventEnvelope<EventData<typeof TagDeleted>>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.tagged.removeTag(ctx.manager, event.data.organizationId, event.data.name);
  }

  @EventPattern(TagRenamed.type)
  async tagRenamed(
    @Payload() event: EventEnvelope<EventData<typeof TagRenamed>>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.tagged.renameTag(
      ctx.manager,
      event.data.organizationId,
      event.data.previousName,
      event.data.name,
    );
  }
}
