import { IsOmittable } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';

export class CreateTeamDto {
  @ApiProperty({ example: 'East Coast' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  readonly name: string;

  @ApiPropertyOptional({ nullable: true, description: 'An active user of the organization' })
  @IsOptional()
  @IsUUID()
  readonly managerId?: string | null;
}

/** PUT /api/teams/:id is a partial update; a name, when sent, must be one. */
export class UpdateTeamDto {
  @ApiPropertyOptional({ example: 'East Coast' })
  @IsOmittable()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  readonly name?: string;

  @ApiPropertyOptional({
    nullable: true,
    description: 'An active user of the organization; null removes the manager',
  })
  @IsOptional()
  @IsUUID()
  readonly managerId?: string | null;
}

export class AddTeamMemberDto {
  @ApiProperty()
  @IsUUID()
  readonly userId: string;
}
