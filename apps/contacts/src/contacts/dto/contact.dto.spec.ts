import { type FieldError, toFieldErrors } from '@flow-crm/http';
import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreateContactDto, UpdateContactDto } from './contact.dto';

/** The body as the validation pipe leaves it: transformed, then validated with unknown fields stripped. */
async function check<T extends object>(type: ClassConstructor<T>, plain: object) {
  const value = plainToInstance(type, plain);
  const errors: FieldError[] = toFieldErrors(await validate(value, { whitelist: true }));
  return { value, errors, fields: [...new Set(errors.map((e) => e.field))].sort() };
}

const create = (plain: object) => check(CreateContactDto, { name: 'Ada Lovelace', ...plain });
const update = (plain: object) => check(UpdateContactDto, plain);

const CUSTOMER_ID = '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b';

/** Optional text fields where blank text means "no value". */
const CLEARABLE_TEXT = [
  'email',
  'phone',
  'mobile',
  'company',
  'title',
  'department',
  'avatarUrl',
  'linkedinUrl',
];
const VALID_TEXT: Record<string, string> = {
  email: 'ada@example.com',
  phone: '+44 20 7946 0000',
  mobile: '+44 7700 900000',
  company: 'Analytical Engines Ltd',
  title: 'CTO',
  department: 'Engineering',
  avatarUrl: 'https://img.example.com/ada.png',
  linkedinUrl: 'https://www.linkedin.com/in/ada',
};

describe('CreateContactDto', () => {
  it('takes a name alone', async () => {
    expect((await check(CreateContactDto, { name: 'Ada' })).errors).toEqual([]);
  });

  it('takes a complete contact', async () => {
    const { errors } = await create({
      ...VALID_TEXT,
      relationshipHealth: 'high',
      healthScore: 80,
      sentiment: 'positive',
      churnRisk: 5,
      nextFollowUpAt: '2025-07-01T09:00:00.000Z',
      preferredContactMethod: 'meeting',
      emailOptOut: false,
      phoneOptOut: true,
      isDecisionMaker: true,
      address: { street: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
      notes: 'Met at the conference.',
      tags: ['vip'],
      customerId: CUSTOMER_ID,
      ownerId: CUSTOMER_ID,
    });
    expect(errors).toEqual([]);
  });

  it('trims the name', async () => {
    expect((await create({ name: '  Ada Lovelace  ' })).value.name).toBe('Ada Lovelace');
  });

  it.each([
    ['missing', { name: undefined }],
    ['null', { name: null }],
    ['empty', { name: '' }],
    ['blank', { name: '  \t ' }],
    ['not text', { name: 7 }],
    ['longer than 200 characters', { name: 'x'.repeat(201) }],
  ])('refuses a name that is %s', async (_case, plain) => {
    expect((await create(plain)).fields).toEqual(['name']);
  });

  it('takes a name of 200 characters, counted after trimming', async () => {
    expect((await create({ name: ` ${'x'.repeat(200)} ` })).errors).toEqual([]);
  });

  describe.each(['healthScore', 'churnRisk'])('%s', (field) => {
    it.each([0, 1, 50, 99, 100])('takes %p', async (score) => {
      const { value, errors } = await create({ [field]: score });
      expect(errors).toEqual([]);
      expect(value).toHaveProperty(field, score);
    });

    it.each([-1, 101, 50.5, 0.1, Number.NaN, Infinity, '50', null, true])('refuses %p', async (score) => {
      expect((await create({ [field]: score })).fields).toEqual([field]);
    });
  });

  describe('email', () => {
    it.each(['ada@example.com', 'ada.lovelace+crm@mail.example.co.uk'])('takes %p', async (email) => {
      const { value, errors } = await create({ email });
      expect(errors).toEqual([]);
      expect(value.email).toBe(email);
    });

    it('trims it', async () => {
      expect((await create({ email: '  ada@example.com ' })).value.email).toBe('ada@example.com');
    });

    it.each(['ada', 'ada@', '@example.com', 'ada@@example.com', 'ada example@example.com', 'ada@example'])(
      'refuses %p',
      async (email) => {
        expect((await create({ email })).errors).toEqual([
          { field: 'email', message: 'email must be a valid e-mail address' },
        ]);
      },
    );

    it('refuses an address longer than 254 characters', async () => {
      expect((await create({ email: `${'a'.repeat(64)}@${'b'.repeat(190)}.com` })).fields).toEqual(['email']);
    });
  });

  it.each(CLEARABLE_TEXT)('makes a blank %s null', async (field) => {
    expect((await create({ [field]: '' })).value).toHaveProperty(field, null);
    const { value, errors } = await create({ [field]: '   ' });
    expect(errors).toEqual([]);
    expect(value).toHaveProperty(field, null);
  });

  it.each(['avatarUrl', 'linkedinUrl'])('takes only http(s) URLs with a protocol as %s', async (field) => {
    expect((await create({ [field]: 'http://example.com/x' })).errors).toEqual([]);
    expect((await create({ [field]: 'example.com/x' })).fields).toEqual([field]);
    expect((await create({ [field]: 'ftp://example.com/x' })).fields).toEqual([field]);
    expect((await create({ [field]: 'javascript:alert(1)' })).fields).toEqual([field]);
  });

  it.each([
    ['phone', 50],
    ['mobile', 50],
    ['company', 200],
    ['title', 200],
    ['department', 200],
    ['notes', 10_000],
  ])('limits %s to %p characters', async (field, max) => {
    expect((await create({ [field]: 'x'.repeat(max) })).errors).toEqual([]);
    expect((await create({ [field]: 'x'.repeat(max + 1) })).fields).toEqual([field]);
  });

  it('takes the enumerations by their values only, and never null', async () => {
    expect((await create({ relationshipHealth: 'low', sentiment: 'negative' })).errors).toEqual([]);
    expect((await create({ relationshipHealth: 'great', sentiment: 'angry' })).fields).toEqual([
      'relationshipHealth',
      'sentiment',
    ]);
    expect((await create({ relationshipHealth: null, sentiment: null })).fields).toEqual([
      'relationshipHealth',
      'sentiment',
    ]);
    expect((await create({ preferredContactMethod: 'fax' })).fields).toEqual(['preferredContactMethod']);
  });

  it('takes a strict ISO 8601 follow-up date', async () => {
    expect((await create({ nextFollowUpAt: '2025-07-01T09:00:00Z' })).errors).toEqual([]);
    expect((await create({ nextFollowUpAt: '2025-07-01' })).errors).toEqual([]);
    for (const nextFollowUpAt of ['tomorrow', '2025-02-30T09:00:00Z', '07/01/2025', 1751360400000, ''])
      expect((await create({ nextFollowUpAt })).fields).toEqual(['nextFollowUpAt']);
  });

  it('takes flags as booleans only', async () => {
    expect((await create({ emailOptOut: true, phoneOptOut: false, isDecisionMaker: true })).errors).toEqual(
      [],
    );
    expect((await create({ emailOptOut: 'true', phoneOptOut: 1, isDecisionMaker: null })).fields).toEqual([
      'emailOptOut',
      'isDecisionMaker',
      'phoneOptOut',
    ]);
  });

  it('checks the address field by field', async () => {
    const { errors } = await create({ address: { city: 'x'.repeat(121), country: 42 } });
    expect([...new Set(errors.map((e) => e.field))].sort()).toEqual(['address.city', 'address.country']);
  });

  it('takes ids as UUIDs', async () => {
    expect((await create({ customerId: 'acme', ownerId: '42' })).fields).toEqual(['customerId', 'ownerId']);
  });

  it('refuses a null owner (it may only be left out)', async () => {
    expect((await create({ ownerId: null })).fields).toEqual(['ownerId']);
  });

  describe('tags', () => {
    it('normalizes them: trimmed, no blanks, no repeats', async () => {
      const { value, errors } = await create({ tags: [' vip ', 'VIP', '', 'partner'] });
      expect(errors).toEqual([]);
      expect(value.tags).toEqual(['vip', 'partner']);
    });

    it('takes up to 50 tags of up to 50 characters', async () => {
      const fifty = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(50, 'x'));
      expect((await create({ tags: fifty })).errors).toEqual([]);
      expect((await create({ tags: [...fifty, 'one more'] })).fields).toEqual(['tags']);
      expect((await create({ tags: ['x'.repeat(51)] })).fields).toEqual(['tags']);
    });

    it('counts the tags after removing repeats', async () => {
      const repeated = Array.from({ length: 60 }, (_, i) => (i % 2 ? 'vip' : 'VIP'));
      const { value, errors } = await create({ tags: repeated });
      expect(errors).toEqual([]);
      expect(value.tags).toEqual(['VIP']);
    });

    it.each([['vip'], [null], [['vip', 3]], [{ 0: 'vip' }]])('refuses %p', async (tags) => {
      expect((await create({ tags })).fields).toEqual(['tags']);
    });
  });

  it('drops the fields a client may not write', async () => {
    const { value, errors } = await create({
      id: CUSTOMER_ID,
      organizationId: CUSTOMER_ID,
      totalDealsCount: 3,
      totalDealsValue: 1_000_000,
      lastContactAt: '2025-01-01T00:00:00Z',
      mergedIntoId: CUSTOMER_ID,
      createdAt: '2025-01-01T00:00:00Z',
    });
    expect(errors).toEqual([]);
    for (const field of [
      'id',
      'organizationId',
      'totalDealsCount',
      'totalDealsValue',
      'lastContactAt',
      'mergedIntoId',
      'createdAt',
    ])
      expect(value).not.toHaveProperty(field);
  });
});

describe('UpdateContactDto', () => {
  it('takes an empty change', async () => {
    expect((await update({})).errors).toEqual([]);
  });

  it('takes a change without a name', async () => {
    const { value, errors } = await update({ title: 'CEO' });
    expect(errors).toEqual([]);
    expect(value.name).toBeUndefined();
    expect(value.title).toBe('CEO');
  });

  it('takes a new name, trimmed', async () => {
    expect((await update({ name: ' Ada King ' })).value.name).toBe('Ada King');
  });

  it.each([
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['longer than 200 characters', 'x'.repeat(201)],
  ])('refuses a name that is %s', async (_case, name) => {
    expect((await update({ name })).fields).toEqual(['name']);
  });

  it.each([...CLEARABLE_TEXT, 'notes', 'nextFollowUpAt', 'preferredContactMethod', 'address', 'customerId'])(
    'clears %s with null',
    async (field) => {
      const { value, errors } = await update({ [field]: null });
      expect(errors).toEqual([]);
      expect(value).toHaveProperty(field, null);
    },
  );

  it.each(CLEARABLE_TEXT)('clears %s with blank text', async (field) => {
    const { value, errors } = await update({ [field]: '' });
    expect(errors).toEqual([]);
    expect(value).toHaveProperty(field, null);
  });

  it.each(['healthScore', 'churnRisk', 'relationshipHealth', 'sentiment', 'emailOptOut', 'ownerId', 'tags'])(
    'refuses to clear %s, which has no empty state',
    async (field) => {
      expect((await update({ [field]: null })).fields).toEqual([field]);
    },
  );

  it('validates what it is given as a create does', async () => {
    expect((await update({ email: 'nope', healthScore: 101, churnRisk: -1 })).fields).toEqual([
      'churnRisk',
      'email',
      'healthScore',
    ]);
  });

  it('keeps valid values as given', async () => {
    const { value, errors } = await update({ ...VALID_TEXT, healthScore: 0, churnRisk: 100 });
    expect(errors).toEqual([]);
    expect(value).toMatchObject({ ...VALID_TEXT, healthScore: 0, churnRisk: 100 });
  });
});
