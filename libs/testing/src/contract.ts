import { ERROR_CODES } from '@flow-crm/http';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type HttpAnswer } from './http';

/** "POST /api/x → 422 {...}", for failure messages. */
export function show(res: HttpAnswer): string {
  return `${res.request} → ${res.status} ${res.text.slice(0, 600)}`;
}

/** Asserts the status and returns the `data` of the success envelope. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function expectOk(res: HttpAnswer, status = 200): any {
  assert.equal(res.status, status, `expected ${status}: ${show(res)}`);
  assert.ok(
    res.body && typeof res.body === 'object' && 'data' in res.body,
    `a {data} envelope: ${show(res)}`,
  );
  return res.body.data;
}

/** What must never appear in an error body: stack traces, ORM and driver errors, SQL text. */
export const LEAKS = [
  /\bstack\b/i,
  /QueryFailedError|EntityNotFound|TypeORM|PostgresError/i,
  /node_modules|\bat (?:async )?[\w$.<>]+ \(/,
  /duplicate key value|violates [\w ]*constraint|syntax error at or near|invalid input syntax for/i,
  /\brelation "[^"]+"|\bcolumn "[^"]+"/i,
  /\b(?:SELECT|INSERT INTO|DELETE FROM) |\bUPDATE "?\w+"? SET\b/,
];

/**
 * The leak patterns found in a body: in its raw text and in every string it holds once parsed
 * (JSON escapes quotes, so `column "x"` only shows as such in the parsed strings).
 */
export function leaksIn(body: unknown): RegExp[] {
  const strings: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        strings.push(key);
        walk(item);
      }
    }
  };
  walk(body);
  if (typeof body !== 'string') strings.push(JSON.stringify(body) ?? '');
  return LEAKS.filter((leak) => strings.some((text) => leak.test(text)));
}

export function expectNoLeak(res: HttpAnswer): void {
  const found = [...new Set([...leaksIn(res.text), ...leaksIn(res.body)])];
  assert.equal(found.length, 0, `internals leaked (${found.join(', ')}): ${show(res)}`);
}

export interface ErrorJson {
  code: string;
  message: string;
  details?: { field: string; message: string }[];
}

/**
 * Asserts an error answer in the contract's shape: the status, `{error: {code, message,
 * details?}}` with the status's code, for 422 a non-empty list of `{field, message}`, and no
 * internals in the body. Returns `error`.
 */
export function expectError(res: HttpAnswer, status: number): ErrorJson {
  assert.equal(res.status, status, `expected ${status}: ${show(res)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, show(res));
  assert.deepEqual(Object.keys(res.body ?? {}), ['error'], show(res));
  const error = res.body.error as ErrorJson;
  assert.equal(error.code, ERROR_CODES[status as keyof typeof ERROR_CODES], show(res));
  assert.equal(typeof error.message, 'string', show(res));
  if (status === 422) {
    assert.ok(Array.isArray(error.details) && error.details.length > 0, `422 details: ${show(res)}`);
    for (const detail of error.details) {
      assert.equal(typeof detail.field, 'string', show(res));
      assert.equal(typeof detail.message, 'string', show(res));
    }
  }
  expectNoLeak(res);
  return error;
}

/** The fields a 422 names. */
export function fieldsOf(error: ErrorJson): string[] {
  return [...new Set((error.details ?? []).map((detail) => detail.field))];
}

/** An e-mail address nobody has used yet. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${Date.now().toString(36)}${randomBytes(4).toString('hex')}@example.com`;
}

/** A fresh password that meets identity's policy. */
export function strongPassword(): string {
  return `Pw-${randomBytes(6).toString('hex')}-Ok9`;
}
