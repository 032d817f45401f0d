import { OptionalText, RequiredText } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, ValidateNested } from 'class-validator';
import { SegmentCriteria } from './segment-criteria';

export class CreateSegmentDto {
  @ApiProperty({ example: 'Enterprise manufacturing' })
  @RequiredText(200)
  readonly name: string;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(2000)
  readonly description?: string | null;

  @ApiProperty({ type: SegmentCriteria })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => SegmentCriteria)
  readonly criteria: SegmentCriteria;
}
