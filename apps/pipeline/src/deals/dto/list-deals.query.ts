import { OptionalId, PaginationQuery, RequiredText, Trim } from '@flow-crm/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { DEAL_FILTERS, type DealFilter, DEAL_SORTS, type DealSort } from '../deal-query';

export class ListDealsQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of title, company or contact name' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(0, 200)
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
  @IsOptional()
  @RequiredText(50)
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
