import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length } from 'class-validator';
import { RequiredText } from './fields';
import { IsOmittable } from './validation';

export const MAX_TAGS = 50;
export const TAG_MAX_LENGTH = 50;

/** Tag names as records carry them: trimmed, without blanks or repeats (first spelling wins). */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    const key = tag.toLowerCase();
    if (tag === '' || seen.has(key)) continue;
    seen.add(key);
    result.push(tag);
  }
  return result;
}

/** A list's `tag` filter: one tag name, matched in any spelling the catalog knows. */
export const TagFilter = () => applyDecorators(IsOptional(), RequiredText(TAG_MAX_LENGTH));

/** The `tags` field of a contact or customer body. */
export class TagsField {
  @ApiPropertyOptional({ type: [String], example: ['vip', 'newsletter'] })
  @IsOmittable()
  @Transform(({ value }) =>
    Array.isArray(value) && value.every((t) => typeof t === 'string') ? normalizeTags(value) : value,
  )
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, TAG_MAX_LENGTH, { each: true })
  readonly tags?: string[];
}
