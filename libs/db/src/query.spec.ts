import { orderTerms, searchCondition, type Sorting, sortKeys, tagCondition } from './query';

const sorting: Sorting<'name' | 'seenAt'> = {
  columns: { name: 'lower(t.name)', seenAt: 't.seen_at' },
  nullable: ['seenAt'],
  id: 't.id',
};

describe('sorting', () => {
  it('accepts every field ascending and descending', () => {
    expect(sortKeys(sorting)).toEqual(['name', '-name', 'seenAt', '-seenAt']);
  });

  it('orders by the field, then the id in the same direction', () => {
    expect(orderTerms('name', sorting)).toEqual([
      { expression: 'lower(t.name)', direction: 'ASC' },
      { expression: 't.id', direction: 'ASC' },
    ]);
    expect(orderTerms('-name', sorting)).toEqual([
      { expression: 'lower(t.name)', direction: 'DESC' },
      { expression: 't.id', direction: 'DESC' },
    ]);
  });

  it('puts missing values last descending and first ascending, only for nullable fields', () => {
    expect(orderTerms('-seenAt', sorting)[0]).toEqual({
      expression: 't.seen_at',
      direction: 'DESC',
      nulls: 'NULLS LAST',
    });
    expect(orderTerms('seenAt', sorting)[0]).toEqual({
      expression: 't.seen_at',
      direction: 'ASC',
      nulls: 'NULLS FIRST',
    });
  });
});

describe('list conditions', () => {
  it('adds nothing for a search or a tag left out', () => {
    expect(searchCondition('t', undefined)).toEqual([]);
    expect(searchCondition('t', '   ')).toEqual([]);
    expect(tagCondition('t', undefined)).toEqual([]);
  });

  it('matches a tag among the row’s tags, as a parameter', () => {
    expect(tagCondition('deal', "vip'; --")).toEqual([
      { sql: 'deal.tags @> ARRAY[:tag]::text[]', params: { tag: "vip'; --" } },
    ]);
  });
});
