import { ROLES, type Role } from '@flow-crm/auth';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsString, Length } from 'class-validator';
import { IsOmittable } from '@flow-crm/http';

/** What an admin may change of a user (PATCH /api/users/:id). */
export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  readonly name?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOmittable()
  @IsIn(ROLES)
  readonly role?: Role;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  readonly isActive?: boolean;
}
