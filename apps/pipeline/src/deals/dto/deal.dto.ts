import {
  Money,
  OmittableText,
  OptionalDate,
  OptionalId,
  OptionalText,
  OwnedRecordFields,
  RequiredText,
  Score,
  IsOmittable,
} from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { type Level, LEVELS } from '../deal.entity';
import { ACTIVITY_TYPES, type ActivityType } from '../deal-activity.entity';

/** What a client may write on a deal besides its title. Status, contactName and lastActivityAt are derived. */
class DealFields extends OwnedRecordFields {
  @ApiPropertyOptional({ minimum: 0, example: 12500 })
  @IsOmittable()
  @Money()
  readonly value?: number;

  @ApiPropertyOptional({ example: 'USD', description: 'ISO 4217 code' })
  @IsOmittable()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be a three-letter ISO 4217 code in capitals' })
  readonly currency?: string;

  @ApiPropertyOptional({ description: 'the default pipeline when left out' })
  @OptionalId()
  readonly pipelineId?: string;

  @ApiPropertyOptional({ description: 'a stage key of the pipeline; its first stage when left out' })
  @IsOmittable()
  @RequiredText(50)
  readonly stage?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: "the stage's probability when left out" })
  @IsOmittable()
  @Score()
  readonly probability?: number;

  @ApiPropertyOptional({ enum: LEVELS })
  @IsOmittable()
  @IsIn(LEVELS)
  readonly confidence?: Level;

  @ApiPropertyOptional({ enum: LEVELS })
  @IsOmittable()
  @IsIn(LEVELS)
  readonly priority?: Level;

  @ApiPropertyOptional({ nullable: true, description: 'a contact of the organization' })
  @OptionalId()
  readonly contactId?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalId()
  readonly customerId?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(200)
  readonly company?: string | null;

  @ApiPropertyOptional({ nullable: true, example: '2026-12-31' })
  @OptionalDate()
  readonly expectedCloseDate?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'closed stages only; today (UTC) when left out' })
  @OptionalDate()
  readonly closedDate?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(10_000)
  readonly description?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(200)
  readonly competitorMentioned?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(500)
  readonly lossReason?: string | null;
}

export class CreateDealDto extends DealFields {
  @ApiProperty({ example: 'Annual licence' })
  @RequiredText(200)
  readonly title: string;
}

/** PUT and PATCH are both partial. */
export class UpdateDealDto extends DealFields {
  @ApiPropertyOptional()
  @OmittableText(200)
  readonly title?: string;
}

export class MoveDealDto {
  @ApiProperty({ example: 'negotiation' })
  @RequiredText(50)
  readonly stage: string;

  @ApiPropertyOptional({ nullable: true })
  @OptionalDate()
  readonly closedDate?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(500)
  readonly lossReason?: string | null;
}

export class ActivityDto {
  @ApiProperty({ enum: ACTIVITY_TYPES })
  @IsIn(ACTIVITY_TYPES)
  readonly type: ActivityType;

  @ApiPropertyOptional({ description: 'now when left out' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T/, { message: 'occurredAt must be an ISO 8601 date-time' })
  readonly occurredAt?: string;

  @ApiProperty()
  @RequiredText(10_000)
  readonly description: string;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(2_000)
  readonly outcome?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(2_000)
  readonly nextStep?: string | null;
}
