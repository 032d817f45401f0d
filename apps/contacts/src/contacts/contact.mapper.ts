import { aggregateEvent, type NewEvent } from '@flow-crm/bus';
import { type ContactMerged, type ContactSnapshot, type EventData } from '@flow-crm/contracts';
import { type Address } from '../shared/address';
import { type Contact, type ContactMethod, type RelationshipHealth, type Sentiment } from './contact.entity';

/** A contact as the API shows it. */
export interface ContactResponse {
  id: string;
  organizationId: string;
  ownerId: string;
  customerId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  company: string | null;
  title: string | null;
  department: string | null;
  avatarUrl: string | null;
  linkedinUrl: string | null;
  relationshipHealth: RelationshipHealth;
  healthScore: number;
  sentiment: Sentiment;
  churnRisk: number;
  lastContactAt: string | null;
  nextFollowUpAt: string | null;
  totalDealsCount: number;
  totalDealsValue: number;
  preferredContactMethod: ContactMethod | null;
  emailOptOut: boolean;
  phoneOptOut: boolean;
  isDecisionMaker: boolean;
  address: Address | null;
  notes: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toContactResponse(contact: Contact): ContactResponse {
  return {
    id: contact.id,
    organizationId: contact.organizationId,
    ownerId: contact.ownerId,
    customerId: contact.customerId,
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    mobile: contact.mobile,
    company: contact.company,
    title: contact.title,
    department: contact.department,
    avatarUrl: contact.avatarUrl,
    linkedinUrl: contact.linkedinUrl,
    relationshipHealth: contact.relationshipHealth,
    healthScore: contact.healthScore,
    sentiment: contact.sentiment,
    churnRisk: contact.churnRisk,
    lastContactAt: iso(contact.lastContactAt),
    nextFollowUpAt: iso(contact.nextFollowUpAt),
    totalDealsCount: contact.totalDealsCount,
    totalDealsValue: contact.totalDealsValue,
    preferredContactMethod: contact.preferredContactMethod,
    emailOptOut: contact.emailOptOut,
    phoneOptOut: contact.phoneOptOut,
    isDecisionMaker: contact.isDecisionMaker,
    address: contact.address,
    notes: contact.notes,
    tags: contact.tags,
    createdAt: contact.createdAt.toISOString(),
    updatedAt: contact.updatedAt.toISOString(),
  };
}

/** What other services replicate of a contact (the payload of `contacts.contact.*`). */
export function toContactSnapshot(contact: Contact): ContactSnapshot {
  return {
    id: contact.id,
    organizationId: contact.organizationId,
    ownerId: contact.ownerId,
    name: contact.name,
    email: contact.email,
    company: contact.company,
    customerId: contact.customerId,
  };
}

/** A `contacts.contact.created|updated|deleted` event of the contact as it now is. */
export function contactEvent(contact: Contact, actorId: string | null): NewEvent<ContactSnapshot> {
  return aggregateEvent(contact, actorId, toContactSnapshot(contact));
}

/** `contacts.contact.merged`: `sourceId` was merged into `target` (as it now is). */
export function contactMergedEvent(
  target: Contact,
  sourceId: string,
  actorId: string | null,
): NewEvent<EventData<typeof ContactMerged>> {
  return {
    ...contactEvent(target, actorId),
    data: {
      organizationId: target.organizationId,
      targetId: target.id,
      sourceId,
      target: toContactSnapshot(target),
    },
  };
}
