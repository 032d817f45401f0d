import { IsOmittable, Trim } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { TAG_MAX_LENGTH } from '../../shared/tags';

const COLOR = /^#[0-9a-f]{6}$/;
const lowerCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class CreateTagDto {
  @ApiProperty({ example: 'vip' })
  @Trim()
  @IsString()
  @Length(1, TAG_MAX_LENGTH)
  readonly name: string;

  @ApiPropertyOptional({ example: '#ffaa00', description: '#rrggbb; a neutral grey when left out' })
  @IsOmittable()
  @Transform(lowerCase)
  @IsString()
  @Matches(COLOR, { message: 'color must be a #rrggbb colour' })
  readonly color?: string;
}

export class UpdateTagDto {
  @ApiPropertyOptional({ example: 'vip' })
  @IsOmittable()
  @Trim()
  @IsString()
  @Length(1, TAG_MAX_LENGTH)
  readonly name?: string;

  @ApiPropertyOptional({ example: '#ffaa00' })
  @IsOmittable()
  @Transform(lowerCase)
  @IsString()
  @Matches(COLOR, { message: 'color must be a #rrggbb colour' })
  readonly color?: string;
}

export class AddTagDto {
  @ApiProperty({ example: 'vip' })
  @Trim()
  @IsString()
  @Length(1, TAG_MAX_LENGTH)
  readonly tag: string;
}
