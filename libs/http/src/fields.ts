import { applyDecorators } from '@nestjs/common';
import {
  IsEmail,
  IsISO8601,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { LowerCase, Trim, TrimToNull } from './transforms';
import { IsOmittable } from './validation';

/**
 * The validation of the field shapes every service's bodies repeat. Each is one decorator for the
 * class-validator and class-transformer rules; the OpenAPI description stays beside the field.
 */

/** A required name-like text: trimmed, 1 to `max` characters. */
export const RequiredText = (max = 200) => applyDecorators(Trim(), IsString(), Length(1, max));

/** A list's `search`: optional, trimmed, at most 200 characters; empty finds everything. */
export const ListSearch = () => applyDecorators(IsOptional(), Trim(), IsString(), Length(0, 200));

/** The same text in a partial update: may be left out, never null or blank. */
export const OmittableText = (max = 200) => applyDecorators(IsOmittable(), RequiredText(max));

/** Optional text that may be cleared: trimmed, and `''` or `null` mean no value. */
export const OptionalText = (max: number) =>
  applyDecorators(IsOptional(), TrimToNull(), IsString(), MaxLength(max));

export const OptionalEmail = () =>
  applyDecorators(
    IsOptional(),
    TrimToNull(),
    IsEmail({}, { message: 'email must be a valid e-mail address' }),
    MaxLength(254),
  );

export const OptionalUrl = (options: Parameters<typeof IsUrl>[0] = { protocols: ['http', 'https'] }) =>
  applyDecorators(IsOptional(), TrimToNull(), IsUrl(options), MaxLength(2000));

/** A reference that may be cleared with null; ids compare lower case. */
export const OptionalId = () => applyDecorators(IsOptional(), LowerCase(), IsUUID());

/** A reference that may be left out but not cleared. */
export const OmittableId = () => applyDecorators(IsOmittable(), LowerCase(), IsUUID());

/** A calendar day, `YYYY-MM-DD` (a real date); null clears it. */
export const OptionalDate = () =>
  applyDecorators(
    IsOptional(),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date as YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a real date' }),
  );

/** A 0-100 score. */
export const Score = () => applyDecorators(IsInt(), Min(0), Max(100));

/** The largest amount a `numeric(15,2)` column holds. */
export const MAX_MONEY = 9_999_999_999_999.99;

/** A non-negative amount with at most two decimals, as money columns store it. */
export const Money = () =>
  applyDecorators(
    IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }),
    Min(0),
    Max(MAX_MONEY),
  );
