import { IsOmittable, RequiredText, Score } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  Matches,
  ValidateNested,
} from 'class-validator';

export class StageDto {
  @ApiProperty({ example: 'discovery', description: 'lower case letters, digits and _' })
  @RequiredText(50)
  @Matches(/^[a-z][a-z0-9_]*$/, {
    message: 'key must be lower case letters, digits and _, starting with a letter',
  })
  readonly key: string;

  @ApiProperty({ example: 'Discovery' })
  @RequiredText(100)
  readonly name: string;

  @ApiProperty({ minimum: 0, maximum: 100 })
  @Score()
  readonly probability: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  readonly isWon?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  readonly isLost?: boolean;
}

const MAX_STAGES = 30;

export class CreatePipelineDto {
  @ApiProperty({ example: 'Renewals' })
  @RequiredText(100)
  readonly name: string;

  @ApiProperty({ type: [StageDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STAGES)
  @ValidateNested({ each: true })
  @Type(() => StageDto)
  readonly stages: StageDto[];
}

/** A PUT: the name and the stages may each be left out; stages sent replace all of them. */
export class UpdatePipelineDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @RequiredText(100)
  readonly name?: string;

  @ApiPropertyOptional({ type: [StageDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STAGES)
  @ValidateNested({ each: true })
  @Type(() => StageDto)
  readonly stages?: StageDto[];
}
