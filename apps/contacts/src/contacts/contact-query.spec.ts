import {
  AT_RISK_ABOVE,
  CONTACT_FILTERS,
  CONTACT_SORTS,
  type ContactSort,
  criteriaConditions,
  DEFAULT_CONTACT_SORT,
  endOfUtcDay,
  filterCondition,
  HIGH_VALUE_ABOVE,
  RECENT_DAYS,
  sortTerms,
} from './contact-query';
import { type Condition } from '@flow-crm/db';

const UNIT_SEPARATOR = String.fromCharCode(31);
const now = new Date('2025-06-01T12:00:00.000Z');

describe('endOfUtcDay', () => {
  it.each([
    ['the middle of a day', '2025-06-01T12:34:56.789Z', '2025-06-02T00:00:00.000Z'],
    ['midnight exactly (a new day starts)', '2025-06-01T00:00:00.000Z', '2025-06-02T00:00:00.000Z'],
    ['just after midnight', '2025-06-01T00:00:00.001Z', '2025-06-02T00:00:00.000Z'],
    ['just before midnight', '2025-06-01T23:59:59.999Z', '2025-06-02T00:00:00.000Z'],
    ['the last moment of a month', '2025-06-30T23:59:59.999Z', '2025-07-01T00:00:00.000Z'],
    ['the last moment of a year', '2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00.000Z'],
    ['the day before a leap day', '2024-02-28T08:00:00.000Z', '2024-02-29T00:00:00.000Z'],
  ])('is the next UTC midnight for %s', (_case, at, expected) => {
    expect(endOfUtcDay(new Date(at)).toISOString()).toBe(expected);
  });

  it('counts days in UTC, whatever offset the instant was written with', () => {
    // 23:30 at +05:00 is 18:30 UTC on the same day; 01:00 at +05:00 is still the previous UTC day.
    expect(endOfUtcDay(new Date('2025-06-01T23:30:00+05:00')).toISOString()).toBe('2025-06-02T00:00:00.000Z');
    expect(endOfUtcDay(new Date('2025-06-01T01:00:00+05:00')).toISOString()).toBe('2025-06-01T00:00:00.000Z');
    expect(endOfUtcDay(new Date('2025-06-01T20:00:00-05:00')).toISOString()).toBe('2025-06-03T00:00:00.000Z');
  });

  it('leaves the given date alone', () => {
    const at = new Date('2025-06-01T12:00:00.000Z');
    endOfUtcDay(at);
    expect(at.toISOString()).toBe('2025-06-01T12:00:00.000Z');
  });
});

describe('filterCondition', () => {
  it('has the thresholds of the contract', () => {
    expect(HIGH_VALUE_ABOVE).toBe(50_000);
    expect(AT_RISK_ABOVE).toBe(60);
    expect(RECENT_DAYS).toBe(7);
  });

  it('high-value: deals worth strictly more than 50000', () => {
    expect(filterCondition('high-value', now)).toEqual({
      sql: 'contact.total_deals_value > :highValueAbove',
      params: { highValueAbove: 50_000 },
    });
  });

  it('at-risk: a churn risk strictly above 60', () => {
    expect(filterCondition('at-risk', now)).toEqual({
      sql: 'contact.churn_risk > :atRiskAbove',
      params: { atRiskAbove: 60 },
    });
  });

  it('recent: last contacted at or after exactly 7 days before now', () => {
    const condition = filterCondition('recent', now);
    expect(condition.sql).toBe('contact.last_contact_at >= :recentSince');
    expect(condition.params).toEqual({ recentSince: new Date('2025-05-25T12:00:00.000Z') });
  });

  it('recent: counts back from the given moment, to the millisecond', () => {
    const at = new Date('2025-03-01T00:00:00.001Z');
    expect(filterCondition('recent', at).params.recentSince).toEqual(new Date('2025-02-22T00:00:00.001Z'));
  });

  it('needs-follow-up: a follow-up due before the end of the current UTC day', () => {
    const condition = filterCondition('needs-follow-up', now);
    expect(condition.sql).toBe('contact.next_follow_up_at < :followUpBefore');
    expect(condition.params).toEqual({ followUpBefore: new Date('2025-06-02T00:00:00.000Z') });
  });

  it.each([
    ['2025-06-01T00:00:00.000Z', '2025-06-02T00:00:00.000Z'],
    ['2025-06-01T23:59:59.999Z', '2025-06-02T00:00:00.000Z'],
    ['2025-06-02T00:00:00.000Z', '2025-06-03T00:00:00.000Z'],
  ])('needs-follow-up at %s: due before %s', (at, before) => {
    expect(filterCondition('needs-follow-up', new Date(at)).params).toEqual({
      followUpBefore: new Date(before),
    });
  });

  it('names its parameters apart from every other filter (the stats query sets them all at once)', () => {
    const names = CONTACT_FILTERS.flatMap((filter) => Object.keys(filterCondition(filter, now).params));
    expect(names).toHaveLength(CONTACT_FILTERS.length);
    expect(new Set(names).size).toBe(names.length);
  });

  it('offers exactly the filters of the contract', () => {
    expect([...CONTACT_FILTERS].sort()).toEqual(['at-risk', 'high-value', 'needs-follow-up', 'recent']);
  });
});

describe('criteriaConditions', () => {
  const searchOf = (search: string): Condition[] => criteriaConditions({ search }, now);

  it('has no condition without criteria', () => {
    expect(criteriaConditions({}, now)).toEqual([]);
  });

  it('searches the lower-cased text as a substring', () => {
    expect(searchOf('Ada LOVELACE')).toEqual([
      { sql: 'contact.search_text LIKE :search', params: { search: '%ada lovelace%' } },
    ]);
  });

  it('trims the search', () => {
    expect(searchOf('  ada  ')[0]!.params).toEqual({ search: '%ada%' });
  });

  it.each([
    ['%', '%\\%%'],
    ['_', '%\\_%'],
    ['\\', '%\\\\%'],
    ['100%_OFF', '%100\\%\\_off%'],
    ['C:\\Temp\\_x%', '%c:\\\\temp\\\\\\_x\\%%'],
  ])('escapes the LIKE wildcards in %p', (search, pattern) => {
    expect(searchOf(search)[0]!.params).toEqual({ search: pattern });
  });

  it('strips the unit separator that joins the searched fields, so a search cannot span two fields', () => {
    expect(searchOf(`ada${UNIT_SEPARATOR}example.com`)[0]!.params).toEqual({ search: '%adaexample.com%' });
    expect(searchOf(`${UNIT_SEPARATOR}${UNIT_SEPARATOR}Ada${UNIT_SEPARATOR}`)[0]!.params).toEqual({
      search: '%ada%',
    });
  });

  it('trims what the stripped separators leave around the search', () => {
    expect(searchOf(` ${UNIT_SEPARATOR} ada ${UNIT_SEPARATOR} `)[0]!.params).toEqual({ search: '%ada%' });
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['tabs and newlines', '\t\n '],
    ['only unit separators', UNIT_SEPARATOR.repeat(3)],
    ['unit separators and blanks', ` ${UNIT_SEPARATOR} ${UNIT_SEPARATOR} `],
  ])('ignores a search that is %s', (_case, search) => {
    expect(searchOf(search)).toEqual([]);
  });

  it('applies the named filter as filterCondition defines it', () => {
    for (const filter of CONTACT_FILTERS)
      expect(criteriaConditions({ filter }, now)).toEqual([filterCondition(filter, now)]);
  });

  it('selects a tag by its exact spelling (the caller resolves it from the catalog)', () => {
    expect(criteriaConditions({ tag: 'VIP' }, now)).toEqual([
      { sql: 'contact.tags @> ARRAY[:tag]::text[]', params: { tag: 'VIP' } },
    ]);
  });

  it('selects a customer', () => {
    const customerId = '0190a1b2-0000-7000-8000-000000000001';
    expect(criteriaConditions({ customerId }, now)).toEqual([
      { sql: 'contact.customer_id = :customerId', params: { customerId } },
    ]);
  });

  it('selects an owner', () => {
    const ownerId = '0190a1b2-0000-7000-8000-000000000002';
    expect(criteriaConditions({ ownerId }, now)).toEqual([
      { sql: 'contact.owner_id = :ownerId', params: { ownerId } },
    ]);
  });

  it('ignores empty tag, customer and owner values', () => {
    expect(criteriaConditions({ tag: '', customerId: '', ownerId: '' }, now)).toEqual([]);
  });

  it('combines every criterion given, each with parameters of its own', () => {
    const conditions = criteriaConditions(
      {
        search: 'ada',
        filter: 'recent',
        tag: 'vip',
        customerId: '0190a1b2-0000-7000-8000-000000000001',
        ownerId: '0190a1b2-0000-7000-8000-000000000002',
      },
      now,
    );
    expect(conditions).toHaveLength(5);
    expect(conditions).toContainEqual(filterCondition('recent', now));
    // TypeORM merges the parameters of every andWhere: one name used twice would overwrite the other.
    const names = conditions.flatMap((condition) => Object.keys(condition.params));
    expect(new Set(names).size).toBe(names.length);
    for (const condition of conditions)
      for (const name of Object.keys(condition.params)) expect(condition.sql).toContain(`:${name}`);
  });

  it('passes `now` on to the time-based filters', () => {
    const other = new Date('2024-01-10T00:00:00.000Z');
    expect(criteriaConditions({ filter: 'recent' }, other)[0]!.params).toEqual({
      recentSince: new Date('2024-01-03T00:00:00.000Z'),
    });
  });
});

describe('sortTerms', () => {
  it('sorts by creation, newest first, by default', () => {
    expect(DEFAULT_CONTACT_SORT).toBe('-createdAt');
    expect(sortTerms()).toEqual([
      { expression: 'contact.created_at', direction: 'DESC' },
      { expression: 'contact.id', direction: 'DESC' },
    ]);
  });

  it.each([
    ['name', 'lower(contact.name)'],
    ['createdAt', 'contact.created_at'],
    ['updatedAt', 'contact.updated_at'],
    ['healthScore', 'contact.health_score'],
    ['churnRisk', 'contact.churn_risk'],
    ['totalDealsValue', 'contact.total_deals_value'],
  ] as const)('sorts %s ascending, and descending with a leading "-", ties broken by id', (field, column) => {
    expect(sortTerms(field)).toEqual([
      { expression: column, direction: 'ASC' },
      { expression: 'contact.id', direction: 'ASC' },
    ]);
    expect(sortTerms(`-${field}`)).toEqual([
      { expression: column, direction: 'DESC' },
      { expression: 'contact.id', direction: 'DESC' },
    ]);
  });

  it('puts never-contacted contacts first ascending and last descending', () => {
    expect(sortTerms('lastContactAt')).toEqual([
      { expression: 'contact.last_contact_at', direction: 'ASC', nulls: 'NULLS FIRST' },
      { expression: 'contact.id', direction: 'ASC' },
    ]);
    expect(sortTerms('-lastContactAt')).toEqual([
      { expression: 'contact.last_contact_at', direction: 'DESC', nulls: 'NULLS LAST' },
      { expression: 'contact.id', direction: 'DESC' },
    ]);
  });

  it.each(CONTACT_SORTS.map((sort) => [sort]))(
    '%s: the id breaks ties in the same direction, and only lastContactAt orders its nulls',
    (sort: ContactSort) => {
      const terms = sortTerms(sort);
      expect(terms).toHaveLength(2);
      const [field, id] = terms;
      expect(field!.direction).toBe(sort.startsWith('-') ? 'DESC' : 'ASC');
      expect(id).toEqual({ expression: 'contact.id', direction: field!.direction });
      if (sort.endsWith('lastContactAt')) expect(field!.nulls).toBeDefined();
      else expect(field).not.toHaveProperty('nulls');
    },
  );
});

describe('CONTACT_SORTS', () => {
  it('offers each sortable field ascending and descending', () => {
    const fields = [
      'name',
      'createdAt',
      'updatedAt',
      'healthScore',
      'churnRisk',
      'lastContactAt',
      'totalDealsValue',
    ];
    expect([...CONTACT_SORTS].sort()).toEqual(fields.flatMap((f) => [f, `-${f}`]).sort());
  });

  it('has no duplicates and includes the default', () => {
    expect(new Set(CONTACT_SORTS).size).toBe(CONTACT_SORTS.length);
    expect(CONTACT_SORTS).toContain(DEFAULT_CONTACT_SORT);
  });
});
