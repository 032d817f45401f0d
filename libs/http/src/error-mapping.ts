import { HttpException } from '@nestjs/common';
import { AppError, ERROR_CODES, type ErrorBody, type ErrorStatus } from './errors';

export interface MappedError {
  readonly status: ErrorStatus;
  readonly body: ErrorBody;
  /** True when the failure is ours (500): it is logged with its stack, the client sees no detail. */
  readonly unexpected: boolean;
}

const GENERIC_MESSAGES: Record<ErrorStatus, string> = {
  400: 'The request is malformed',
  401: 'Authentication required',
  403: 'You are not allowed to do this',
  404: 'Resource not found',
  409: 'The request conflicts with the current state',
  413: 'The request body is too large',
  422: 'The request has invalid fields',
  429: 'Too many requests',
  500: 'An unexpected error occurred',
  503: 'The service is unavailable',
  504: 'The upstream service did not answer in time',
};

/** PostgreSQL error codes that are the client's fault, should a constraint be the first to notice. */
const PG_CODES: Record<string, ErrorStatus> = {
  '23505': 409, // unique_violation
  '23503': 409, // foreign_key_violation
  '40001': 409, // serialization_failure
  '40P01': 409, // deadlock_detected
  '22021': 400, // character_not_in_repertoire (a NUL in text that validation did not see)
  '22P05': 400, // untranslatable_character
};

/** A dependency (the database, above all) is unreachable: a 503 tells the client to retry later. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection is closed/i;

function isKnownStatus(status: number): status is ErrorStatus {
  return status in ERROR_CODES;
}

function body(status: ErrorStatus, message: string, details?: unknown): ErrorBody {
  return { error: { code: ERROR_CODES[status], message, ...(details === undefined ? {} : { details }) } };
}

/**
 * Maps any thrown value to the contract's error shape. The message of an unexpected error is
 * never passed through: it may hold SQL, a stack or a file path.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof AppError) {
    return {
      status: error.status,
      body: body(error.status, error.message, error.details),
      unexpected: false,
    };
  }
  if (error instanceof HttpException) {
    // Nest wraps Fastify's refusals (bad JSON, too large, unsupported content type) in these too.
    const status = error.getStatus();
    if (status >= 400 && status < 500) {
      const mapped: ErrorStatus = isKnownStatus(status) ? status : 400;
      return { status: mapped, body: body(mapped, GENERIC_MESSAGES[mapped]), unexpected: false };
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  const fastifyStatus = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof code === 'string' && code.startsWith('FST_') && typeof fastifyStatus === 'number') {
    // Fastify refuses bodies before any route runs: malformed JSON, too large, bad content type.
    if (fastifyStatus >= 400 && fastifyStatus < 500) {
      const status: ErrorStatus = isKnownStatus(fastifyStatus) ? fastifyStatus : 400;
      return { status, body: body(status, GENERIC_MESSAGES[status]), unexpected: false };
    }
  }
  if (typeof code === 'string' && Object.hasOwn(PG_CODES, code)) {
    const status = PG_CODES[code];
    return { status, body: body(status, GENERIC_MESSAGES[status]), unexpected: false };
  }
  const message = (error as { message?: unknown } | null)?.message;
  if (
    (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) ||
    (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message))
  ) {
    return { status: 503, body: body(503, GENERIC_MESSAGES[503]), unexpected: true };
  }
  return { status: 500, body: body(500, GENERIC_MESSAGES[500]), unexpected: true };
}
