import { Trim, TrimToNull } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { SegmentCriteria } from './segment-criteria';

export class CreateSegmentDto {
  @ApiProperty({ example: 'Enterprise manufacturing' })
  @Trim()
  @IsString()
  @Length(1, 200)
  readonly name: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @TrimToNull()
  @IsString()
  @MaxLength(2000)
  readonly description?: string | null;

  @ApiProperty({ type: SegmentCriteria })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => SegmentCriteria)
  readonly criteria: SegmentCriteria;
}
