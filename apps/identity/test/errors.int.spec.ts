import {
  expectError,
  expectNoLeak,
  IdentityHttp,
  leaksIn,
  strongPassword,
  uniqueEmail,
  useIdentity,
} from './http';

describe('identity: request bodies and error answers', () => {
  const fixture = useIdentity();
  let http: IdentityHttp;
  beforeAll(() => ({ http } = fixture));

  const registerBody = (overrides: Record<string, unknown> = {}) => ({
    email: uniqueEmail('errors'),
    password: strongPassword(),
    name: 'Error Prone',
    organizationName: 'Errors Inc',
    ...overrides,
  });

  it('answers 400 BAD_REQUEST with the error shape, and no parser details, for malformed JSON', async () => {
    const res = await http.api('POST', '/api/auth/login', {
      body: '{"email": "a@example.com", "password":',
      raw: true,
    });
    const error = expectError(res, 400);
    expect(error.message).not.toMatch(/JSON|Unexpected|position|token/i);
  });

  it('recognizes the leaks it looks for (the checks can fail)', () => {
    const leaky = [
      'QueryFailedError: duplicate key value violates unique constraint "users_email_key"',
      'at UsersService.insert (/work/main/apps/identity/src/users/users.service.ts:80:13)',
      'INSERT INTO "users" ("id") VALUES ($1)',
      'column "nme" does not exist',
    ];
    for (const text of leaky)
      expect(leaksIn({ error: { code: 'INTERNAL_ERROR', message: text } })).not.toEqual([]);
    expect(
      leaksIn({ error: { code: 'CONFLICT', message: 'An account with this e-mail already exists' } }),
    ).toEqual([]);
  });

  it('answers 400 with the error shape for an empty JSON body', async () => {
    expectError(
      await http.api('POST', '/api/auth/login', {
        body: '',
        raw: true,
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MB', async () => {
    const res = await http.api('POST', '/api/auth/login', {
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(1_100_000) }),
      raw: true,
    });
    expectError(res, 413);
  });

  it('answers 404 with the error shape for an unknown route', async () => {
    expectError(await http.api('GET', '/api/auth/nothing-here'), 404);
    expectError(await http.api('DELETE', '/api/auth/me', { token: (await http.register()).token }), 404);
  });

  it.each([
    ['a JSON array', [1, 2]],
    ['a JSON string', 'hello'],
    ['a JSON number', 42],
    ['null', null],
    ['an operator object as password', { email: 'a@example.com', password: { $ne: null } }],
  ])('answers a 4xx, never a 5xx, to %s as login body', async (_what, body) => {
    const res = await http.api('POST', '/api/auth/login', { body: JSON.stringify(body), raw: true });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectError(res, res.status);
  });

  it('answers 422, not 500, to text with a NUL character, and leaks nothing', async () => {
    const admin = await http.register();
    const answers = [
      await http.api('POST', '/api/auth/register', { body: registerBody({ name: 'Nul\u0000Name' }) }),
      await http.api('PUT', '/api/auth/me', { token: admin.token, body: { name: 'Nul\u0000Name' } }),
      await http.api('POST', '/api/teams', { token: admin.token, body: { name: 'Nul\u0000Team' } }),
      await http.api('GET', '/api/users?search=%00', { token: admin.token }),
    ];
    for (const res of answers) expectNoLeak(res);
    expect(answers.map((res) => `${res.request} → ${res.status}`)).toEqual(
      answers.map((res) => `${res.request} → 422`),
    );
    for (const res of answers) expectError(res, 422);
    expect((await http.me(admin.token)).name).toBe(admin.user.name);
  });

  it('never leaks internals in the body of a 500', async () => {
    // A null name is not validated (see the profile tests); whatever the status, the body is clean.
    const admin = await http.register();
    const res = await http.api('PUT', '/api/auth/me', { token: admin.token, body: { name: null } });
    expectNoLeak(res);
    expect(res.body).toEqual({
      error: {
        code: expect.any(String),
        message: expect.any(String),
        ...(res.body.error.details ? { details: expect.any(Array) } : {}),
      },
    });
    if (res.status === 500)
      expect(res.body.error).toEqual({ code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' });
  });
});
