import {
  AT_RISK_BELOW,
  CLOSING_SOON_DAYS,
  criteriaConditions,
  DEAL_FILTERS,
  DEAL_SORTS,
  type DealSort,
  DEFAULT_DEAL_SORT,
  filterCondition,
  HOT_ABOVE,
  sortTerms,
} from './deal-query';

const UNIT_SEPARATOR = String.fromCharCode(31);
const now = new Date('2025-06-15T12:00:00.000Z');

describe('filterCondition', () => {
  it('has the thresholds of the contract', () => {
    expect(HOT_ABOVE).toBe(70);
    expect(AT_RISK_BELOW).toBe(30);
    expect(CLOSING_SOON_DAYS).toBe(30);
    expect([...DEAL_FILTERS]).toEqual(['hot', 'at-risk', 'closing-soon', 'open', 'won', 'lost']);
  });

  it('hot: a probability strictly above 70, whatever the status', () => {
    expect(filterCondition('hot', now)).toEqual({
      sql: 'deal.probability > :hotAbove',
      params: { hotAbove: 70 },
    });
  });

  it('at-risk: an open deal with a probability strictly below 30', () => {
    expect(filterCondition('at-risk', now)).toEqual({
      sql: "deal.status = 'open' AND deal.probability < :atRiskBelow",
      params: { atRiskBelow: 30 },
    });
  });

  it('closing-soon: an open deal expected from today to 30 days ahead, both ends included, in UTC days', () => {
    expect(filterCondition('closing-soon', now)).toEqual({
      sql: "deal.status = 'open' AND deal.expected_close_date BETWEEN :soonFrom AND :soonUntil",
      params: { soonFrom: '2025-06-15', soonUntil: '2025-07-15' },
    });
  });

  it.each([
    ['just before UTC midnight', '2025-06-15T23:59:59.999Z', '2025-06-15', '2025-07-15'],
    ['UTC midnight exactly', '2025-06-16T00:00:00.000Z', '2025-06-16', '2025-07-16'],
    [
      'an instant at +02:00 still on the previous UTC day',
      '2025-06-16T01:00:00+02:00',
      '2025-06-15',
      '2025-07-15',
    ],
    [
      'an instant at -05:00 already on the next UTC day',
      '2025-06-15T21:00:00-05:00',
      '2025-06-16',
      '2025-07-16',
    ],
    ['across a year end', '2025-12-20T10:00:00.000Z', '2025-12-20', '2026-01-19'],
    ['across February of a leap year', '2024-02-15T10:00:00.000Z', '2024-02-15', '2024-03-16'],
    ['across February of a common year', '2025-02-15T10:00:00.000Z', '2025-02-15', '2025-03-17'],
  ])('closing-soon counts UTC days for %s', (_case, at, soonFrom, soonUntil) => {
    expect(filterCondition('closing-soon', new Date(at)).params).toEqual({ soonFrom, soonUntil });
  });

  it.each(['open', 'won', 'lost'] as const)('%s: the deal status', (status) => {
    expect(filterCondition(status, now)).toEqual({ sql: 'deal.status = :status', params: { status } });
  });

  it('leaves the given moment alone', () => {
    const at = new Date('2025-06-15T12:00:00.000Z');
    filterCondition('closing-soon', at);
    expect(at.toISOString()).toBe('2025-06-15T12:00:00.000Z');
  });
});

describe('criteriaConditions', () => {
  it('adds nothing for no criteria and for empty values', () => {
    expect(criteriaConditions({}, now)).toEqual([]);
    expect(
      criteriaConditions({ search: '', stage: '', pipelineId: '', contactId: '', ownerId: '', tag: '' }, now),
    ).toEqual([]);
  });

  it('searches title, company and contact name as one lower-case substring', () => {
    expect(criteriaConditions({ search: 'Acme Renewal' }, now)).toEqual([
      { sql: 'deal.search_text LIKE :search', params: { search: '%acme renewal%' } },
    ]);
  });

  it('trims the search and ignores a blank one', () => {
    expect(criteriaConditions({ search: '  Acme  ' }, now)).toEqual([
      { sql: 'deal.search_text LIKE :search', params: { search: '%acme%' } },
    ]);
    expect(criteriaConditions({ search: '   ' }, now)).toEqual([]);
  });

  it('takes %, _ and \\ literally', () => {
    expect(criteriaConditions({ search: '100%_a\\b' }, now)[0]!.params).toEqual({
      search: '%100\\%\\_a\\\\b%',
    });
  });

  it('drops the separator of the searched fields, so a search never spans two fields', () => {
    expect(criteriaConditions({ search: `acme${UNIT_SEPARATOR}bob` }, now)[0]!.params).toEqual({
      search: '%acmebob%',
    });
    expect(criteriaConditions({ search: UNIT_SEPARATOR }, now)).toEqual([]);
  });

  it('adds the named filter with the given moment', () => {
    expect(criteriaConditions({ filter: 'closing-soon' }, now)).toEqual([
      filterCondition('closing-soon', now),
    ]);
    expect(criteriaConditions({ filter: 'hot' }, now)).toEqual([filterCondition('hot', now)]);
  });

  it('compares each reference for equality on its column', () => {
    expect(criteriaConditions({ stage: 'proposal' }, now)).toEqual([
      { sql: 'deal.stage = :stage', params: { stage: 'proposal' } },
    ]);
    expect(criteriaConditions({ pipelineId: 'p-1' }, now)).toEqual([
      { sql: 'deal.pipeline_id = :pipelineId', params: { pipelineId: 'p-1' } },
    ]);
    expect(criteriaConditions({ contactId: 'c-1' }, now)).toEqual([
      { sql: 'deal.contact_id = :contactId', params: { contactId: 'c-1' } },
    ]);
    expect(criteriaConditions({ customerId: 'cu-1' }, now)).toEqual([
      { sql: 'deal.customer_id = :customerId', params: { customerId: 'cu-1' } },
    ]);
    expect(criteriaConditions({ ownerId: 'u-1' }, now)).toEqual([
      { sql: 'deal.owner_id = :ownerId', params: { ownerId: 'u-1' } },
    ]);
  });

  it('finds a tag among the deal tags', () => {
    expect(criteriaConditions({ tag: 'vip' }, now)).toEqual([
      { sql: 'deal.tags @> ARRAY[:tag]::text[]', params: { tag: 'vip' } },
    ]);
  });

  it('combines every criterion, each with its own parameter names', () => {
    const conditions = criteriaConditions(
      {
        search: 'acme',
        filter: 'won',
        stage: 'closed_won',
        pipelineId: 'p',
        contactId: 'c',
        customerId: 'cu',
        ownerId: 'u',
        tag: 't',
      },
      now,
    );
    expect(conditions.map((condition) => condition.sql)).toEqual([
      'deal.search_text LIKE :search',
      'deal.status = :status',
      'deal.stage = :stage',
      'deal.pipeline_id = :pipelineId',
      'deal.contact_id = :contactId',
      'deal.customer_id = :customerId',
      'deal.owner_id = :ownerId',
      'deal.tags @> ARRAY[:tag]::text[]',
    ]);
    const names = conditions.flatMap((condition) => Object.keys(condition.params));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('sortTerms', () => {
  it('accepts every sortable field ascending and descending', () => {
    expect(DEAL_SORTS).toEqual([
      'title',
      '-title',
      'value',
      '-value',
      'probability',
      '-probability',
      'expectedCloseDate',
      '-expectedCloseDate',
      'createdAt',
      '-createdAt',
      'updatedAt',
      '-updatedAt',
      'lastActivityAt',
      '-lastActivityAt',
    ]);
  });

  it('sorts the newest first by default', () => {
    expect(DEFAULT_DEAL_SORT).toBe('-createdAt');
    expect(sortTerms()).toEqual([
      { expression: 'deal.created_at', direction: 'DESC' },
      { expression: 'deal.id', direction: 'DESC' },
    ]);
  });

  it.each([
    ['title', 'lower(deal.title)'],
    ['value', 'deal.value'],
    ['probability', 'deal.probability'],
    ['createdAt', 'deal.created_at'],
    ['updatedAt', 'deal.updated_at'],
  ])('sorts %s by %s, then by id in the same direction', (field, expression) => {
    expect(sortTerms(field as DealSort)).toEqual([
      { expression, direction: 'ASC' },
      { expression: 'deal.id', direction: 'ASC' },
    ]);
    expect(sortTerms(`-${field}` as DealSort)).toEqual([
      { expression, direction: 'DESC' },
      { expression: 'deal.id', direction: 'DESC' },
    ]);
  });

  it.each([
    ['expectedCloseDate', 'deal.expected_close_date'],
    ['lastActivityAt', 'deal.last_activity_at'],
  ])('puts deals without %s first ascending and last descending', (field, expression) => {
    expect(sortTerms(field as DealSort)).toEqual([
      { expression, direction: 'ASC', nulls: 'NULLS FIRST' },
      { expression: 'deal.id', direction: 'ASC' },
    ]);
    expect(sortTerms(`-${field}` as DealSort)).toEqual([
      { expression, direction: 'DESC', nulls: 'NULLS LAST' },
      { expression: 'deal.id', direction: 'DESC' },
    ]);
  });
});
