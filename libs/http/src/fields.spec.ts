import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TagFilter } from './tags';
import {
  ListSearch,
  MAX_MONEY,
  Money,
  OmittableId,
  OmittableText,
  OptionalEmail,
  OptionalId,
  OptionalText,
  OptionalUrl,
  RequiredText,
  Score,
} from './fields';

class Sample {
  @RequiredText(5) name: unknown = 'Ada';
  @OmittableText(5) nickname?: unknown;
  @OptionalText(5) title?: unknown;
  @OptionalEmail() email?: unknown;
  @OptionalUrl({ require_protocol: true }) site?: unknown;
  @OptionalId() parentId?: unknown;
  @OmittableId() ownerId?: unknown;
  @Score() score: unknown = 50;
  @Money() amount: unknown = 0;
}

const ID = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';

function check(plain: Record<string, unknown>) {
  const sample = plainToInstance(Sample, plain);
  const failed = validateSync(sample).map((error) => error.property);
  return { sample, failed };
}

describe('field decorators', () => {
  it('accepts a body with only the required fields', () => {
    expect(check({}).failed).toEqual([]);
  });

  it('trims required text and refuses it blank, missing or too long', () => {
    expect(check({ name: '  Ada ' }).sample.name).toBe('Ada');
    for (const name of ['   ', null, 'Adalovelace', 42]) expect(check({ name }).failed).toEqual(['name']);
  });

  it('lets omittable text be left out but not null or blank', () => {
    expect(check({ nickname: undefined }).failed).toEqual([]);
    expect(check({ nickname: null }).failed).toEqual(['nickname']);
    expect(check({ nickname: ' ' }).failed).toEqual(['nickname']);
  });

  it('clears optional text with blank or null, and bounds its length', () => {
    expect(check({ title: '   ' }).sample.title).toBeNull();
    expect(check({ title: null }).failed).toEqual([]);
    expect(check({ title: ' CTO ' }).sample.title).toBe('CTO');
    expect(check({ title: 'toolong' }).failed).toEqual(['title']);
  });

  it('validates e-mail addresses and URLs', () => {
    expect(check({ email: 'ada@example.com', site: 'https://example.com' }).failed).toEqual([]);
    expect(check({ email: 'not-an-email', site: 'example.com' }).failed).toEqual(['email', 'site']);
    expect(check({ email: '' }).sample.email).toBeNull();
  });

  it('lower-cases ids; an optional id may be null, an omittable one not', () => {
    expect(check({ parentId: ID.toUpperCase(), ownerId: ID.toUpperCase() }).sample).toMatchObject({
      parentId: ID,
      ownerId: ID,
    });
    expect(check({ parentId: null }).failed).toEqual([]);
    expect(check({ ownerId: null }).failed).toEqual(['ownerId']);
    expect(check({ parentId: 'nope', ownerId: 'nope' }).failed).toEqual(['parentId', 'ownerId']);
  });

  it('bounds scores to integers 0-100', () => {
    for (const score of [0, 100]) expect(check({ score }).failed).toEqual([]);
    for (const score of [-1, 101, 50.5, '50']) expect(check({ score }).failed).toEqual(['score']);
  });

  it('takes money with at most two decimals, from 0 to what numeric(15,2) holds', () => {
    for (const amount of [0, 19.99, MAX_MONEY]) expect(check({ amount }).failed).toEqual([]);
    for (const amount of [-0.01, 1.001, MAX_MONEY + 1, Number.NaN, '10'])
      expect(check({ amount }).failed).toEqual(['amount']);
  });
});

describe('list filters', () => {
  class Filters {
    @ListSearch() search?: unknown;
    @TagFilter() tag?: unknown;
  }
  const filters = (plain: Record<string, unknown>) => {
    const instance = plainToInstance(Filters, plain);
    return { instance, failed: validateSync(instance).map((error) => error.property) };
  };

  it('takes a search trimmed, empty or up to 200 characters', () => {
    expect(filters({ search: '  ada ' }).instance.search).toBe('ada');
    for (const search of [undefined, '', '   ', 'x'.repeat(200)])
      expect(filters({ search }).failed).toEqual([]);
    expect(filters({ search: 'x'.repeat(201) }).failed).toEqual(['search']);
  });

  it('takes a tag of 1 to 50 characters, never blank', () => {
    expect(filters({ tag: ' vip ' }).instance.tag).toBe('vip');
    for (const tag of ['', '   ', 'x'.repeat(51), 7]) expect(filters({ tag }).failed).toEqual(['tag']);
  });
});
