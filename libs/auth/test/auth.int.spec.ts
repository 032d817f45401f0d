import { Controller, Get, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AuthModule, CurrentPrincipal, KeyResolver, type Principal, Public, Roles } from '../src';
import { ErrorFilter } from '@flow-crm/http';
import {
  MapKeyResolver,
  generateKey,
  signHs256,
  signRs256,
  unsigned,
  withFlippedSignatureByte,
  withPayload,
} from './tokens';

const ISSUER = 'flow-crm-identity-test';
const AUDIENCE = 'flow-crm-test';
const USER = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const ORG = '0190a5b2-0000-7000-8000-00000000000a';
const SESSION = '0190a5b2-0000-7000-8000-0000000000f1';

const signing = generateKey('key-1');
const stranger = generateKey('key-stranger');
const keys = new MapKeyResolver(new Map([[signing.kid, signing.publicPem]]));

const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = now();
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: USER,
    org: ORG,
    role: 'sales',
    sid: SESSION,
    iat,
    exp: iat + 900,
    ...overrides,
  };
}

function without(key: string): Record<string, unknown> {
  const all = claims();
  delete all[key];
  return all;
}

const header = { alg: 'RS256', typ: 'JWT', kid: signing.kid };
const token = (overrides: Record<string, unknown> = {}) =>
  signRs256(header, claims(overrides), signing.privateKey);

@Controller('things')
class ThingsController {
  @Public()
  @Get('public')
  open() {
    return { open: true };
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Roles('admin')
  @Get('admin')
  admin(@CurrentPrincipal() principal: Principal) {
    return { role: principal.role };
  }

  @Roles('admin', 'manager')
  @Get('managerial')
  managerial() {
    return { ok: true };
  }
}

@Public()
@Controller('open')
class OpenController {
  @Get()
  open() {
    return { open: true };
  }
}

@Module({
  imports: [
    AuthModule.forRoot({
      jwksUrl: 'http://127.0.0.1:9/never-fetched',
      issuer: ISSUER,
      audience: AUDIENCE,
      keyResolver: { provide: KeyResolver, useValue: keys },
    }),
  ],
  controllers: [ThingsController, OpenController],
  providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
})
class TestAppModule {}

const UNAUTHORIZED = { error: { code: 'UNAUTHORIZED', message: 'A valid access token is required' } };
const FORBIDDEN = { error: { code: 'FORBIDDEN', message: 'You are not allowed to do this' } };

describe('AuthModule in a Fastify app', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  const get = (url: string, authorization?: string) =>
    app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

  describe('public routes', () => {
    it('answers a @Public route without a token', async () => {
      const res = await get('/things/public');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ open: true });
    });

    it('answers a @Public route even when the token is garbage', async () => {
      expect((await get('/things/public', 'Bearer garbage')).statusCode).toBe(200);
    });

    it('answers every route of a @Public controller without a token', async () => {
      expect((await get('/open')).statusCode).toBe(200);
    });
  });

  describe('a valid access token', () => {
    it('lets the request through with the principal from its claims', async () => {
      const res = await get('/things/me', `Bearer ${token()}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ userId: USER, organizationId: ORG, role: 'sales', sessionId: SESSION });
      expect(keys.asked).toContain(signing.kid);
    });

    it('leaves sessionId out when the token has no sid', async () => {
      const res = await get('/things/me', `Bearer ${signRs256(header, without('sid'), signing.privateKey)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ userId: USER, organizationId: ORG, role: 'sales' });
    });

    it('accepts an audience list that contains the expected audience', async () => {
      const res = await get('/things/me', `Bearer ${token({ aud: ['other-service', AUDIENCE] })}`);
      expect(res.statusCode).toBe(200);
    });

    it('accepts the bearer scheme in any case', async () => {
      expect((await get('/things/me', `bearer ${token()}`)).statusCode).toBe(200);
    });
  });

  describe('refused tokens answer 401 UNAUTHORIZED in the contract shape', () => {
    const hour = 3600;
    it.each<[string, () => string | undefined]>([
      ['no Authorization header', () => undefined],
      ['an empty bearer', () => 'Bearer '],
      ['another scheme', () => `Basic ${Buffer.from('ann:secret').toString('base64')}`],
      ['a token without the Bearer scheme', () => token()],
      ['a malformed token', () => 'Bearer not-a-jwt'],
      ['three segments of garbage', () => 'Bearer a.b.c'],
      ['a tampered signature', () => `Bearer ${withFlippedSignatureByte(token())}`],
      [
        'a tampered payload (role raised to admin)',
        () => `Bearer ${withPayload(token(), claims({ role: 'admin' }))}`,
      ],
      [
        'a tampered payload (another organization)',
        () => `Bearer ${withPayload(token(), claims({ org: 'another-org' }))}`,
      ],
      [
        'a signature by another key under the known kid',
        () => `Bearer ${signRs256(header, claims(), stranger.privateKey)}`,
      ],
      ['alg none', () => `Bearer ${unsigned({ alg: 'none', typ: 'JWT', kid: signing.kid }, claims())}`],
      [
        'alg none with a signature part',
        () => `Bearer ${unsigned({ alg: 'none', kid: signing.kid }, claims())}c2ln`,
      ],
      [
        'HS256 signed with the public key PEM',
        () =>
          `Bearer ${signHs256({ alg: 'HS256', typ: 'JWT', kid: signing.kid }, claims(), signing.publicPem)}`,
      ],
      [
        'RS256 claimed but signed by an unknown kid',
        () => `Bearer ${signRs256({ ...header, kid: stranger.kid }, claims(), stranger.privateKey)}`,
      ],
      [
        'no kid at all',
        () => `Bearer ${signRs256({ alg: 'RS256', typ: 'JWT' }, claims(), signing.privateKey)}`,
      ],
      ['an expired token', () => `Bearer ${token({ iat: now() - hour, exp: now() - 60 })}`],
      ['a token not valid yet', () => `Bearer ${token({ nbf: now() + hour })}`],
      ['a wrong issuer', () => `Bearer ${token({ iss: 'evil-identity' })}`],
      ['no issuer', () => `Bearer ${signRs256(header, without('iss'), signing.privateKey)}`],
      ['a wrong audience', () => `Bearer ${token({ aud: 'another-product' })}`],
      ['no audience', () => `Bearer ${signRs256(header, without('aud'), signing.privateKey)}`],
      ['claims without org', () => `Bearer ${signRs256(header, without('org'), signing.privateKey)}`],
      ['claims without sub', () => `Bearer ${signRs256(header, without('sub'), signing.privateKey)}`],
      ['claims without role', () => `Bearer ${signRs256(header, without('role'), signing.privateKey)}`],
      ['an unknown role', () => `Bearer ${token({ role: 'owner' })}`],
      ['a role in the wrong case', () => `Bearer ${token({ role: 'Admin' })}`],
      ['a non-string org', () => `Bearer ${token({ org: 42 })}`],
    ])('refuses %s', async (_case, authorization) => {
      const res = await get('/things/me', authorization());
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(UNAUTHORIZED);
    });

    it('refuses a forged admin token on an admin route with 401, not 403 or 200', async () => {
      const forged = withPayload(token(), claims({ role: 'admin' }));
      const res = await get('/things/admin', `Bearer ${forged}`);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(UNAUTHORIZED);
    });
  });

  describe('roles', () => {
    it('lets an admin through an admin route', async () => {
      const res = await get('/things/admin', `Bearer ${token({ role: 'admin' })}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ role: 'admin' });
    });

    it.each(['sales', 'manager'])('answers %s on an admin route with 403 FORBIDDEN', async (role) => {
      const res = await get('/things/admin', `Bearer ${token({ role })}`);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual(FORBIDDEN);
    });

    it('lets every listed role through and refuses the others', async () => {
      expect((await get('/things/managerial', `Bearer ${token({ role: 'admin' })}`)).statusCode).toBe(200);
      expect((await get('/things/managerial', `Bearer ${token({ role: 'manager' })}`)).statusCode).toBe(200);
      expect((await get('/things/managerial', `Bearer ${token({ role: 'sales' })}`)).statusCode).toBe(403);
    });

    it('answers an anonymous caller on an admin route with 401, not 403', async () => {
      const res = await get('/things/admin');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(UNAUTHORIZED);
    });
  });
});
