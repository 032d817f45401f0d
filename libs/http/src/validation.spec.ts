import { type ArgumentMetadata, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
  validate,
} from 'class-validator';
import { ValidationError } from './errors';
import { createValidationPipe, IsOmittable, nulCharacterFields, toFieldErrors } from './validation';

class PreferencesDto {
  @IsIn(['light', 'dark'])
  readonly theme!: string;
}

class PhoneDto {
  @IsString()
  @MaxLength(5)
  readonly number!: string;
}

class CreateContactDto {
  @IsString()
  @MaxLength(20)
  readonly name!: string;

  @IsOptional()
  @IsEmail()
  readonly email?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  readonly score?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => PreferencesDto)
  readonly preferences?: PreferencesDto;

  @IsOptional()
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => PhoneDto)
  readonly phones?: PhoneDto[];
}

const body: ArgumentMetadata = { type: 'body', metatype: CreateContactDto, data: '' };

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('toFieldErrors', () => {
  it('flattens nested children into dotted paths, one entry per failed constraint', async () => {
    const dto = Object.assign(new CreateContactDto(), {
      name: 'x'.repeat(21),
      preferences: Object.assign(new PreferencesDto(), { theme: 'neon' }),
      phones: [
        Object.assign(new PhoneDto(), { number: '12345' }),
        Object.assign(new PhoneDto(), { number: 123456 }),
      ],
    });
    const errors = await validate(dto);
    const fields = toFieldErrors(errors);
    expect(fields).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'name must be shorter than or equal to 20 characters' },
        { field: 'preferences.theme', message: 'theme must be one of the following values: light, dark' },
        { field: 'phones.1.number', message: 'number must be a string' },
        { field: 'phones.1.number', message: 'number must be shorter than or equal to 5 characters' },
      ]),
    );
    expect(fields).toHaveLength(4);
  });

  it('prefixes every path with the given parent', () => {
    const tree: ClassValidatorError[] = [
      {
        property: 'address',
        children: [{ property: 'city', constraints: { isString: 'city must be a string' }, children: [] }],
      },
    ];
    expect(toFieldErrors(tree, 'billing')).toEqual([
      { field: 'billing.address.city', message: 'city must be a string' },
    ]);
  });

  it('returns nothing for a node without constraints or children', () => {
    expect(toFieldErrors([{ property: 'x' }])).toEqual([]);
  });
});

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();

  it('strips unknown and read-only fields instead of refusing them', async () => {
    const result = (await pipe.transform(
      {
        name: 'Ann',
        id: 'b3a1f6c2-0000-4000-8000-000000000000',
        organizationId: 'other-org',
        ownerId: 'someone',
        isAdmin: true,
      },
      body,
    )) as Record<string, unknown>;
    expect(result).toBeInstanceOf(CreateContactDto);
    expect(result).toEqual({ name: 'Ann' });
  });

  it('strips unknown fields inside nested objects too', async () => {
    const result = (await pipe.transform(
      { name: 'Ann', preferences: { theme: 'dark', admin: true } },
      body,
    )) as CreateContactDto;
    expect(result.preferences).toBeInstanceOf(PreferencesDto);
    expect(result.preferences).toEqual({ theme: 'dark' });
  });

  it('answers invalid fields with a 422 ValidationError carrying [{field, message}]', async () => {
    const error = await rejectionOf(
      pipe.transform({ name: 42, email: 'not-an-email', preferences: { theme: 'neon' } }, body),
    );
    expect(error).toBeInstanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.status).toBe(422);
    expect(validation.code).toBe('VALIDATION_ERROR');
    expect(validation.details).toEqual(validation.fieldErrors);
    expect(validation.fieldErrors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'name must be a string' },
        { field: 'email', message: 'email must be an email' },
        { field: 'preferences.theme', message: 'theme must be one of the following values: light, dark' },
      ]),
    );
    for (const entry of validation.fieldErrors)
      expect(Object.keys(entry).sort()).toEqual(['field', 'message']);
  });

  it('does not convert strings implicitly: a numeric string is not an integer', async () => {
    const error = (await rejectionOf(pipe.transform({ name: 'Ann', score: '7' }, body))) as ValidationError;
    expect(error.fieldErrors).toContainEqual({ field: 'score', message: 'score must be an integer number' });
    expect(error.fieldErrors.every((e) => e.field === 'score')).toBe(true);
  });

  it('leaves values of primitive parameters alone', async () => {
    expect(await pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).toBe('abc');
  });
});

describe('NUL characters', () => {
  it('finds every string holding one, by path', () => {
    expect(
      nulCharacterFields({ name: 'a\u0000b', tags: ['ok', '\u0000'], nested: { deep: 'x\u0000' }, n: 1 }),
    ).toEqual(['name', 'tags[1]', 'nested.deep']);
    expect(nulCharacterFields({ name: 'clean', list: ['a'] })).toEqual([]);
  });

  it('refuses a body with one before validating it: 422 naming the field', async () => {
    class Named {
      @IsString()
      readonly name!: string;
    }
    const error = await createValidationPipe()
      .transform({ name: 'Ada\u0000' }, { type: 'body', metatype: Named })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([
      { field: 'name', message: 'name must not contain NUL characters' },
    ]);
  });
});

describe('IsOmittable', () => {
  class Patch {
    @IsOmittable()
    @IsString()
    readonly name?: string;
  }

  it('accepts a left-out field and refuses null', async () => {
    const pipe = createValidationPipe();
    await expect(pipe.transform({}, { type: 'body', metatype: Patch })).resolves.toEqual({});
    const error = await pipe
      .transform({ name: null }, { type: 'body', metatype: Patch })
      .catch((e: unknown) => e);
    expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual(['name']);
  });
});
