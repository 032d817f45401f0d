import { accessClaims, base64url, decodeJwt, signRs256 } from '@flow-crm/testing';
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { FakeUpstream } from './fakes';
import {
  expectError,
  expectOk,
  identitySigningKey,
  metricSample,
  register,
  type Registered,
  show,
  strongPassword,
  uniqueEmail,
  useStack,
} from './harness';

const TOKEN_REQUIRED = 'A valid access token is required';

/**
 * The token check and the failed-login limit of the gateway, with identity running as its own
 * process behind it and a fake upstream (ai) that shows what the gateway let through.
 */
describe('gateway auth in front of identity', () => {
  let ai: FakeUpstream;
  beforeAll(async () => {
    ai = await FakeUpstream.start();
  });
  afterAll(async () => {
    await ai?.close();
  });

  const stack = useStack({ config: { LOGIN_FAILURES_PER_MINUTE: '3' }, upstreams: () => ({ ai: ai.url }) });
  let admin: Registered;
  let signingKey: { kid: string; privateKeyPem: string };

  beforeAll(async () => {
    admin = await register(stack.http);
    signingKey = await identitySigningKey(stack.run);
  });

  /** The claims identity would put in the admin's token. */
  const adminClaims = (overrides: Record<string, unknown> = {}) =>
    accessClaims({ sub: admin.user.id, org: admin.organization.id, role: 'admin', ...overrides });
  const signWithIdentityKey = (payload: object, header: object = { kid: signingKey.kid }) =>
    signRs256(header, payload, signingKey.privateKeyPem);

  describe('public and protected routes', () => {
    it('lets the public routes of the contract through without a token', async () => {
      const email = uniqueEmail('public');
      const password = strongPassword();
      const registered = expectOk(
        await stack.http.post('/api/auth/register', {
          email,
          password,
          name: 'Pub',
          organizationName: 'Pub Org',
        }),
        201,
      );
      const session = expectOk(await stack.http.post('/api/auth/login', { email, password }));
      expectOk(await stack.http.post('/api/auth/refresh', { refreshToken: registered.refreshToken }));
      expect(session.token).toEqual(expect.any(String));
      expect((await stack.http.post('/api/auth/forgot-password', { email })).status).toBe(202);
      const jwks = await stack.http.get('/api/auth/jwks.json');
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys).toEqual(
        expect.arrayContaining([expect.objectContaining({ kid: signingKey.kid })]),
      );
      // Refused by identity itself, for what the body says: the gateway let them through.
      const verify = await stack.http.post('/api/auth/2fa/verify', {
        challengeToken: 'nope',
        code: '123456',
      });
      expect([400, 401, 422]).toContain(verify.status);
      expect(verify.body.error.message).not.toBe(TOKEN_REQUIRED);
      const reset = await stack.http.post('/api/auth/reset-password', {
        token: 'nope',
        password: strongPassword(),
      });
      expect([400, 401, 404, 410, 422]).toContain(reset.status);
      expect(reset.body.error.message).not.toBe(TOKEN_REQUIRED);
    });

    it('refuses every other route without a token with 401, before any service sees it', async () => {
      const before = ai.requests.length;
      for (const [method, path] of [
        ['GET', '/api/auth/me'],
        ['PUT', '/api/auth/me'],
        ['POST', '/api/auth/logout'],
        ['GET', '/api/users'],
        ['POST', '/api/teams'],
        ['GET', '/api/auth/login'],
        ['GET', '/api/ai/score'],
        ['POST', '/api/ai/score'],
      ] as const) {
        const res = await stack.http.call(method, path, { body: method === 'GET' ? undefined : {} });
        expect(expectError(res, 401).message).toBe(TOKEN_REQUIRED);
      }
      expect(ai.requests.length).toBe(before);
    });

    it('forwards a request with a valid token to its service', async () => {
      const me = expectOk(await stack.http.get('/api/auth/me', { token: admin.token }));
      expect(me).toEqual(expect.objectContaining({ id: admin.user.id, email: admin.email }));
      expectOk(await stack.http.get('/api/ai/score', { token: admin.token }));
      expect(ai.requests.at(-1)!.headers.authorization).toBe(`Bearer ${admin.token}`);
    });
  });

  describe('tokens the gateway refuses', () => {
    const forged: [string, () => string][] = [
      ['a token that is not a JWT', () => 'not-a-jwt'],
      ['three junk parts', () => 'abc.def.ghi'],
      ['two parts only', () => admin.token.split('.').slice(0, 2).join('.')],
      [
        'a tampered signature',
        () => {
          const [head, body, signature] = admin.token.split('.');
          const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
          return `${head}.${body}.${flipped}`;
        },
      ],
      [
        'claims changed under the original signature',
        () => {
          const { header, signature } = decodeJwt(admin.token);
          return `${base64url(header)}.${base64url(adminClaims({ org: randomUUID() }))}.${signature}`;
        },
      ],
      [
        'alg none with an empty signature',
        () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(adminClaims())}.`,
      ],
      [
        'alg none keeping the original signature',
        () =>
          `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(decodeJwt(admin.token).payload)}.${decodeJwt(admin.token).signature}`,
      ],
      ['alg NONE', () => `${base64url({ alg: 'NONE', typ: 'JWT' })}.${base64url(adminClaims())}.`],
      [
        'HS256 signed with the published public key',
        () => {
          const { header, payload } = decodeJwt(admin.token);
          const jwk = { ...(createPublicKey(signingKey.privateKeyPem).export({ format: 'jwk' }) as object) };
          const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
          const input = `${base64url({ ...header, alg: 'HS256' })}.${base64url(payload)}`;
          return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
        },
      ],
      [
        'an expired token signed with identity’s key',
        () => {
          const now = Math.floor(Date.now() / 1000);
          return signWithIdentityKey(adminClaims({ iat: now - 1_000, exp: now - 10 }));
        },
      ],
      [
        'a token of another issuer',
        () => signWithIdentityKey(adminClaims({ iss: 'https://evil.example.com' })),
      ],
      ['a token for another audience', () => signWithIdentityKey(adminClaims({ aud: 'another-api' }))],
      ['an unknown kid', () => signWithIdentityKey(adminClaims(), { kid: randomUUID() })],
      [
        'another key under identity’s kid',
        () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          return signRs256({ kid: signingKey.kid }, adminClaims(), privateKey);
        },
      ],
      ['an unknown role', () => signWithIdentityKey(adminClaims({ role: 'superadmin' }))],
    ];

    it.each(forged)(
      'refuses %s with 401 on identity’s routes and on other services’ alike',
      async (_what, make) => {
        const token = make();
        const before = ai.requests.length;
        for (const path of ['/api/auth/me', '/api/users', '/api/ai/score']) {
          const res = await stack.http.get(path, { token });
          expect(expectError(res, 401).message).toBe(TOKEN_REQUIRED);
        }
        expect(ai.requests.length).toBe(before);
      },
    );

    it.each([
      ['no scheme', () => admin.token],
      [
        'the Basic scheme',
        () => `Basic ${Buffer.from(`${admin.email}:${admin.password}`).toString('base64')}`,
      ],
      ['an empty Bearer', () => 'Bearer '],
      ['two tokens', () => `Bearer ${admin.token} ${admin.token}`],
    ])('refuses an Authorization header with %s', async (_what, header) => {
      const res = await stack.http.get('/api/ai/score', { headers: { authorization: header() } });
      expectError(res, 401);
    });

    it('accepts a token identity would issue, signed by the test with identity’s key (control)', async () => {
      expectOk(await stack.http.get('/api/ai/score', { token: signWithIdentityKey(adminClaims()) }));
    });
  });

  describe('failed logins', () => {
    const attempt = (email: string, password: string) =>
      stack.http.post('/api/auth/login', { email, password });

    it('refuses a fourth failed login for one e-mail with 429 and Retry-After, even with the right password', async () => {
      const victim = await register(stack.http);
      for (let i = 0; i < 3; i += 1)
        expectError(await attempt(victim.email, `${victim.password}-wrong-${i}`), 401);
      for (const password of ['still-wrong', victim.password]) {
        const refused = await attempt(victim.email, password);
        expectError(refused, 429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      }
      // Counted per e-mail, whatever its case and spaces.
      expectError(await attempt(` ${victim.email.toUpperCase()} `, victim.password), 429);
      const metrics = await stack.gateway.metrics();
      expect(metricSample(metrics, 'gateway_rate_limited_total', { limit: 'login' })).toBeGreaterThanOrEqual(
        3,
      );
    });

    it('lets another account log in from the same client meanwhile', async () => {
      const victim = await register(stack.http);
      for (let i = 0; i < 4; i += 1) await attempt(victim.email, 'Wrong-password-1');
      expectError(await attempt(victim.email, victim.password), 429);
      const other = await register(stack.http);
      expectOk(await attempt(other.email, other.password));
    });

    it('lets no more failed logins than the limit through when they arrive at the same time', async () => {
      const victim = await register(stack.http);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => attempt(victim.email, `Wrong-password-${i}`)),
      );
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
    });

    it('does not count successful logins', async () => {
      const user = await register(stack.http);
      for (let i = 0; i < 5; i += 1) expectOk(await attempt(user.email, user.password));
    });

    it.each(['/api/auth/%6Cogin', '/api/auth/%6c%6f%67%69%6e'])(
      'counts failed logins sent to the login route spelled %s',
      async (path) => {
        // identity decodes these paths to its login route and answers them as logins. Anyone may
        // register and so hold a token: it must not buy unlimited guesses at another user's password.
        const victim = await register(stack.http);
        const statuses: number[] = [];
        for (let i = 0; i < 4; i += 1) {
          const res = await stack.http.rawPath('POST', path, {
            token: admin.token,
            body: { email: victim.email, password: `Wrong-password-${i}` },
          });
          statuses.push(res.status);
        }
        expect([statuses, show(await attempt(victim.email, victim.password))]).toEqual([
          [401, 401, 401, 429],
          expect.stringMatching(/→ 429 /),
        ]);
      },
    );
  });
});
