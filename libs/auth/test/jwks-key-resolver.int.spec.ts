import { Controller, Get, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import { createPublicKey } from 'node:crypto';
import { AuthModule, CurrentPrincipal, JwksKeyResolver, type Principal } from '../src';
import { ErrorFilter } from '@flow-crm/http';
import { type TestKey, generateKey, signRs256 } from './tokens';

/** A JWKS endpoint like identity's, whose key set the test changes, counting its requests. */
class JwksServer {
  readonly keys: TestKey[] = [];
  requests = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.requests += 1;
      if (request.url !== '/api/auth/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      const jwks = {
        keys: this.keys.map((key) => ({
          ...key.publicKey.export({ format: 'jwk' }),
          kid: key.kid,
          alg: 'RS256',
          use: 'sig',
        })),
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}/api/auth/jwks.json`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The same key whatever PEM flavour it comes in. */
const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();

describe('JwksKeyResolver', () => {
  const first = generateKey('key-2026-01');
  const second = generateKey('key-2026-02');
  const third = generateKey('key-2026-03');
  let jwks: JwksServer;
  let url: string;

  beforeEach(async () => {
    jwks = new JwksServer();
    url = await jwks.start();
  });

  afterEach(async () => {
    await jwks.stop();
  });

  it('resolves the public key PEM of a kid the JWKS lists', async () => {
    jwks.keys.push(first, second);
    const resolver = new JwksKeyResolver(url);
    const pem = await resolver.publicKeyFor(first.kid);
    expect(pem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(spki(pem)).toBe(first.publicPem);
    expect(spki(await resolver.publicKeyFor(second.kid))).toBe(second.publicPem);
  });

  it('serves a known kid from its cache without fetching again', async () => {
    jwks.keys.push(first);
    const resolver = new JwksKeyResolver(url);
    await resolver.publicKeyFor(first.kid);
    const fetched = jwks.requests;
    await resolver.publicKeyFor(first.kid);
    await resolver.publicKeyFor(first.kid);
    expect(jwks.requests).toBe(fetched);
  });

  it('fetches the JWKS again when a token names a kid it has not seen (key rotation)', async () => {
    jwks.keys.push(first);
    const resolver = new JwksKeyResolver(url);
    expect(spki(await resolver.publicKeyFor(first.kid))).toBe(first.publicPem);
    const before = jwks.requests;

    jwks.keys.push(second);
    expect(spki(await resolver.publicKeyFor(second.kid))).toBe(second.publicPem);
    expect(jwks.requests).toBeGreaterThan(before);
  });

  it('rejects a kid the JWKS does not list', async () => {
    jwks.keys.push(first, second);
    const resolver = new JwksKeyResolver(url);
    await expect(resolver.publicKeyFor(third.kid)).rejects.toBeInstanceOf(Error);
    expect(jwks.requests).toBeGreaterThan(0);
  });

  it('rejects a token without a kid when the JWKS holds several keys', async () => {
    jwks.keys.push(first, second);
    await expect(new JwksKeyResolver(url).publicKeyFor(undefined)).rejects.toBeInstanceOf(Error);
  });

  it('rejects when the JWKS endpoint fails', async () => {
    jwks.keys.push(first);
    const resolver = new JwksKeyResolver(url.replace('jwks.json', 'missing.json'));
    await expect(resolver.publicKeyFor(first.kid)).rejects.toBeInstanceOf(Error);
  });
});

@Controller('me')
class MeController {
  @Get()
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}

describe('AuthModule without a keyResolver', () => {
  const signing = generateKey('key-jwks-1');
  const rotated = generateKey('key-jwks-2');
  let jwks: JwksServer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    jwks = new JwksServer();
    jwks.keys.push(signing);
    const url = await jwks.start();

    @Module({
      imports: [AuthModule.forRoot({ jwksUrl: url, issuer: 'identity', audience: 'crm' })],
      controllers: [MeController],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    })
    class JwksAppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [JwksAppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await jwks?.stop();
  });

  const claims = () => {
    const iat = Math.floor(Date.now() / 1000);
    return { iss: 'identity', aud: 'crm', sub: 'user-1', org: 'org-1', role: 'manager', iat, exp: iat + 900 };
  };
  const call = (token: string) =>
    app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });

  it("verifies tokens against identity's JWKS", async () => {
    const res = await call(signRs256({ alg: 'RS256', kid: signing.kid }, claims(), signing.privateKey));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ userId: 'user-1', organizationId: 'org-1', role: 'manager' });
  });

  it('accepts a token signed with a key identity rotated in after start', async () => {
    const token = signRs256({ alg: 'RS256', kid: rotated.kid }, claims(), rotated.privateKey);
    expect((await call(token)).statusCode).toBe(401);
    jwks.keys.push(rotated);
    expect((await call(token)).statusCode).toBe(200);
  });

  it('refuses a token whose kid the JWKS does not list', async () => {
    const unknown = generateKey('key-unknown');
    const res = await call(signRs256({ alg: 'RS256', kid: unknown.kid }, claims(), unknown.privateKey));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'A valid access token is required' },
    });
  });
});
