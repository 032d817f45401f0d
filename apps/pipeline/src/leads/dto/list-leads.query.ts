import { LEAD_STATUSES, type LeadStatus } from '@flow-crm/contracts';
import { ListSearch, OptionalId, PaginationQuery, RequiredText, TagFilter } from '@flow-crm/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LEAD_SORTS, type LeadSort } from '../lead-query';
import { RATINGS, type Rating } from '../lead.entity';

export class ListLeadsQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of name, email, company or number' })
  @ListSearch()
  readonly search?: string;

  @ApiPropertyOptional({ enum: LEAD_STATUSES })
  @IsOptional()
  @IsIn(LEAD_STATUSES)
  readonly status?: LeadStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @RequiredText(100)
  readonly source?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly ownerId?: string;

  @ApiPropertyOptional({ enum: RATINGS })
  @IsOptional()
  @IsIn(RATINGS)
  readonly rating?: Rating;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100)
  readonly minScore?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  readonly isConverted?: boolean;

  @ApiPropertyOptional()
  @TagFilter()
  readonly tag?: string;

  @ApiPropertyOptional({ enum: LEAD_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(LEAD_SORTS)
  readonly sort?: LeadSort;
}
