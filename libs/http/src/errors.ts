import { HttpStatus } from '@nestjs/common';

/** The error codes of the contract (ARCHITECTURE.md, "HTTP API conventions"), by status. */
export const ERROR_CODES = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMIT_EXCEEDED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
  504: 'UPSTREAM_TIMEOUT',
} as const;

export type ErrorStatus = keyof typeof ERROR_CODES;
export type ErrorCode = (typeof ERROR_CODES)[ErrorStatus];

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: unknown };
}

/**
 * A failure the client is meant to see. Services throw these (or their subclasses); the error
 * filter turns them into the contract's shape. Anything else becomes a 500 without details.
 */
export class AppError extends Error {
  constructor(
    readonly status: ErrorStatus,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get code(): ErrorCode {
    return ERROR_CODES[this.status];
  }
}

export class BadRequestError extends AppError {
  constructor(message = 'The request is malformed') {
    super(HttpStatus.BAD_REQUEST, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super(HttpStatus.UNAUTHORIZED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super(HttpStatus.FORBIDDEN, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super(HttpStatus.NOT_FOUND, `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(HttpStatus.CONFLICT, message, details);
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly fieldErrors: FieldError[],
    message = 'The request has invalid fields',
  ) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, message, fieldErrors);
  }

  static of(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'The request body is too large') {
    super(HttpStatus.PAYLOAD_TOO_LARGE, message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'The service is unavailable') {
    super(HttpStatus.SERVICE_UNAVAILABLE, message);
  }
}
