import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { errorCodes } from 'fastify';
import { mapError } from './error-mapping';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from './errors';

/** What `pg` throws: an Error whose message is the server's text, with the SQLSTATE in `code`. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), {
    code,
    detail: 'Key (email)=(ann@example.com) already exists.',
    table: 'users',
  });
}

describe('mapError', () => {
  describe('AppError and its subclasses', () => {
    it.each([
      [new BadRequestError(), 400, 'BAD_REQUEST', 'The request is malformed'],
      [new UnauthorizedError('Token expired'), 401, 'UNAUTHORIZED', 'Token expired'],
      [new ForbiddenError(), 403, 'FORBIDDEN', 'You are not allowed to do this'],
      [new NotFoundError('Contact'), 404, 'NOT_FOUND', 'Contact not found'],
      [new ConflictError('Email already in use'), 409, 'CONFLICT', 'Email already in use'],
      [new ServiceUnavailableError(), 503, 'SERVICE_UNAVAILABLE', 'The service is unavailable'],
      [new AppError(429, 'Slow down'), 429, 'RATE_LIMIT_EXCEEDED', 'Slow down'],
      [new AppError(504, 'Pipeline did not answer'), 504, 'UPSTREAM_TIMEOUT', 'Pipeline did not answer'],
    ])('answers %p with its own status, code and message', (error, status, code, message) => {
      const mapped = mapError(error);
      expect(mapped).toEqual({ status, body: { error: { code, message } }, unexpected: false });
      expect(Object.keys(mapped.body.error)).not.toContain('details');
    });

    it('passes the details of a ConflictError through', () => {
      const mapped = mapError(new ConflictError('Email already in use', { field: 'email' }));
      expect(mapped.body).toEqual({
        error: { code: 'CONFLICT', message: 'Email already in use', details: { field: 'email' } },
      });
    });

    it('answers a ValidationError with 422 and one detail per field', () => {
      const error = new ValidationError([
        { field: 'email', message: 'email must be an email' },
        { field: 'preferences.theme', message: 'theme must be one of light, dark' },
      ]);
      expect(mapError(error)).toEqual({
        status: 422,
        unexpected: false,
        body: {
          error: {
            code: 'VALIDATION_ERROR',
            message: 'The request has invalid fields',
            details: [
              { field: 'email', message: 'email must be an email' },
              { field: 'preferences.theme', message: 'theme must be one of light, dark' },
            ],
          },
        },
      });
    });

    it('builds a single-field ValidationError with ValidationError.of', () => {
      expect(mapError(ValidationError.of('limit', 'limit must be an integer')).body.error.details).toEqual([
        { field: 'limit', message: 'limit must be an integer' },
      ]);
    });

    it('exposes the code and the subclass name on the error itself', () => {
      const error = new NotFoundError('Deal');
      expect(error.code).toBe('NOT_FOUND');
      expect(error.name).toBe('NotFoundError');
      expect(error).toBeInstanceOf(AppError);
    });
  });

  describe("Nest's HttpExceptions", () => {
    it.each([
      [new BadRequestException('Unexpected token } in JSON'), 400, 'BAD_REQUEST', 'The request is malformed'],
      [new UnauthorizedException('jwt expired'), 401, 'UNAUTHORIZED', 'Authentication required'],
      [new ForbiddenException('role sales lacks admin'), 403, 'FORBIDDEN', 'You are not allowed to do this'],
      [new NotFoundException('Cannot GET /api/nope'), 404, 'NOT_FOUND', 'Resource not found'],
      [new ConflictException('duplicate'), 409, 'CONFLICT', 'The request conflicts with the current state'],
      [new PayloadTooLargeException('too big'), 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large'],
      [new UnprocessableEntityException('bad'), 422, 'VALIDATION_ERROR', 'The request has invalid fields'],
      [
        new HttpException('ThrottlerException: Too Many Requests', 429),
        429,
        'RATE_LIMIT_EXCEEDED',
        'Too many requests',
      ],
    ])('answers %p with the status and a generic message of the contract', (error, status, code, message) => {
      expect(mapError(error)).toEqual({ status, body: { error: { code, message } }, unexpected: false });
    });

    it('treats a 500 HttpException as unexpected and hides its message', () => {
      const mapped = mapError(new InternalServerErrorException('connection to 10.0.0.4 refused'));
      expect(mapped).toEqual({
        status: 500,
        body: { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } },
        unexpected: true,
      });
    });

    it('answers the HttpException Nest makes of an unsupported media type (415) with 400 BAD_REQUEST', () => {
      // Nest's RoutesResolver turns every FastifyError into `new HttpException(message, statusCode)`
      // before the filter sees it, so this, not the FST_ error itself, is what reaches mapError.
      expect(mapError(new HttpException('Unsupported Media Type', 415))).toEqual({
        status: 400,
        body: { error: { code: 'BAD_REQUEST', message: 'The request is malformed' } },
        unexpected: false,
      });
    });
  });

  describe('errors Fastify raises before a route runs', () => {
    it('answers malformed JSON with 400 BAD_REQUEST', () => {
      const error = new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
      expect(mapError(error)).toEqual({
        status: 400,
        body: { error: { code: 'BAD_REQUEST', message: 'The request is malformed' } },
        unexpected: false,
      });
    });

    it('answers a plain FST_ object with statusCode 400 with 400 BAD_REQUEST', () => {
      const error = {
        code: 'FST_ERR_CTP_INVALID_JSON',
        statusCode: 400,
        message: "Unexpected token '}' at 1:9",
      };
      expect(mapError(error)).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_REQUEST' } },
        unexpected: false,
      });
    });

    it('answers an empty JSON body with 400 BAD_REQUEST', () => {
      expect(mapError(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY()).status).toBe(400);
    });

    it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', () => {
      expect(mapError(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE())).toEqual({
        status: 413,
        body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' } },
        unexpected: false,
      });
    });

    it('answers an unsupported media type (415) with 400 BAD_REQUEST', () => {
      expect(mapError(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE())).toEqual({
        status: 400,
        body: { error: { code: 'BAD_REQUEST', message: 'The request is malformed' } },
        unexpected: false,
      });
    });

    it('answers a Fastify client error with a status outside the contract (408) with 400', () => {
      expect(mapError({ code: 'FST_ERR_REQUEST_TIMEOUT', statusCode: 408 }).status).toBe(400);
    });

    it("treats a Fastify error of the server's own making (statusCode 500) as an unexpected 500", () => {
      // FST_ERR_REP_INVALID_PAYLOAD_TYPE: a handler sent something Fastify cannot serialize. That is
      // our bug, not the client's: it must be a 500 that gets logged, not a 400 "malformed request".
      const mapped = mapError(new errorCodes.FST_ERR_REP_INVALID_PAYLOAD_TYPE('number'));
      expect(mapped).toEqual({
        status: 500,
        body: { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } },
        unexpected: true,
      });
    });

    it('ignores a statusCode on an error whose code is not a Fastify one', () => {
      expect(mapError({ code: 'ERR_INVALID_ARG_TYPE', statusCode: 400 })).toMatchObject({
        status: 500,
        unexpected: true,
      });
    });
  });

  describe('PostgreSQL errors', () => {
    it.each([
      ['23505', 'duplicate key value violates unique constraint "users_email_key"'],
      ['23503', 'insert or update on table "deals" violates foreign key constraint "deals_stage_id_fkey"'],
      ['40001', 'could not serialize access due to concurrent update'],
      ['40P01', 'deadlock detected'],
    ])('answers SQLSTATE %s with 409 CONFLICT without the SQL text', (code, message) => {
      const mapped = mapError(pgError(code, message));
      expect(mapped).toEqual({
        status: 409,
        body: { error: { code: 'CONFLICT', message: 'The request conflicts with the current state' } },
        unexpected: false,
      });
      expect(JSON.stringify(mapped.body)).not.toMatch(/constraint|users|deals|Key \(email\)/);
    });

    it.each([
      ['42P01', 'relation "secret_table" does not exist'],
      ['22P02', 'invalid input syntax for type uuid: "x"'],
      ['57014', 'canceling statement due to statement timeout'],
    ])('answers any other SQLSTATE (%s) as an unexpected 500', (code, message) => {
      expect(mapError(pgError(code, message))).toMatchObject({ status: 500, unexpected: true });
    });

    it('does not take a code named like an Object.prototype member for a known SQLSTATE', () => {
      expect(mapError({ code: 'toString' })).toEqual({
        status: 500,
        body: { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } },
        unexpected: true,
      });
    });
  });

  describe('an unreachable dependency', () => {
    it.each([
      [
        'ECONNREFUSED',
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.4:5432'), { code: 'ECONNREFUSED' }),
      ],
      ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT 10.0.0.4:5432'), { code: 'ETIMEDOUT' })],
      ['SQLSTATE 57P01', pgError('57P01', 'terminating connection due to administrator command')],
      ['SQLSTATE 08006', pgError('08006', 'connection failure')],
      ['a terminated pg connection', new Error('Connection terminated unexpectedly')],
      ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ])('answers %s with 503 SERVICE_UNAVAILABLE, logged, without the original message', (_kind, error) => {
      const mapped = mapError(error);
      expect(mapped).toEqual({
        status: 503,
        body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'The service is unavailable' } },
        unexpected: true,
      });
      expect(JSON.stringify(mapped.body)).not.toMatch(/10\.0\.0\.4|terminat|timeout/);
    });
  });

  describe('unknown errors', () => {
    const secret = 'select * from users where password_hash = $1 at /srv/app/dist/users.service.js:42';

    it.each([
      ['an Error', new Error(secret)],
      ['a TypeError', new TypeError(`Cannot read properties of undefined (reading 'id') ${secret}`)],
      ['a string', secret],
      ['an object', { message: secret, details: [{ field: 'x', message: secret }] }],
      ['null', null],
      ['undefined', undefined],
    ])('answers %s with 500 INTERNAL_ERROR, a generic message and no details', (_kind, error) => {
      const mapped = mapError(error);
      expect(mapped).toEqual({
        status: 500,
        body: { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } },
        unexpected: true,
      });
      expect(JSON.stringify(mapped.body)).not.toContain('password_hash');
    });
  });
});
