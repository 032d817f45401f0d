import { type LeadSnapshot, type LeadStatus } from '@flow-crm/contracts';
import { type Lead, type Rating } from './lead.entity';

/** A lead as the API shows it. */
export interface LeadResponse {
  id: string;
  organizationId: string;
  ownerId: string;
  leadNumber: string;
  name: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  title: string | null;
  source: string | null;
  status: LeadStatus;
  score: number;
  rating: Rating | null;
  budget: number | null;
  authority: string | null;
  need: string | null;
  timeline: string | null;
  estimatedValue: number | null;
  lastContactAt: string | null;
  convertedAt: string | null;
  convertedContactId: string | null;
  convertedCustomerId: string | null;
  convertedDealId: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toLeadResponse(lead: Lead): LeadResponse {
  return {
    id: lead.id,
    organizationId: lead.organizationId,
    ownerId: lead.ownerId,
    leadNumber: lead.leadNumber,
    name: lead.name,
    email: lead.email,
    phone: lead.phone,
    company: lead.company,
    title: lead.title,
    source: lead.source,
    status: lead.status,
    score: lead.score,
    rating: lead.rating,
    budget: lead.budget,
    authority: lead.authority,
    need: lead.need,
    timeline: lead.timeline,
    estimatedValue: lead.estimatedValue,
    lastContactAt: iso(lead.lastContactAt),
    convertedAt: iso(lead.convertedAt),
    convertedContactId: lead.convertedContactId,
    convertedCustomerId: lead.convertedCustomerId,
    convertedDealId: lead.convertedDealId,
    tags: lead.tags,
    createdAt: lead.createdAt.toISOString(),
    updatedAt: lead.updatedAt.toISOString(),
  };
}

export function leadSnapshot(lead: Lead): LeadSnapshot {
  return {
    id: lead.id,
    organizationId: lead.organizationId,
    ownerId: lead.ownerId,
    leadNumber: lead.leadNumber,
    name: lead.name,
    email: lead.email,
    phone: lead.phone,
    company: lead.company,
    source: lead.source,
    status: lead.status,
    score: lead.score,
    estimatedValue: lead.estimatedValue,
  };
}
