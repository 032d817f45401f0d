import { Body, Controller, Get, HttpCode, Module, Param, Post, Query } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import {
  ConflictError,
  EnvelopeInterceptor,
  ErrorFilter,
  Page,
  PaginationQuery,
  ParseIdPipe,
  RawResponse,
  createValidationPipe,
  pageWindow,
} from '../src';

class PreferencesDto {
  @IsIn(['light', 'dark'])
  readonly theme!: string;
}

class CreateWidgetDto {
  @IsString()
  @MaxLength(20)
  readonly name!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => PreferencesDto)
  readonly preferences?: PreferencesDto;
}

const WIDGETS = Array.from({ length: 60 }, (_, i) => ({ n: i + 1 }));

@Controller('widgets')
class WidgetsController {
  @Post()
  create(@Body() body: CreateWidgetDto) {
    return { received: body, isDto: body instanceof CreateWidgetDto };
  }

  @Get()
  list(@Query() query: PaginationQuery): Page<{ n: number }> {
    const { skip, take } = pageWindow(query);
    return Page.of(WIDGETS.slice(skip, skip + take), WIDGETS.length, query);
  }

  @Get('raw')
  @RawResponse()
  raw() {
    return { status: 'ok' };
  }

  @Get('nothing')
  nothing(): void {
    return undefined;
  }

  @Get('array')
  array() {
    return [1, 2, 3];
  }

  @Get('boom')
  boom() {
    throw new Error('relation "secret_table" does not exist at /srv/app/dist/widgets.service.js:42');
  }

  @Get('conflict')
  @HttpCode(200)
  conflict() {
    throw new ConflictError('A widget with this name exists', { field: 'name' });
  }

  @Get(':id')
  one(@Param('id', ParseIdPipe) id: string) {
    return { id };
  }
}

@RawResponse()
@Controller('feed')
class FeedController {
  @Get()
  feed() {
    return 'plain text feed';
  }
}

@Module({
  controllers: [WidgetsController, FeedController],
  providers: [
    { provide: APP_FILTER, useClass: ErrorFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
  ],
})
class TestAppModule {}

describe('error filter, validation pipe and envelope in a Fastify app', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 1024 }), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  const post = (payload: string | object, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/widgets',
      headers: { 'content-type': contentType },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  describe('success envelope', () => {
    it('wraps a result in {data}', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets/0190A5B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ data: { id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b' } });
    });

    it('wraps an array in {data} without meta', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets/array' });
      expect(res.json()).toEqual({ data: [1, 2, 3] });
    });

    it('answers a handler that returns nothing with {data: null}', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets/nothing' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ data: null });
    });

    it('renders a Page as {data, meta} with the default paging', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(['data', 'meta']);
      expect(body.meta).toEqual({ total: 60, page: 1, limit: 25, totalPages: 3 });
      expect(body.data).toHaveLength(25);
      expect(body.data[0]).toEqual({ n: 1 });
    });

    it('serves the requested page and clamps a limit above 100', async () => {
      const third = await app.inject({ method: 'GET', url: '/widgets?page=3&limit=25' });
      expect(third.json().meta).toEqual({ total: 60, page: 3, limit: 25, totalPages: 3 });
      expect(third.json().data.map((w: { n: number }) => w.n)).toEqual(
        Array.from({ length: 10 }, (_, i) => 51 + i),
      );

      const clamped = await app.inject({ method: 'GET', url: '/widgets?limit=1000' });
      expect(clamped.statusCode).toBe(200);
      expect(clamped.json().meta).toEqual({ total: 60, page: 1, limit: 100, totalPages: 1 });
      expect(clamped.json().data).toHaveLength(60);
    });

    it('leaves a @RawResponse route unwrapped', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets/raw' });
      expect(res.json()).toEqual({ status: 'ok' });
    });

    it('leaves every route of a @RawResponse controller unwrapped', async () => {
      const res = await app.inject({ method: 'GET', url: '/feed' });
      expect(res.body).toBe('plain text feed');
    });
  });

  describe('validation', () => {
    it('ignores unknown and read-only fields in a body', async () => {
      const res = await post({
        name: 'Gear',
        id: 'forged',
        organizationId: 'other-org',
        preferences: { theme: 'dark', x: 1 },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        data: { received: { name: 'Gear', preferences: { theme: 'dark' } }, isDto: true },
      });
    });

    it('answers invalid fields with 422 VALIDATION_ERROR and [{field, message}] details', async () => {
      const res = await post({ name: 'x'.repeat(21), preferences: { theme: 'neon' } });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body).toEqual({
        error: {
          code: 'VALIDATION_ERROR',
          message: 'The request has invalid fields',
          details: expect.arrayContaining([
            { field: 'name', message: 'name must be shorter than or equal to 20 characters' },
            { field: 'preferences.theme', message: 'theme must be one of the following values: light, dark' },
          ]),
        },
      });
      expect(body.error.details).toHaveLength(2);
    });

    it.each(['limit=0', 'limit=-1', 'limit=abc', 'page=0', 'page=abc'])(
      'answers ?%s with 422 naming the field',
      async (qs) => {
        const res = await app.inject({ method: 'GET', url: `/widgets?${qs}` });
        expect(res.statusCode).toBe(422);
        const body = res.json();
        expect(body.error.code).toBe('VALIDATION_ERROR');
        expect(body.error.details.length).toBeGreaterThan(0);
        expect(body.error.details.every((d: { field: string }) => d.field === qs.split('=')[0])).toBe(true);
      },
    );

    it('answers a path id that is not a UUID with 404 NOT_FOUND', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets/42' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Resource not found' } });
    });
  });

  describe('errors', () => {
    it('answers malformed JSON with 400 BAD_REQUEST', async () => {
      const res = await post('{"name": "Gear",');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'The request is malformed' } });
    });

    it('answers an empty JSON body with 400 BAD_REQUEST', async () => {
      const res = await post('');
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
    });

    it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await post({ name: 'Gear', padding: 'x'.repeat(2048) });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
      });
    });

    it('answers an unsupported content type with 400 BAD_REQUEST', async () => {
      const res = await post('<widget/>', 'application/xml');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'The request is malformed' } });
    });

    it('answers an unknown route with 404 NOT_FOUND in the contract shape', async () => {
      const res = await app.inject({ method: 'GET', url: '/nowhere' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Resource not found' } });
    });

    it('answers an AppError with its status, message and details', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets/conflict' });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({
        error: { code: 'CONFLICT', message: 'A widget with this name exists', details: { field: 'name' } },
      });
    });

    it('answers an unexpected failure with 500 INTERNAL_ERROR and nothing of the original message', async () => {
      const res = await app.inject({ method: 'GET', url: '/widgets/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' },
      });
      expect(res.body).not.toMatch(/secret_table|widgets\.service|at \//);
    });
  });
});
