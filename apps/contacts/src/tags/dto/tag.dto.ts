import { IsOmittable, LowerCase, OmittableText, RequiredText, TAG_MAX_LENGTH } from '@flow-crm/http';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

/** `#rrggbb`, stored lower case. */
const Color = () =>
  applyDecorators(
    IsOmittable(),
    LowerCase(),
    IsString(),
    Matches(/^#[0-9a-f]{6}$/, { message: 'color must be a #rrggbb colour' }),
  );

export class CreateTagDto {
  @ApiProperty({ example: 'vip' })
  @RequiredText(TAG_MAX_LENGTH)
  readonly name: string;

  @ApiPropertyOptional({ example: '#ffaa00', description: '#rrggbb; a neutral grey when left out' })
  @Color()
  readonly color?: string;
}

export class UpdateTagDto {
  @ApiPropertyOptional({ example: 'vip' })
  @OmittableText(TAG_MAX_LENGTH)
  readonly name?: string;

  @ApiPropertyOptional({ example: '#ffaa00' })
  @Color()
  readonly color?: string;
}

export class AddTagDto {
  @ApiProperty({ example: 'vip' })
  @RequiredText(TAG_MAX_LENGTH)
  readonly tag: string;
}
