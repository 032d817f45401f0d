import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { RequiredText } from './fields';

/** A search box shows the best few of each kind; the lists page through the rest. */
export const MAX_SEARCH_LIMIT = 10;

/** A comma-separated query value (`a,b`), each part one of `values`. */
export const CommaSeparated = (values: readonly string[]) =>
  applyDecorators(
    Transform(({ value }) =>
      typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value,
    ),
    IsArray(),
    IsIn(values, { each: true }),
  );

/**
 * The query of a service's part of the gateway's search (`GET /search?q=&types=&limit=`), for
 * the kinds the service holds; every kind when `types` is left out.
 */
export function searchQueryOf<K extends string>(kinds: readonly K[]) {
  class SearchQuery {
    @ApiProperty({ description: 'Case-insensitive substring' })
    @RequiredText(200)
    readonly q: string;

    @ApiPropertyOptional({ description: `Comma-separated: ${kinds.join(',')} (all when left out)` })
    @IsOptional()
    @CommaSeparated(kinds)
    readonly types: K[] = [...kinds];

    @ApiPropertyOptional({ minimum: 1, maximum: MAX_SEARCH_LIMIT, default: MAX_SEARCH_LIMIT })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(MAX_SEARCH_LIMIT)
    readonly limit: number = MAX_SEARCH_LIMIT;
  }
  return SearchQuery;
}
