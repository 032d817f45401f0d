import { TestRun } from '@flow-crm/testing';
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  randomUUID,
  verify,
} from 'node:crypto';
import {
  base64url,
  decodeJwt,
  expectError,
  expectOk,
  IdentityDb,
  IdentityHttp,
  type Registered,
  signRs256,
  sleep,
} from './http';
import { type RunningIdentity, startIdentity } from './identity-app';

describe('identity: JWKS and access token verification', () => {
  let run: TestRun;
  let identity: RunningIdentity;
  let http: IdentityHttp;
  let admin: Registered;
  let signingKey: { kid: string; privateKeyPem: string };

  beforeAll(async () => {
    run = await TestRun.create();
    identity = await startIdentity(run);
    http = new IdentityHttp(identity.url);
    admin = await http.register();
    const db = await IdentityDb.open(identity);
    try {
      const [key] = await db.query<{ kid: string; private_key_pem: string }>(
        'SELECT kid, private_key_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
      );
      signingKey = { kid: key.kid, privateKeyPem: key.private_key_pem };
    } finally {
      await db.close();
    }
  });

  afterAll(async () => {
    await identity?.close();
    await run?.cleanup();
  });

  const jwks = async (): Promise<{ keys: (JsonWebKey & { kid: string; alg: string; use: string })[] }> => {
    const res = await http.api('GET', '/api/auth/jwks.json');
    expect(res.status).toBe(200);
    return res.body;
  };

  /** The claims identity itself would put in the admin's token, valid for five minutes. */
  const claims = (overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: admin.user.id,
      org: admin.organization.id,
      role: 'admin',
      sid: randomUUID(),
      iss: identity.config.JWT_ISSUER,
      aud: identity.config.JWT_AUDIENCE,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      ...overrides,
    };
  };
  const signWithRealKey = (payload: object, header: object = { kid: signingKey.kid }) =>
    signRs256(header, payload, signingKey.privateKeyPem);
  const me = (token: string) => http.api('GET', '/api/auth/me', { token });

  describe('GET /api/auth/jwks.json', () => {
    it('publishes the RSA public key that signs tokens, bare (not in a data envelope) and without a token', async () => {
      const { keys, ...rest } = await jwks();
      expect(rest).toEqual({});
      expect(keys.length).toBeGreaterThanOrEqual(1);
      const kid = decodeJwt(admin.token).header.kid;
      const key = keys.find((k) => k.kid === kid);
      expect(key).toEqual({ kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: expect.any(String), e: 'AQAB' });
      expect(Buffer.from(key!.n!, 'base64url').length).toBeGreaterThanOrEqual(256); // 2048-bit modulus
    });

    it('never publishes private key members', async () => {
      const { keys } = await jwks();
      for (const key of keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'])
          expect(key).not.toHaveProperty(member);
      }
      const text = (await http.api('GET', '/api/auth/jwks.json')).text;
      expect(text).not.toMatch(/PRIVATE KEY/);
    });

    it('verifies the tokens identity issues, with node:crypto', async () => {
      const { keys } = await jwks();
      const [header, payload, signature] = admin.token.split('.');
      const jwk = keys.find((k) => k.kid === decodeJwt(admin.token).header.kid)!;
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
      expect(
        verify(
          'RSA-SHA256',
          Buffer.from(`${header}.${payload}`),
          publicKey,
          Buffer.from(signature, 'base64url'),
        ),
      ).toBe(true);
      const tampered = base64url({ ...decodeJwt(admin.token).payload, role: 'sales' });
      expect(
        verify(
          'RSA-SHA256',
          Buffer.from(`${header}.${tampered}`),
          publicKey,
          Buffer.from(signature, 'base64url'),
        ),
      ).toBe(false);
    });

    it('is served to a caller with a broken Authorization header too (public route)', async () => {
      const res = await http.api('GET', '/api/auth/jwks.json', {
        headers: { authorization: 'Bearer garbage' },
      });
      expect(res.status).toBe(200);
    });
  });

  describe('access tokens', () => {
    it('accepts a token signed with identity key and the right claims (the forgeries below differ from it in one way)', async () => {
      expect(expectOk(await me(signWithRealKey(claims()))).id).toBe(admin.user.id);
    });

    const forgeries: [string, () => string | Promise<string>][] = [
      ['no token at all', () => ''],
      ['a token that is not a JWT', () => 'not-a-jwt'],
      [
        'a tampered signature',
        () => {
          const [header, payload, signature] = admin.token.split('.');
          const bytes = Buffer.from(signature, 'base64url');
          bytes[10] ^= 0x01;
          return `${header}.${payload}.${bytes.toString('base64url')}`;
        },
      ],
      [
        'a tampered payload (role raised) under the original signature',
        async () => {
          const sales = await http.createUser(admin.token, { role: 'sales' });
          const [header, , signature] = sales.token.split('.');
          return `${header}.${base64url({ ...decodeJwt(sales.token).payload, role: 'admin' })}.${signature}`;
        },
      ],
      [
        'alg: none without a signature',
        () => `${base64url({ alg: 'none', typ: 'JWT', kid: signingKey.kid })}.${base64url(claims())}.`,
      ],
      ['alg: None', () => `${base64url({ alg: 'None', typ: 'JWT' })}.${base64url(claims())}.`],
      [
        'HS256 signed with the public key PEM (algorithm confusion)',
        async () => {
          const { keys } = await jwks();
          const pem = createPublicKey({
            key: keys.find((k) => k.kid === signingKey.kid)!,
            format: 'jwk',
          }).export({ type: 'spki', format: 'pem' });
          const input = `${base64url({ alg: 'HS256', typ: 'JWT', kid: signingKey.kid })}.${base64url(claims())}`;
          return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
        },
      ],
      [
        'an expired token',
        () =>
          signWithRealKey(
            claims({ iat: Math.floor(Date.now() / 1000) - 1_000, exp: Math.floor(Date.now() / 1000) - 10 }),
          ),
      ],
      [
        'a token not valid yet (nbf in the future)',
        () => signWithRealKey(claims({ nbf: Math.floor(Date.now() / 1000) + 600 })),
      ],
      ['an unknown kid', () => signWithRealKey(claims(), { kid: randomUUID() })],
      ['no kid', () => signWithRealKey(claims(), {})],
      [
        'another key under identity kid',
        () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          return signRs256(
            { kid: signingKey.kid },
            claims(),
            privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          );
        },
      ],
      ['the wrong audience', () => signWithRealKey(claims({ aud: 'some-other-api' }))],
      ['the wrong issuer', () => signWithRealKey(claims({ iss: 'https://evil.example.com' }))],
      ['no issuer', () => signWithRealKey(claims({ iss: undefined }))],
      ['an unknown role', () => signWithRealKey(claims({ role: 'superadmin' }))],
      ['no organization claim', () => signWithRealKey(claims({ org: undefined }))],
      ['no subject', () => signWithRealKey(claims({ sub: undefined }))],
    ];

    it.each(forgeries)('answers 401 UNAUTHORIZED to %s', async (_what, forge) => {
      const token = await forge();
      const error = expectError(await me(token), 401);
      expect(error).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) });
    });

    it('stops accepting a token it issued once the configured lifetime has passed', async () => {
      const shortLived = await startIdentity(run, { ACCESS_TOKEN_TTL_SECONDS: '1' });
      try {
        const client = new IdentityHttp(shortLived.url);
        // `exp` is `iat` + 1 in whole seconds: log in early in a second so that the token is still valid at once.
        if (Date.now() % 1_000 > 500) await sleep(1_000 - (Date.now() % 1_000) + 10);
        const session = await client.login(admin.email, admin.password);
        expect(session.expiresIn).toBe(1);
        expectOk(await client.api('GET', '/api/auth/me', { token: session.token }));
        await sleep(2_100);
        expectError(await client.api('GET', '/api/auth/me', { token: session.token }), 401);
        expectError(await me(session.token), 401);
      } finally {
        await shortLived.close();
      }
    });

    it('answers 401 to a token in the query string or under another scheme', async () => {
      expectError(await http.api('GET', `/api/auth/me?access_token=${admin.token}`), 401);
      expectError(
        await http.api('GET', '/api/auth/me', { headers: { authorization: `Basic ${admin.token}` } }),
        401,
      );
    });

    it('answers 401 on every protected route, not only /me', async () => {
      const forged = signWithRealKey(claims({ aud: 'some-other-api' }));
      const routes: [string, string][] = [
        ['GET', '/api/users'],
        ['POST', '/api/users'],
        ['GET', `/api/users/${admin.user.id}`],
        ['PATCH', `/api/users/${admin.user.id}`],
        ['GET', '/api/teams'],
        ['POST', '/api/teams'],
        ['PUT', '/api/auth/me'],
        ['PUT', '/api/auth/password'],
        ['POST', '/api/auth/logout'],
        ['POST', '/api/auth/2fa/setup'],
      ];
      for (const [method, path] of routes) {
        const body = method === 'GET' ? undefined : {};
        expectError(await http.api(method, path, { token: forged, body }), 401);
        expectError(await http.api(method, path, { body }), 401);
      }
    });
  });
});
