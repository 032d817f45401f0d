import { ROLES, type Role } from '@flow-crm/auth';
import { ListSearch, PaginationQuery } from '@flow-crm/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListUsersQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Part of the name or e-mail, case-insensitive' })
  @ListSearch()
  readonly search?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  readonly role?: Role;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  readonly isActive?: boolean;
}
