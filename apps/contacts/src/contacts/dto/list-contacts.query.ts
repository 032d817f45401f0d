import { ListSearch, OptionalId, PaginationQuery, TagFilter } from '@flow-crm/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CONTACT_FILTERS, type ContactFilter, CONTACT_SORTS, type ContactSort } from '../contact-query';

/** The list's query; the export takes the same one (its page and limit are not used). */
export class ListContactsQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of name, email or company' })
  @ListSearch()
  readonly search?: string;

  @ApiPropertyOptional({ enum: CONTACT_FILTERS })
  @IsOptional()
  @IsIn(CONTACT_FILTERS)
  readonly filter?: ContactFilter;

  @ApiPropertyOptional()
  @TagFilter()
  readonly tag?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly customerId?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly ownerId?: string;

  @ApiPropertyOptional({ enum: CONTACT_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(CONTACT_SORTS)
  readonly sort?: ContactSort;
}
