import { ROLES, type Role } from '@flow-crm/auth';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { IsOmittable, OmittableText } from '@flow-crm/http';

/** What an admin may change of a user (PATCH /api/users/:id). */
export class UpdateUserDto {
  @ApiPropertyOptional()
  @OmittableText(200)
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
