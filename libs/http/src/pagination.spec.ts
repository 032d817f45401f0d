import { type ArgumentMetadata } from '@nestjs/common';
import { ValidationError } from './errors';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  Page,
  PaginationQuery,
  clampLimit,
  pageWindow,
} from './pagination';
import { createValidationPipe } from './validation';

const query: ArgumentMetadata = { type: 'query', metatype: PaginationQuery, data: '' };

async function parse(raw: Record<string, unknown>): Promise<PaginationQuery> {
  return (await createValidationPipe().transform(raw, query)) as PaginationQuery;
}

async function fieldErrorsOf(raw: Record<string, unknown>): Promise<ValidationError['fieldErrors']> {
  try {
    await parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fieldErrors;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('clampLimit', () => {
  it.each([undefined, null, ''])('uses the default page size for %p', (value) => {
    expect(clampLimit(value)).toBe(DEFAULT_PAGE_SIZE);
    expect(DEFAULT_PAGE_SIZE).toBe(25);
  });

  it.each([
    ['1', 1],
    ['25', 25],
    ['100', 100],
    [40, 40],
  ])('keeps %p as %p', (value, expected) => {
    expect(clampLimit(value)).toBe(expected);
  });

  it.each([
    ['101', 100],
    ['5000', 100],
    ['1e3', 100],
  ])('clamps %p to the maximum of %p', (value, expected) => {
    expect(clampLimit(value)).toBe(expected);
    expect(MAX_PAGE_SIZE).toBe(100);
  });

  it('leaves values it cannot clamp for validation to refuse', () => {
    expect(clampLimit('abc')).toBeNaN();
    expect(clampLimit('0')).toBe(0);
    expect(clampLimit('-5')).toBe(-5);
  });
});

describe('PaginationQuery through the validation pipe', () => {
  it('defaults to page 1 and limit 25', async () => {
    const parsed = await parse({});
    expect(parsed).toBeInstanceOf(PaginationQuery);
    expect(parsed).toMatchObject({ page: 1, limit: 25 });
  });

  it('treats empty strings as absent', async () => {
    expect(await parse({ page: '', limit: '' })).toMatchObject({ page: 1, limit: 25 });
  });

  it('converts page and limit from the query string to numbers', async () => {
    expect(await parse({ page: '3', limit: '10' })).toMatchObject({ page: 3, limit: 10 });
  });

  it('clamps a limit above 100 to 100 instead of refusing it', async () => {
    expect(await parse({ limit: '500' })).toMatchObject({ page: 1, limit: 100 });
  });

  it.each(['0', '-1', 'abc', '2.5', 'Infinity'])(
    'refuses limit=%s with a 422 naming the field',
    async (limit) => {
      const errors = await fieldErrorsOf({ limit });
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.field === 'limit')).toBe(true);
    },
  );

  it.each(['0', '-3', 'first', '1.5'])('refuses page=%s with a 422 naming the field', async (page) => {
    const errors = await fieldErrorsOf({ page });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.field === 'page')).toBe(true);
  });

  it('keeps unknown query parameters out of the parsed query', async () => {
    expect(await parse({ page: '2', sort: 'name' })).toEqual(
      Object.assign(new PaginationQuery(), { page: 2, limit: 25 }),
    );
  });
});

describe('Page', () => {
  it('computes totalPages from total and limit', () => {
    expect(new Page([1, 2], 51, 1, 25).meta).toEqual({ total: 51, page: 1, limit: 25, totalPages: 3 });
    expect(new Page([1], 50, 2, 25).meta.totalPages).toBe(2);
    expect(new Page([], 0, 1, 25).meta.totalPages).toBe(0);
    expect(new Page([1], 1, 1, 100).meta.totalPages).toBe(1);
  });

  it('builds from a query with Page.of', () => {
    const page = Page.of(['a', 'b'], 12, { page: 2, limit: 10 });
    expect(page.items).toEqual(['a', 'b']);
    expect(page.meta).toEqual({ total: 12, page: 2, limit: 10, totalPages: 2 });
  });

  it('maps its items and keeps its paging', () => {
    const page = new Page([{ id: 1 }, { id: 2 }], 7, 3, 2).map((item) => `#${item.id}`);
    expect(page).toBeInstanceOf(Page);
    expect(page.items).toEqual(['#1', '#2']);
    expect(page.meta).toEqual({ total: 7, page: 3, limit: 2, totalPages: 4 });
  });
});

describe('pageWindow', () => {
  it.each([
    [
      { page: 1, limit: 25 },
      { skip: 0, take: 25 },
    ],
    [
      { page: 2, limit: 25 },
      { skip: 25, take: 25 },
    ],
    [
      { page: 4, limit: 10 },
      { skip: 30, take: 10 },
    ],
    [
      { page: 1, limit: 100 },
      { skip: 0, take: 100 },
    ],
  ])('turns %p into %p', (pageQuery, expected) => {
    expect(pageWindow(pageQuery)).toEqual(expected);
  });
});
