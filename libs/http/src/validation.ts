import {
  type ArgumentMetadata,
  ValidationPipe,
  type ValidationError as ClassValidatorError,
} from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { type FieldError, ValidationError } from './errors';

/**
 * The field may be left out, but when it is sent it must be valid: unlike `@IsOptional()`,
 * `null` is refused. For every field that has no null state (names, roles, flags).
 */
export const IsOmittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Paths of the strings holding a NUL character, which PostgreSQL cannot store in text. */
export function nulCharacterFields(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path || 'value'] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nulCharacterFields(item, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      nulCharacterFields(item, path ? `${path}.${key}` : key),
    );
  }
  return [];
}

class ContractValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const fields = nulCharacterFields(value);
      if (fields.length)
        throw new ValidationError(
          fields.map((field) => ({ field, message: `${field} must not contain NUL characters` })),
        );
    }
    return super.transform(value, metadata);
  }
}

/** Flattens class-validator's tree into `[{field: 'preferences.theme', message}]`. */
export function toFieldErrors(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Validation for every body and query: unknown fields are stripped (never applied, never an
 * error, so read-only fields in a body are ignored as the contract says), values are converted
 * to their declared types, and failures answer 422 with one entry per field. Text with a NUL
 * character is refused up front: PostgreSQL would reject it with an error of its own.
 */
export function createValidationPipe(): ValidationPipe {
  return new ContractValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError(toFieldErrors(errors)),
  });
}
