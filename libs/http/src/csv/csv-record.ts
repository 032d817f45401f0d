import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { type FieldError } from '../errors';
import { nulCharacterFields, toFieldErrors } from '../validation';

export type RecordCheck<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * A CSV record checked with exactly the rules of the JSON route's body class: the same DTO, the
 * same messages. `plain` is the record shaped as that body (lists split, blanks as they came).
 */
export function checkRecord<T extends object>(
  dto: new () => T,
  plain: Record<string, unknown>,
  raw: Readonly<Record<string, string | undefined>>,
): RecordCheck<T> {
  const nul = nulCharacterFields(raw);
  if (nul.length > 0)
    return {
      ok: false,
      errors: nul.map((field) => ({ field, message: `${field} must not contain NUL characters` })),
    };
  const value = plainToInstance(dto, plain);
  const errors = validateSync(value, { whitelist: true, validationError: { target: false, value: false } });
  return errors.length > 0 ? { ok: false, errors: toFieldErrors(errors) } : { ok: true, value };
}
