import { OmittableText, RequiredText } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class CreateTeamDto {
  @ApiProperty({ example: 'East Coast' })
  @RequiredText(200)
  readonly name: string;

  @ApiPropertyOptional({ nullable: true, description: 'An active user of the organization' })
  @IsOptional()
  @IsUUID()
  readonly managerId?: string | null;
}

/** PUT /api/teams/:id is a partial update; a name, when sent, must be one. */
export class UpdateTeamDto {
  @ApiPropertyOptional({ example: 'East Coast' })
  @OmittableText(200)
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
