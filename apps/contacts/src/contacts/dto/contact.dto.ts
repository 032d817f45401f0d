import {
  IsOmittable,
  OmittableText,
  OptionalEmail,
  OptionalId,
  OptionalText,
  OptionalUrl,
  OwnedRecordFields,
  RequiredText,
  Score,
} from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional } from 'class-validator';
import { type Address, OptionalAddress } from '../../shared/address';
import {
  CONTACT_METHODS,
  type ContactMethod,
  RELATIONSHIP_HEALTH,
  type RelationshipHealth,
  SENTIMENTS,
  type Sentiment,
} from '../contact.entity';

/** Avatar and profile links are followed by the client: only absolute http(s) URLs. */
const PROFILE_URL = { require_protocol: true, protocols: ['http', 'https'] };

/**
 * What a client may write on a contact. `totalDealsCount`/`totalDealsValue`, `lastContactAt`
 * (from the communication log), ids and timestamps are not here: the validation pipe drops them.
 */
class ContactFields extends OwnedRecordFields {
  @ApiPropertyOptional({ nullable: true, example: 'ada@example.com' })
  @OptionalEmail()
  readonly email?: string | null;

  @ApiPropertyOptional({ nullable: true, example: '+1 555 0100' })
  @OptionalText(50)
  readonly phone?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(50)
  readonly mobile?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'Analytical Engines Ltd' })
  @OptionalText(200)
  readonly company?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'CTO' })
  @OptionalText(200)
  readonly title?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(200)
  readonly department?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalUrl(PROFILE_URL)
  readonly avatarUrl?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalUrl(PROFILE_URL)
  readonly linkedinUrl?: string | null;

  @ApiPropertyOptional({ enum: RELATIONSHIP_HEALTH })
  @IsOmittable()
  @IsIn(RELATIONSHIP_HEALTH)
  readonly relationshipHealth?: RelationshipHealth;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOmittable()
  @Score()
  readonly healthScore?: number;

  @ApiPropertyOptional({ enum: SENTIMENTS })
  @IsOmittable()
  @IsIn(SENTIMENTS)
  readonly sentiment?: Sentiment;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOmittable()
  @Score()
  readonly churnRisk?: number;

  @ApiPropertyOptional({ nullable: true, format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  readonly nextFollowUpAt?: string | null;

  @ApiPropertyOptional({ nullable: true, enum: CONTACT_METHODS })
  @IsOptional()
  @IsIn(CONTACT_METHODS)
  readonly preferredContactMethod?: ContactMethod | null;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  readonly emailOptOut?: boolean;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  readonly phoneOptOut?: boolean;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  readonly isDecisionMaker?: boolean;

  @OptionalAddress()
  readonly address?: Address | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(10_000)
  readonly notes?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'A customer (account) of the organization' })
  @OptionalId()
  readonly customerId?: string | null;
}

export class CreateContactDto extends ContactFields {
  @ApiProperty({ example: 'Ada Lovelace' })
  @RequiredText(200)
  readonly name: string;
}

/** PUT and PATCH are both partial updates. */
export class UpdateContactDto extends ContactFields {
  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @OmittableText(200)
  readonly name?: string;
}

export type ContactChanges = Omit<UpdateContactDto, 'tags'> & { tags?: string[] };
