import { z } from 'zod';
import { defineEvent, type EventData } from './registry';
import { replicasRequested } from './replicas';

const money = z.number().nonnegative().multipleOf(0.01);

/** What other services replicate of a deal (contacts keeps each contact's deal totals from it). */
const dealSnapshot = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  ownerId: z.uuid(),
  title: z.string(),
  contactId: z.uuid().nullable(),
  customerId: z.uuid().nullable(),
  company: z.string().nullable(),
  value: money,
  currency: z.string().length(3),
  pipelineId: z.uuid(),
  stage: z.string(),
  probability: z.number().int().min(0).max(100),
  isWon: z.boolean(),
  isLost: z.boolean(),
});

export const DealCreated = defineEvent('pipeline.deal.created', 1, dealSnapshot);
export const DealUpdated = defineEvent('pipeline.deal.updated', 1, dealSnapshot);
export const DealStageChanged = defineEvent(
  'pipeline.deal.stage_changed',
  1,
  dealSnapshot.extend({ fromStage: z.string(), toStage: z.string() }),
);
/** Carries the last snapshot: a consumer that missed the others still knows which contact it was. */
export const DealDeleted = defineEvent('pipeline.deal.deleted', 1, dealSnapshot);
/** Something was done on a deal (a call, a demo); calendar and AI read the activity stream. */
export const DealActivityLogged = defineEvent(
  'pipeline.deal.activity_logged',
  1,
  z.object({
    id: z.uuid(),
    dealId: z.uuid(),
    organizationId: z.uuid(),
    userId: z.uuid(),
    contactId: z.uuid().nullable(),
    type: z.enum(['call', 'email', 'meeting', 'proposal', 'demo', 'note']),
    occurredAt: z.iso.datetime({ offset: true }),
    description: z.string(),
    outcome: z.string().nullable(),
    nextStep: z.string().nullable(),
  }),
);

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'unqualified', 'converted'] as const;

/** What other services replicate of a lead (campaigns target leads, for example). */
const leadSnapshot = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  ownerId: z.uuid(),
  leadNumber: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
  source: z.string().nullable(),
  status: z.enum(LEAD_STATUSES),
  score: z.number().int().min(0).max(100),
  estimatedValue: money.nullable(),
});

export const LeadCreated = defineEvent('pipeline.lead.created', 1, leadSnapshot);
export const LeadUpdated = defineEvent('pipeline.lead.updated', 1, leadSnapshot);
export const LeadAssigned = defineEvent(
  'pipeline.lead.assigned',
  1,
  leadSnapshot.extend({ previousOwnerId: z.uuid() }),
);
export const LeadStatusChanged = defineEvent(
  'pipeline.lead.status_changed',
  1,
  leadSnapshot.extend({ fromStatus: z.enum(LEAD_STATUSES), toStatus: z.enum(LEAD_STATUSES) }),
);
export const LeadDeleted = defineEvent('pipeline.lead.deleted', 1, leadSnapshot);

/**
 * A lead was converted. Pipeline generated every id: contacts creates the contact with
 * `contact.id` (and the customer with `customer.id` when the lead had a company and no customer
 * of that name exists), so that the client got all the ids at once.
 */
export const LeadConverted = defineEvent(
  'pipeline.lead.converted',
  1,
  z.object({
    leadId: z.uuid(),
    organizationId: z.uuid(),
    ownerId: z.uuid(),
    contact: z.object({
      id: z.uuid(),
      name: z.string().min(1),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      company: z.string().nullable(),
      title: z.string().nullable(),
    }),
    customer: z.object({ id: z.uuid(), name: z.string().min(1) }).nullable(),
    dealId: z.uuid().nullable(),
  }),
);

/** Pipeline met an organization older than its database: its users, contacts and customers, please. */
export const PipelineReplicasRequested = replicasRequested('pipeline');

export const pipelineEvents = [
  DealCreated,
  DealUpdated,
  DealStageChanged,
  DealDeleted,
  DealActivityLogged,
  LeadCreated,
  LeadUpdated,
  LeadAssigned,
  LeadStatusChanged,
  LeadDeleted,
  LeadConverted,
  PipelineReplicasRequested,
] as const;

export type DealSnapshot = EventData<typeof DealCreated>;
export type LeadConversion = EventData<typeof LeadConverted>;
export type DealActivity = EventData<typeof DealActivityLogged>;
export type LeadSnapshot = EventData<typeof LeadCreated>;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
