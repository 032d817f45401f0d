import { normalizeTags } from '@flow-crm/http';
import { type Contact } from './contact.entity';

/** The fields a merge fills on the target when the target has none and the source has one. */
export const FILLABLE_FIELDS = [
  'email',
  'phone',
  'mobile',
  'company',
  'title',
  'department',
  'avatarUrl',
  'linkedinUrl',
  'customerId',
  'nextFollowUpAt',
  'preferredContactMethod',
  'address',
  'notes',
] as const satisfies readonly (keyof Contact)[];

type MergeFields = Pick<
  Contact,
  (typeof FILLABLE_FIELDS)[number] | 'tags' | 'lastContactAt' | 'emailOptOut' | 'phoneOptOut'
>;

const isEmpty = (value: unknown) => value === null || value === undefined || value === '';

/**
 * What the target of a merge becomes: its own values kept, its empty fields filled from the
 * source, tags united (the target's first), and the later of the two last contacts. An opt-out of
 * either record holds for the merged one (a person who said no must not be mailed through a
 * duplicate). Scores and ownership stay the target's: they describe the record that survives.
 */
export function mergedFields(target: MergeFields, source: MergeFields): MergeFields {
  const merged = { ...target } as Record<string, unknown>;
  for (const field of FILLABLE_FIELDS) {
    if (isEmpty(target[field]) && !isEmpty(source[field])) merged[field] = source[field];
  }
  return {
    ...(merged as MergeFields),
    tags: normalizeTags([...target.tags, ...source.tags]),
    lastContactAt: later(target.lastContactAt, source.lastContactAt),
    emailOptOut: target.emailOptOut || source.emailOptOut,
    phoneOptOut: target.phoneOptOut || source.phoneOptOut,
  };
}

function later(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
