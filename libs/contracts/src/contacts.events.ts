import { z } from 'zod';
import { defineEvent, type EventData } from './registry';

/** What other services replicate of a contact (pipeline shows `contactName`, for example). */
const contactSnapshot = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  ownerId: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  company: z.string().nullable(),
  customerId: z.uuid().nullable(),
});

const customerSnapshot = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  ownerId: z.uuid(),
  name: z.string(),
  type: z.enum(['prospect', 'customer', 'partner', 'vendor']),
  industry: z.string().nullable(),
  parentId: z.uuid().nullable(),
});

export const ContactCreated = defineEvent('contacts.contact.created', 1, contactSnapshot);
export const ContactUpdated = defineEvent('contacts.contact.updated', 1, contactSnapshot);
/** Carries the last known snapshot: records that point at the contact keep its name. */
export const ContactDeleted = defineEvent('contacts.contact.deleted', 1, contactSnapshot);
/** The source was merged into the target and deleted: references to the source move to the target. */
export const ContactMerged = defineEvent(
  'contacts.contact.merged',
  1,
  z.object({ organizationId: z.uuid(), targetId: z.uuid(), sourceId: z.uuid(), target: contactSnapshot }),
);
export const CustomerCreated = defineEvent('contacts.customer.created', 1, customerSnapshot);
export const CustomerUpdated = defineEvent('contacts.customer.updated', 1, customerSnapshot);
export const CustomerDeleted = defineEvent('contacts.customer.deleted', 1, customerSnapshot);
/** Live records as they are now, sent again because a service asked for its replicas; nothing changed. */
export const ContactRepublished = defineEvent('contacts.contact.republished', 1, contactSnapshot);
export const CustomerRepublished = defineEvent('contacts.customer.republished', 1, customerSnapshot);
export const CommunicationLogged = defineEvent(
  'contacts.communication.logged',
  1,
  z.object({
    id: z.uuid(),
    organizationId: z.uuid(),
    contactId: z.uuid(),
    type: z.enum(['email', 'call', 'meeting', 'note']),
    occurredAt: z.iso.datetime({ offset: true }),
    subject: z.string().nullable(),
    summary: z.string(),
  }),
);
/** A catalog tag was deleted: every service drops the tag from its records. */
export const TagDeleted = defineEvent(
  'contacts.tag.deleted',
  1,
  z.object({ id: z.uuid(), organizationId: z.uuid(), name: z.string() }),
);
/** A catalog tag was renamed: every service renames it on its records. */
export const TagRenamed = defineEvent(
  'contacts.tag.renamed',
  1,
  z.object({ id: z.uuid(), organizationId: z.uuid(), previousName: z.string(), name: z.string() }),
);

export const contactsEvents = [
  ContactCreated,
  ContactUpdated,
  ContactDeleted,
  ContactMerged,
  CustomerCreated,
  CustomerUpdated,
  CustomerDeleted,
  ContactRepublished,
  CustomerRepublished,
  CommunicationLogged,
  TagDeleted,
  TagRenamed,
] as const;

export type ContactSnapshot = EventData<typeof ContactCreated>;
export type CustomerSnapshot = EventData<typeof CustomerCreated>;
