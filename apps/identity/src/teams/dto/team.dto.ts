import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
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

/** PUT /api/teams/:id is a partial update. */
export class UpdateTeamDto extends PartialType(CreateTeamDto) {}

export class AddTeamMemberDto {
  @ApiProperty()
  @IsUUID()
  readonly userId: string;
}
