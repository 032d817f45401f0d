import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { Agent, get } from 'node:http';
import { decodeJwt } from './jwt';
import { AUDIENCE, FakeIssuer, ISSUER } from './token-issuer';

describe('FakeIssuer', () => {
  let issuer: FakeIssuer;
  beforeAll(async () => {
    issuer = await FakeIssuer.start();
  });
  afterAll(async () => {
    await issuer?.close();
  });

  const jwks = async (url: string) => (await (await fetch(url)).json()) as { keys: JsonWebKey[] };

  /** Checks the RS256 signature against the key the JWKS publishes under the token's kid. */
  async function verified(token: string): Promise<boolean> {
    const { header } = decodeJwt(token);
    const key = (await jwks(issuer.jwksUrl)).keys.find((k) => k.kid === header.kid);
    if (!key) return false;
    const [head, payload, signature] = token.split('.');
    return verify(
      'RSA-SHA256',
      Buffer.from(`${head}.${payload}`),
      createPublicKey({ key, format: 'jwk' }),
      Buffer.from(signature!, 'base64url'),
    );
  }

  it('serves its public key as a JWKS at any path', async () => {
    const { keys } = await jwks(issuer.jwksUrl);
    expect(keys).toEqual([
      expect.objectContaining({ kty: 'RSA', kid: issuer.kid, alg: 'RS256', use: 'sig' }),
    ]);
    expect(keys[0]).not.toHaveProperty('d');
    expect(await jwks(new URL('/.well-known/jwks.json', issuer.jwksUrl).toString())).toEqual({ keys });
  });

  it('signs access tokens with the claims identity gives, valid for five minutes', async () => {
    const token = issuer.token({ role: 'sales' });
    expect(await verified(token)).toBe(true);
    const { header, payload } = decodeJwt(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: issuer.kid });
    expect(payload).toEqual({
      sub: expect.any(String),
      org: expect.any(String),
      role: 'sales',
      sid: expect.any(String),
      iss: ISSUER,
      aud: AUDIENCE,
      iat: expect.any(Number),
      exp: payload.iat + 300,
    });
  });

  it('names a fresh user per token unless told which', () => {
    expect(decodeJwt(issuer.token()).payload.sub).not.toBe(decodeJwt(issuer.token()).payload.sub);
    expect(decodeJwt(issuer.token({ sub: 'u-1' })).payload.sub).toBe('u-1');
  });

  it('gives a principal whose token names it', async () => {
    const admin = issuer.user();
    expect(admin.role).toBe('admin');
    const sales = issuer.user({ org: admin.organizationId, role: 'sales' });
    expect(sales.organizationId).toBe(admin.organizationId);
    expect(sales.userId).not.toBe(admin.userId);
    expect(issuer.user({ sub: 'u-2' }).userId).toBe('u-2');
    expect(await verified(sales.token)).toBe(true);
    expect(decodeJwt(sales.token).payload).toMatchObject({
      sub: sales.userId,
      org: sales.organizationId,
      role: 'sales',
    });
  });

  it('closes at once even while a client keeps its connection alive', async () => {
    const other = await FakeIssuer.start();
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) =>
        get(other.jwksUrl, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
      );
      const started = Date.now();
      await other.close();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      agent.destroy();
    }
  });
});
