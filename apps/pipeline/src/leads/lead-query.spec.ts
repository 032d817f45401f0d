import { criteriaConditions, LEAD_SORTS, type LeadSort, sortTerms } from './lead-query';

const UNIT_SEPARATOR = String.fromCharCode(31);

describe('lead criteriaConditions', () => {
  it('adds nothing for no criteria and for empty values', () => {
    expect(criteriaConditions({})).toEqual([]);
    expect(criteriaConditions({ search: '  ', source: '', ownerId: '', tag: '' })).toEqual([]);
  });

  it('searches as one lower-case substring, trimmed, with wildcards taken literally', () => {
    expect(criteriaConditions({ search: '  Jane DOE ' })).toEqual([
      { sql: 'lead.search_text LIKE :search', params: { search: '%jane doe%' } },
    ]);
    expect(criteriaConditions({ search: '50%_off\\' })[0]!.params).toEqual({ search: '%50\\%\\_off\\\\%' });
  });

  it('drops the separator of the searched fields', () => {
    expect(criteriaConditions({ search: `jane${UNIT_SEPARATOR}acme` })[0]!.params).toEqual({
      search: '%janeacme%',
    });
    expect(criteriaConditions({ search: UNIT_SEPARATOR })).toEqual([]);
  });

  it('filters by status, rating and owner for equality', () => {
    expect(criteriaConditions({ status: 'qualified' })).toEqual([
      { sql: 'lead.status = :status', params: { status: 'qualified' } },
    ]);
    expect(criteriaConditions({ rating: 'hot' })).toEqual([
      { sql: 'lead.rating = :rating', params: { rating: 'hot' } },
    ]);
    expect(criteriaConditions({ ownerId: 'u-1' })).toEqual([
      { sql: 'lead.owner_id = :ownerId', params: { ownerId: 'u-1' } },
    ]);
  });

  it('compares the source in any case', () => {
    expect(criteriaConditions({ source: 'Web Form' })).toEqual([
      { sql: 'lower(lead.source) = lower(:source)', params: { source: 'Web Form' } },
    ]);
  });

  it('takes a minimum score inclusively, 0 included', () => {
    expect(criteriaConditions({ minScore: 70 })).toEqual([
      { sql: 'lead.score >= :minScore', params: { minScore: 70 } },
    ]);
    expect(criteriaConditions({ minScore: 0 })).toEqual([
      { sql: 'lead.score >= :minScore', params: { minScore: 0 } },
    ]);
  });

  it('tells converted leads from the others, false included', () => {
    expect(criteriaConditions({ isConverted: true })).toEqual([
      { sql: "lead.status = 'converted'", params: {} },
    ]);
    expect(criteriaConditions({ isConverted: false })).toEqual([
      { sql: "lead.status <> 'converted'", params: {} },
    ]);
  });

  it('finds a tag among the lead tags', () => {
    expect(criteriaConditions({ tag: 'event-2025' })).toEqual([
      { sql: 'lead.tags @> ARRAY[:tag]::text[]', params: { tag: 'event-2025' } },
    ]);
  });

  it('combines every criterion, each with its own parameter names', () => {
    const conditions = criteriaConditions({
      search: 'x',
      status: 'new',
      source: 'web',
      ownerId: 'u',
      rating: 'cold',
      minScore: 10,
      isConverted: false,
      tag: 't',
    });
    expect(conditions).toHaveLength(8);
    const names = conditions.flatMap((condition) => Object.keys(condition.params));
    expect(names).toEqual(['search', 'status', 'source', 'ownerId', 'rating', 'minScore', 'tag']);
  });
});

describe('lead sortTerms', () => {
  it('accepts every sortable field ascending and descending', () => {
    expect(LEAD_SORTS).toEqual([
      'name',
      '-name',
      'score',
      '-score',
      'estimatedValue',
      '-estimatedValue',
      'createdAt',
      '-createdAt',
      'updatedAt',
      '-updatedAt',
    ]);
  });

  it('sorts the newest first by default', () => {
    expect(sortTerms()).toEqual([
      { expression: 'lead.created_at', direction: 'DESC' },
      { expression: 'lead.id', direction: 'DESC' },
    ]);
  });

  it.each([
    ['name', 'lower(lead.name)'],
    ['score', 'lead.score'],
    ['createdAt', 'lead.created_at'],
    ['updatedAt', 'lead.updated_at'],
  ])('sorts %s by %s, then by id in the same direction', (field, expression) => {
    expect(sortTerms(field as LeadSort)).toEqual([
      { expression, direction: 'ASC' },
      { expression: 'lead.id', direction: 'ASC' },
    ]);
    expect(sortTerms(`-${field}` as LeadSort)).toEqual([
      { expression, direction: 'DESC' },
      { expression: 'lead.id', direction: 'DESC' },
    ]);
  });

  it('puts leads without an estimated value first ascending and last descending', () => {
    expect(sortTerms('estimatedValue')[0]).toEqual({
      expression: 'lead.estimated_value',
      direction: 'ASC',
      nulls: 'NULLS FIRST',
    });
    expect(sortTerms('-estimatedValue')[0]).toEqual({
      expression: 'lead.estimated_value',
      direction: 'DESC',
      nulls: 'NULLS LAST',
    });
  });
});
