import { OptionalId, PaginationQuery, RequiredText, Trim } from '@flow-crm/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { CONTACT_FILTERS, type ContactFilter, CONTACT_SORTS, type ContactSort } from '../contact-query';

/** The list's query; the export takes the same one (its page and limit are not used). */
export class ListContactsQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of name, email or company' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(0, 200)
  readonly search?: string;

  @ApiPropertyOptional({ enum: CONTACT_FILTERS })
  @IsOptional()
  @IsIn(CONTACT_FILTERS)
  readonly filter?: ContactFilter;

  @ApiPropertyOptional()
  @IsOptional()
  @RequiredText(50)
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
