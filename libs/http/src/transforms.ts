import { Transform } from 'class-transformer';

const trim = (value: unknown) => (typeof value === 'string' ? value.trim() : value);

/** Surrounding blanks never belong to a value (names, titles, tags). */
export const Trim = () => Transform(({ value }) => trim(value));

/** For text that may be cleared: trimmed, and an empty string means "no value" (null). */
export const TrimToNull = () =>
  Transform(({ value }) => {
    const trimmed = trim(value);
    return trimmed === '' ? null : trimmed;
  });

/** UUIDs compare as text in our code and SQL: one spelling, lower case, whatever the client sent. */
export const LowerCase = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
