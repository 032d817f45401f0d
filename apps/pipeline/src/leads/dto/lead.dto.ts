import { LEAD_STATUSES, type LeadStatus } from '@flow-crm/contracts';
import {
  IsOmittable,
  LowerCase,
  Money,
  OmittableText,
  OptionalEmail,
  OptionalId,
  OptionalText,
  OwnedRecordFields,
  RequiredText,
  Score,
} from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { RATINGS, type Rating } from '../lead.entity';

/** What a client may write on a lead. Number, status, conversion fields are the service's. */
class LeadFields extends OwnedRecordFields {
  @ApiPropertyOptional({ nullable: true })
  @OptionalEmail()
  readonly email?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(50)
  readonly phone?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(200)
  readonly company?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(200)
  readonly title?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'Website' })
  @OptionalText(100)
  readonly source?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOmittable()
  @Score()
  readonly score?: number;

  @ApiPropertyOptional({ enum: RATINGS, nullable: true })
  @IsOptional()
  @IsIn(RATINGS)
  readonly rating?: Rating | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Money()
  readonly budget?: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'the decision maker' })
  @OptionalText(100)
  readonly authority?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(5_000)
  readonly need?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'Q3' })
  @OptionalText(100)
  readonly timeline?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Money()
  readonly estimatedValue?: number | null;
}

export class CreateLeadDto extends LeadFields {
  @ApiProperty({ example: 'Grace Hopper' })
  @RequiredText(200)
  readonly name: string;
}

export class UpdateLeadDto extends LeadFields {
  @ApiPropertyOptional()
  @OmittableText(200)
  readonly name?: string;
}

const SETTABLE_STATUSES = LEAD_STATUSES.filter((status) => status !== 'converted');

export class LeadStatusDto {
  @ApiProperty({ enum: SETTABLE_STATUSES, description: 'converted is reached through the convert route' })
  @IsIn(SETTABLE_STATUSES, {
    message: `status must be one of ${SETTABLE_STATUSES.join(', ')}; a lead is converted through POST /api/leads/:id/convert`,
  })
  readonly status: Exclude<LeadStatus, 'converted'>;
}

export class AssignLeadDto {
  @ApiProperty({ description: 'an active user of the organization' })
  @LowerCase()
  @IsUUID()
  readonly ownerId: string;
}

export class BulkAssignDto extends AssignLeadDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1_000)
  @IsUUID('all', { each: true })
  readonly leadIds: string[];
}

export class ConvertLeadDto {
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  readonly createDeal?: boolean;

  @ApiPropertyOptional({ description: 'the lead name and company when left out' })
  @IsOmittable()
  @RequiredText(200)
  readonly dealTitle?: string;

  @ApiPropertyOptional({ description: 'the estimated value when left out' })
  @IsOmittable()
  @Type(() => Number)
  @Money()
  readonly dealValue?: number;

  @ApiPropertyOptional()
  @OptionalId()
  readonly pipelineId?: string;
}
