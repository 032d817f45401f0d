import { Outbox } from '@flow-crm/bus';
import {
  ContactCreated,
  CustomerCreated,
  type EventEnvelope,
  type LeadConversion,
} from '@flow-crm/contracts';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { liveContactWithEmail } from '../contacts/contact-lookup';
import { ContactMerger } from '../contacts/contact-merger';
import { Contact } from '../contacts/contact.entity';
import { DealTotals } from '../deals/deal-totals';
import { contactEvent } from '../contacts/contact.mapper';
import { Customer } from '../customers/customer.entity';
import { customerEvent } from '../customers/customer.mapper';

/**
 * The contacts half of the lead-conversion saga: pipeline has already committed the lead and
 * the deal with the ids it generated; here the contact (and the customer) get those ids.
 */
@Injectable()
export class LeadConversions {
  constructor(
    private readonly outbox: Outbox,
    private readonly dealTotals: DealTotals,
    private readonly merger: ContactMerger,
  ) {}

  async apply(manager: EntityManager, event: EventEnvelope<LeadConversion>): Promise<void> {
    const conversion = event.data;
    // The inbox stops a redelivery; this stops a re-publication of the same conversion.
    if (await manager.exists(Contact, { where: { id: conversion.contact.id }, withDeleted: true })) return;
    const customer = conversion.customer ? await this.customerFor(manager, event) : null;
    const lead = conversion.contact;
    const existing = lead.email
      ? await liveContactWithEmail(manager, conversion.organizationId, lead.email, { lock: true })
      : null;
    const contact = await manager.save(
      manager.create(Contact, {
        id: lead.id,
        organizationId: conversion.organizationId,
        ownerId: conversion.ownerId,
        name: lead.name,
        email: lead.email,
        phone: lead.phone,
        company: lead.company ?? customer?.name ?? null,
        title: lead.title,
        customerId: customer?.id ?? null,
        // Born merged when the lead is someone the team already knows: its email is taken.
        ...(existing ? { deletedAt: new Date(), mergedIntoId: existing.id } : {}),
      }),
    );
    await this.outbox.publish(manager, ContactCreated, contactEvent(contact, event.actorId));
    // Pipeline re-points the deal when it hears of the merge. Either way the conversion's deal
    // event may have been handled first, before the contact existed: the merge and the refresh
    // count it.
    if (existing) await this.merger.merge(manager, existing, contact, event.actorId);
    else await this.dealTotals.refresh(manager, [contact.id]);
  }

  /** The customer of that name if the organization has one, else a new one with the event's id. */
  private async customerFor(manager: EntityManager, event: EventEnvelope<LeadConversion>): Promise<Customer> {
    const { organizationId, ownerId } = event.data;
    const wanted = event.data.customer!;
    const byName = await manager
      .getRepository(Customer)
      .createQueryBuilder('customer')
      .where('customer.organizationId = :organizationId', { organizationId })
      .andWhere('lower(customer.name) = lower(:name)', { name: wanted.name })
      .orderBy('customer.createdAt', 'ASC')
      .getOne();
    if (byName) return byName;
    const customer = await manager.save(
      manager.create(Customer, {
        id: wanted.id,
        organizationId,
        ownerId,
        name: wanted.name,
        type: 'prospect',
      }),
    );
    await this.outbox.publish(manager, CustomerCreated, customerEvent(customer, event.actorId));
    return customer;
  }
}
