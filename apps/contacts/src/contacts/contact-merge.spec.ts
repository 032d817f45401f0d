import { FILLABLE_FIELDS, mergedFields } from './contact-merge';
import { type Contact } from './contact.entity';

type MergeInput = Parameters<typeof mergedFields>[0];

/** A contact with no optional field set. */
function blank(overrides: Partial<Contact> = {}): Contact {
  return {
    id: 'contact',
    organizationId: 'org',
    ownerId: 'owner',
    name: 'Someone',
    relationshipHealth: 'medium',
    healthScore: 50,
    sentiment: 'neutral',
    churnRisk: 0,
    totalDealsCount: 0,
    totalDealsValue: 0,
    emailOptOut: false,
    phoneOptOut: false,
    isDecisionMaker: false,
    mergedIntoId: null,
    deletedAt: null,
    email: null,
    phone: null,
    mobile: null,
    company: null,
    title: null,
    department: null,
    avatarUrl: null,
    linkedinUrl: null,
    customerId: null,
    nextFollowUpAt: null,
    preferredContactMethod: null,
    address: null,
    notes: null,
    tags: [],
    lastContactAt: null,
    ...overrides,
  } as Contact;
}

/** A value of each fillable field, different for `variant` 'a' and 'b'. */
function filled(variant: 'a' | 'b'): Pick<Contact, (typeof FILLABLE_FIELDS)[number]> {
  return {
    email: `${variant}@example.com`,
    phone: `+1 555 010${variant === 'a' ? 1 : 2}`,
    mobile: `+1 555 020${variant === 'a' ? 1 : 2}`,
    company: `Company ${variant}`,
    title: `Title ${variant}`,
    department: `Department ${variant}`,
    avatarUrl: `https://img.example.com/${variant}.png`,
    linkedinUrl: `https://www.linkedin.com/in/${variant}`,
    customerId:
      variant === 'a' ? '0190a1b2-0000-7000-8000-00000000000a' : '0190a1b2-0000-7000-8000-00000000000b',
    nextFollowUpAt: new Date(variant === 'a' ? '2025-07-01T09:00:00.000Z' : '2025-08-01T09:00:00.000Z'),
    preferredContactMethod: variant === 'a' ? 'email' : 'phone',
    address: { city: `City ${variant}` },
    notes: `Notes ${variant}`,
  };
}

describe('mergedFields', () => {
  it('lists every optional field of a contact as fillable', () => {
    expect([...FILLABLE_FIELDS].sort()).toEqual(
      [
        'address',
        'avatarUrl',
        'company',
        'customerId',
        'department',
        'email',
        'linkedinUrl',
        'mobile',
        'nextFollowUpAt',
        'notes',
        'phone',
        'preferredContactMethod',
        'title',
      ].sort(),
    );
  });

  it("keeps every value the target has, whatever the source's", () => {
    const target = blank(filled('a'));
    const source = blank(filled('b'));
    expect(mergedFields(target, source)).toMatchObject(filled('a'));
  });

  it.each(FILLABLE_FIELDS.map((field) => [field]))(
    'fills a null %s of the target from the source',
    (field) => {
      const target = blank();
      const source = blank({ [field]: filled('b')[field] });
      expect(mergedFields(target, source)[field]).toEqual(filled('b')[field]);
    },
  );

  it('fills every empty field at once, and leaves the others', () => {
    const target = blank({ email: 'a@example.com', company: null, title: '' });
    const source = blank(filled('b'));
    const merged = mergedFields(target, source);
    expect(merged).toMatchObject({ ...filled('b'), email: 'a@example.com' });
  });

  it.each(['email', 'phone', 'mobile', 'company', 'title', 'department', 'notes'] as const)(
    "treats the target's empty text %s as missing",
    (field) => {
      const merged = mergedFields(blank({ [field]: '' }), blank({ [field]: filled('b')[field] }));
      expect(merged[field]).toBe(filled('b')[field]);
    },
  );

  it("never replaces the target's value with an empty one from the source", () => {
    const target = blank({ email: 'a@example.com', notes: null, company: '' });
    const source = blank({ email: '', notes: '', company: null });
    const merged = mergedFields(target, source);
    expect(merged.email).toBe('a@example.com');
    expect(merged.notes).toBeNull();
    expect(merged.company).toBe('');
  });

  it('unites the tags, the target first, without repeats whatever the case', () => {
    const target = blank({ tags: ['VIP', 'newsletter'] });
    const source = blank({ tags: ['vip', 'Partner', 'NEWSLETTER', 'partner', 'events'] });
    expect(mergedFields(target, source).tags).toEqual(['VIP', 'newsletter', 'Partner', 'events']);
  });

  it('takes the source tags when the target has none, and none when neither has', () => {
    expect(mergedFields(blank(), blank({ tags: ['b', 'a'] })).tags).toEqual(['b', 'a']);
    expect(mergedFields(blank({ tags: ['x'] }), blank()).tags).toEqual(['x']);
    expect(mergedFields(blank(), blank()).tags).toEqual([]);
  });

  it.each([
    ['the target', '2025-05-02T10:00:00.000Z', '2025-05-01T10:00:00.000Z', '2025-05-02T10:00:00.000Z'],
    ['the source', '2025-05-01T10:00:00.000Z', '2025-05-02T10:00:00.000Z', '2025-05-02T10:00:00.000Z'],
    [
      'the source by a millisecond',
      '2025-05-01T10:00:00.000Z',
      '2025-05-01T10:00:00.001Z',
      '2025-05-01T10:00:00.001Z',
    ],
    [
      'neither (same moment)',
      '2025-05-01T10:00:00.000Z',
      '2025-05-01T10:00:00.000Z',
      '2025-05-01T10:00:00.000Z',
    ],
  ])('takes the later last contact when %s is later', (_case, target, source, expected) => {
    const merged = mergedFields(
      blank({ lastContactAt: new Date(target) }),
      blank({ lastContactAt: new Date(source) }),
    );
    expect(merged.lastContactAt).toEqual(new Date(expected));
  });

  it('takes whichever last contact exists when the other contact was never contacted', () => {
    const at = new Date('2025-05-01T10:00:00.000Z');
    expect(mergedFields(blank({ lastContactAt: at }), blank()).lastContactAt).toEqual(at);
    expect(mergedFields(blank(), blank({ lastContactAt: at })).lastContactAt).toEqual(at);
    expect(mergedFields(blank(), blank()).lastContactAt).toBeNull();
  });

  it("leaves the target's scores, ownership and flags as they are", () => {
    const target = blank({
      id: 'target',
      ownerId: 'target-owner',
      name: 'Target',
      healthScore: 20,
      churnRisk: 10,
      sentiment: 'positive',
      relationshipHealth: 'low',
      totalDealsCount: 1,
      totalDealsValue: 100,
      isDecisionMaker: false,
    });
    const source = blank({
      id: 'source',
      ownerId: 'source-owner',
      name: 'Source',
      healthScore: 90,
      churnRisk: 80,
      sentiment: 'negative',
      relationshipHealth: 'high',
      totalDealsCount: 5,
      totalDealsValue: 90_000,
      isDecisionMaker: true,
    });
    const before = { ...target };
    // As the merge applies it: the result assigned onto the target entity.
    const merged = Object.assign(target, mergedFields(target, source));
    for (const key of [
      'id',
      'ownerId',
      'name',
      'healthScore',
      'churnRisk',
      'sentiment',
      'relationshipHealth',
      'totalDealsCount',
      'totalDealsValue',
      'isDecisionMaker',
    ] as const)
      expect(merged[key]).toBe(before[key]);
  });

  it('changes neither of the contacts it is given', () => {
    const target: MergeInput = blank({ tags: ['a'], email: null });
    const source: MergeInput = blank({ ...filled('b'), tags: ['b'], lastContactAt: new Date() });
    const targetBefore = structuredClone(target);
    const sourceBefore = structuredClone(source);
    mergedFields(target, source);
    expect(target).toEqual(targetBefore);
    expect(source).toEqual(sourceBefore);
  });

  it('keeps an opt-out of either contact', () => {
    const optedOut = blank({ emailOptOut: true, phoneOptOut: true });
    expect(mergedFields(blank(), optedOut)).toMatchObject({ emailOptOut: true, phoneOptOut: true });
    expect(mergedFields(optedOut, blank())).toMatchObject({ emailOptOut: true, phoneOptOut: true });
    expect(mergedFields(blank({ emailOptOut: true }), blank({ phoneOptOut: true }))).toMatchObject({
      emailOptOut: true,
      phoneOptOut: true,
    });
    expect(mergedFields(blank(), blank())).toMatchObject({ emailOptOut: false, phoneOptOut: false });
  });
});
