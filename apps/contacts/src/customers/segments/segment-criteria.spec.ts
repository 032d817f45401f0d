import { ValidationError } from '@flow-crm/http';
import { plainToInstance } from 'class-transformer';
import { assertSomeCriterion, SegmentCriteria, segmentConditions } from './segment-criteria';

const criteria = (plain: object) => plainToInstance(SegmentCriteria, plain);

describe('assertSomeCriterion', () => {
  it.each([
    ['no criterion', {}],
    ['only undefined criteria', { industry: undefined, tag: undefined }],
    ['only null criteria', { industry: null, type: null, tier: null, minRevenue: null, tag: null }],
  ])('refuses %s as a 422 on criteria', (_case, plain) => {
    let error: unknown;
    try {
      assertSomeCriterion(criteria(plain));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 422,
      fieldErrors: [{ field: 'criteria', message: expect.any(String) }],
    });
  });

  it.each([
    ['industry', { industry: 'Manufacturing' }],
    ['type', { type: 'customer' }],
    ['tier', { tier: 'gold' }],
    ['minRevenue', { minRevenue: 1_000_000 }],
    ['a minRevenue of 0', { minRevenue: 0 }],
    ['tag', { tag: 'vip' }],
    ['several criteria', { industry: 'Retail', tier: 'silver', tag: 'vip' }],
  ])('accepts %s', (_case, plain) => {
    expect(() => assertSomeCriterion(criteria(plain))).not.toThrow();
  });
});

describe('segmentConditions', () => {
  it('has no condition without criteria', () => {
    expect(segmentConditions(criteria({}))).toEqual([]);
  });

  it('matches the industry case-insensitively', () => {
    expect(segmentConditions(criteria({ industry: 'Manufacturing' }))).toEqual([
      { sql: 'lower(customer.industry) = lower(:industry)', params: { industry: 'Manufacturing' } },
    ]);
  });

  it('matches the type and the tier exactly', () => {
    expect(segmentConditions(criteria({ type: 'partner' }))).toEqual([
      { sql: 'customer.type = :type', params: { type: 'partner' } },
    ]);
    expect(segmentConditions(criteria({ tier: 'platinum' }))).toEqual([
      { sql: 'customer.tier = :tier', params: { tier: 'platinum' } },
    ]);
  });

  it('takes customers with at least the minimum revenue, 0 included', () => {
    expect(segmentConditions(criteria({ minRevenue: 250_000.5 }))).toEqual([
      { sql: 'customer.annual_revenue >= :minRevenue', params: { minRevenue: 250_000.5 } },
    ]);
    expect(segmentConditions(criteria({ minRevenue: 0 }))).toEqual([
      { sql: 'customer.annual_revenue >= :minRevenue', params: { minRevenue: 0 } },
    ]);
  });

  it('matches a tag case-insensitively among the customer tags', () => {
    expect(segmentConditions(criteria({ tag: 'VIP' }))).toEqual([
      {
        sql: 'EXISTS (SELECT 1 FROM unnest(customer.tags) AS t (name) WHERE lower(t.name) = lower(:tag))',
        params: { tag: 'VIP' },
      },
    ]);
  });

  it('ignores criteria given as null', () => {
    expect(
      segmentConditions(criteria({ industry: null, type: null, tier: null, minRevenue: null, tag: null })),
    ).toEqual([]);
  });

  it('requires every criterion given, each with parameters of its own', () => {
    const conditions = segmentConditions(
      criteria({ industry: 'Retail', type: 'customer', tier: 'gold', minRevenue: 10, tag: 'vip' }),
    );
    expect(conditions).toHaveLength(5);
    const names = conditions.flatMap((condition) => Object.keys(condition.params));
    expect(new Set(names).size).toBe(5);
    for (const condition of conditions)
      for (const name of Object.keys(condition.params)) expect(condition.sql).toContain(`:${name}`);
  });

  it('selects segment members only for a segment that passes assertSomeCriterion', () => {
    // A segment refused for having no criterion is exactly one that would select every customer.
    for (const plain of [{}, { industry: 'Retail' }, { minRevenue: 0 }, { tag: 'vip' }]) {
      const refused = (() => {
        try {
          assertSomeCriterion(criteria(plain));
          return false;
        } catch {
          return true;
        }
      })();
      expect(refused).toBe(segmentConditions(criteria(plain)).length === 0);
    }
  });
});
