import { Outbox } from '@flow-crm/bus';
import {
  ContactCreated,
  ContactMerged,
  CustomerCreated,
  type EventEnvelope,
  type LeadConversion,
} from '@flow-crm/contracts';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { mergedFields } from '../contacts/contact-merge';
import { Contact } from '../contacts/contact.entity';
import { DealTotals } from '../deals/deal-totals';
import { toContactSnapshot } from '../contacts/contact.mapper';
import { Customer } from '../customers/customer.entity';
import { toCustomerSnapshot } from '../customers/customer.mapper';

/**
 * The contacts half of the lead-conversion saga: pipeline has already committed the lead and
 * the deal with the ids it generated; here the contact (and the customer) get those ids.
 */
@Injectable()
export class LeadConversions {
  constructor(
    private readonly outbox: Outbox,
    private readonly dealTotals: DealTotals,
  ) {}

  async apply(manager: EntityManager, event: EventEnvelope<LeadConversion>): Promise<void> {
    const conversion = event.data;
    // The inbox stops a redelivery; this stops a re-publication of the same conversion.
    if (await manager.exists(Contact, { where: { id: conversion.contact.id }, withDeleted: true })) return;
    const customer = conversion.customer ? await this.customerFor(manager, event) : null;
    const lead = conversion.contact;
    const contact = manager.create(Contact, {
      id: lead.id,
      organizationId: conversion.organizationId,
      ownerId: conversion.ownerId,
      name: lead.name,
      email: lead.email,
      phone: lead.phone,
      company: lead.company ?? customer?.name ?? null,
      title: lead.title,
      customerId: customer?.id ?? null,
    });
    const existing = lead.email
      ? await this.liveContactWithEmail(manager, conversion.organizationId, lead.email)
      : null;
    if (existing) {
      // The lead was someone the team already knows: the new contact is merged into that one at
      // once, and pipeline re-points the deal when it hears of the merge.
      contact.deletedAt = new Date();
      contact.mergedIntoId = existing.id;
    }
    const saved = await manager.save(contact);
    await this.outbox.publish(manager, ContactCreated, {
      organizationId: saved.organizationId,
      aggregateId: saved.id,
      aggregateVersion: saved.version,
      actorId: event.actorId,
      data: toContactSnapshot(saved),
    });
    // The conversion's deal event may have been handled first, before the contact existed.
    if (existing) {
      await this.dealTotals.moveDeals(manager, saved.id, existing.id);
      await this.mergeInto(manager, event, existing, saved);
      await this.dealTotals.refresh(manager, [existing.id]);
    } else {
      await this.dealTotals.refresh(manager, [saved.id]);
    }
  }

  private async mergeInto(
    manager: EntityManager,
    event: EventEnvelope<LeadConversion>,
    target: Contact,
    source: Contact,
  ): Promise<void> {
    Object.assign(target, mergedFields(target, source));
    const merged = await manager.save(target);
    await this.outbox.publish(manager, ContactMerged, {
      organizationId: merged.organizationId,
      aggregateId: merged.id,
      aggregateVersion: merged.version,
      actorId: event.actorId,
      data: {
        organizationId: merged.organizationId,
        targetId: merged.id,
        sourceId: source.id,
        target: toContactSnapshot(merged),
      },
    });
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
    await this.outbox.publish(manager, CustomerCreated, {
      organizationId,
      aggregateId: customer.id,
      aggregateVersion: customer.version,
      actorId: event.actorId,
      data: toCustomerSnapshot(customer),
    });
    return customer;
  }

  private liveContactWithEmail(manager: EntityManager, organizationId: string, email: string) {
    return manager
      .getRepository(Contact)
      .createQueryBuilder('contact')
      .setLock('pessimistic_write')
      .where('contact.organizationId = :organizationId', { organizationId })
      .andWhere('lower(contact.email) = lower(:email)', { email })
      .andWhere('contact.deletedAt IS NULL')
      .getOne();
  }
}
