import { PaginationQuery, TrimToNull } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { SENTIMENTS, type Sentiment } from '../../contacts/contact.entity';
import { COMMUNICATION_TYPES, type CommunicationType } from '../communication-event.entity';

export class LogCommunicationDto {
  @ApiProperty({ enum: COMMUNICATION_TYPES })
  @IsIn(COMMUNICATION_TYPES)
  readonly type: CommunicationType;

  @ApiProperty({ format: 'date-time', description: 'When it happened; not in the future' })
  @IsISO8601({ strict: true })
  readonly occurredAt: string;

  @ApiPropertyOptional({ nullable: true, maxLength: 500 })
  @IsOptional()
  @TrimToNull()
  @IsString()
  @MaxLength(500)
  readonly subject?: string | null;

  @ApiProperty({ maxLength: 10_000 })
  @IsString()
  @Length(1, 10_000)
  readonly summary: string;

  @ApiPropertyOptional({ nullable: true, enum: SENTIMENTS })
  @IsOptional()
  @IsIn(SENTIMENTS)
  readonly sentiment?: Sentiment | null;
}

export class ListCommunicationQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: COMMUNICATION_TYPES })
  @IsOptional()
  @IsIn(COMMUNICATION_TYPES)
  readonly type?: CommunicationType;
}
