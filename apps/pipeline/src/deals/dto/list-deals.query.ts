import { ListSearch, OptionalId, PaginationQuery, RequiredText, TagFilter } from '@flow-crm/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DEAL_FILTERS, type DealFilter, DEAL_SORTS, type DealSort } from '../deal-query';

export class ListDealsQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of title, company or contact name' })
  @ListSearch()
  readonly search?: string;

  @ApiPropertyOptional({ enum: DEAL_FILTERS })
  @IsOptional()
  @IsIn(DEAL_FILTERS)
  readonly filter?: DealFilter;

  @ApiPropertyOptional()
  @IsOptional()
  @RequiredText(50)
  readonly stage?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly pipelineId?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly contactId?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly customerId?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly ownerId?: string;

  @ApiPropertyOptional()
  @TagFilter()
  readonly tag?: string;

  @ApiPropertyOptional({ enum: DEAL_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(DEAL_SORTS)
  readonly sort?: DealSort;
}

export class PipelineScopeQuery {
  @ApiPropertyOptional({ description: 'the default pipeline when left out' })
  @OptionalId()
  readonly pipelineId?: string;
}
