import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** `limit` beyond the maximum is clamped, not refused; anything not a positive integer is a 422. */
export function clampLimit(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_PAGE_SIZE;
  const limit = Number(value);
  return Number.isFinite(limit) && limit > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : limit;
}

function toPage(value: unknown): number {
  return value === undefined || value === null || value === '' ? 1 : Number(value);
}

export class PaginationQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @Transform(({ value }) => toPage(value))
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  readonly page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @Transform(({ value }) => clampLimit(value))
  @IsInt()
  @Min(1)
  readonly limit: number = DEFAULT_PAGE_SIZE;
}

/** One page of a list; the response interceptor renders it as `{data, meta}`. */
export class Page<T> {
  constructor(
    readonly items: T[],
    readonly total: number,
    readonly page: number,
    readonly limit: number,
  ) {}

  static of<T>(items: T[], total: number, query: Pick<PaginationQuery, 'page' | 'limit'>): Page<T> {
    return new Page(items, total, query.page, query.limit);
  }

  get meta(): { total: number; page: number; limit: number; totalPages: number } {
    return {
      total: this.total,
      page: this.page,
      limit: this.limit,
      totalPages: Math.ceil(this.total / this.limit),
    };
  }

  map<U>(fn: (item: T) => U): Page<U> {
    return new Page(this.items.map(fn), this.total, this.page, this.limit);
  }
}

/** `OFFSET`/`LIMIT` of a page. */
export function pageWindow(query: Pick<PaginationQuery, 'page' | 'limit'>): { skip: number; take: number } {
  return { skip: (query.page - 1) * query.limit, take: query.limit };
}
