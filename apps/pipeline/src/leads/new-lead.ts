import { newId } from '@flow-crm/db';
import { normalizeTags } from '@flow-crm/http';
import { type CreateLeadDto } from './dto/lead.dto';
import { Lead } from './lead.entity';

/** The optional fields a client writes as they are (on create and update); the others start empty. */
export const WRITABLE_LEAD_FIELDS = [
  'email',
  'phone',
  'company',
  'title',
  'source',
  'rating',
  'budget',
  'authority',
  'need',
  'timeline',
  'estimatedValue',
] as const;

/** A lead as created through the API or an import, before its first write. */
export function newLead(
  organizationId: string,
  ownerId: string,
  leadNumber: string,
  dto: CreateLeadDto,
): Lead {
  return Object.assign(new Lead(), {
    id: newId(),
    organizationId,
    ownerId,
    leadNumber,
    name: dto.name,
    status: 'new',
    score: dto.score ?? 0,
    tags: normalizeTags(dto.tags ?? []),
    lastContactAt: null,
    convertedAt: null,
    convertedContactId: null,
    convertedCustomerId: null,
    convertedDealId: null,
    ...Object.fromEntries(WRITABLE_LEAD_FIELDS.map((field) => [field, dto[field] ?? null])),
  });
}
