import { registerDecorator, type ValidationOptions } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 8;
/** argon2 takes any length, but a megabyte "password" is a denial-of-service, not a secret. */
export const PASSWORD_MAX_LENGTH = 128;

/** What a password lacks under the contract's policy; empty when it is acceptable. */
export function passwordProblems(password: unknown): string[] {
  if (typeof password !== 'string') return ['must be a string'];
  const problems: string[] = [];
  // Characters as people count them (code points), not UTF-16 units: an emoji is one character.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  if (!/\p{Lu}/u.test(password)) problems.push('must contain an upper case letter');
  if (!/\p{Ll}/u.test(password)) problems.push('must contain a lower case letter');
  if (!/\p{Nd}/u.test(password)) problems.push('must contain a digit');
  return problems;
}

/** class-validator decorator for the password policy; one message listing everything missing. */
export function IsStrongPassword(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStrongPassword',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => passwordProblems(value).length === 0,
        defaultMessage: (args) => `${args?.property} ${passwordProblems(args?.value).join(', ')}`,
      },
    });
}
