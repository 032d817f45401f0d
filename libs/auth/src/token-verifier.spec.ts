import { UnauthorizedError } from '@flow-crm/http';
import * as jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { KeyResolver } from './key-resolver';
import { TokenVerifier } from './token-verifier';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ format: 'pem', type: 'spki' }).toString();
const OPTIONS = { issuer: 'flow-crm-identity', audience: 'flow-crm' };

class CountingKeys extends KeyResolver {
  calls = 0;
  async publicKeyFor(kid: string | undefined): Promise<string> {
    this.calls += 1;
    if (kid !== 'k1') throw new Error('unknown kid');
    return PUBLIC_PEM;
  }
}

function sign(claims: object, options: jwt.SignOptions = {}): string {
  return jwt.sign({ org: 'org-1', role: 'sales', sid: 'session-1', ...claims }, privateKey, {
    algorithm: 'RS256',
    keyid: 'k1',
    subject: 'user-1',
    expiresIn: 60,
    ...OPTIONS,
    ...options,
  });
}

describe('TokenVerifier', () => {
  it('answers the principal of a valid bearer token', async () => {
    const verifier = new TokenVerifier(new CountingKeys(), OPTIONS);
    await expect(verifier.verify(`Bearer ${sign({})}`)).resolves.toEqual({
      userId: 'user-1',
      organizationId: 'org-1',
      role: 'sales',
      sessionId: 'session-1',
    });
  });

  it('verifies a token once, then answers its next requests from memory', async () => {
    const keys = new CountingKeys();
    const verifier = new TokenVerifier(keys, OPTIONS);
    const header = `Bearer ${sign({})}`;
    await verifier.verify(header);
    await verifier.verify(header);
    await verifier.verify(header);
    expect(keys.calls).toBe(1);
  });

  it('never remembers a token whose signature failed', async () => {
    const keys = new CountingKeys();
    const verifier = new TokenVerifier(keys, OPTIONS);
    const [head, body, signature] = sign({}).split('.');
    const tampered = `Bearer ${head}.${body}.${signature!.slice(0, -4)}AAAA`;
    await expect(verifier.verify(tampered)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(verifier.verify(tampered)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(keys.calls).toBe(2);
  });

  it('stops answering a remembered token once it has expired', async () => {
    const verifier = new TokenVerifier(new CountingKeys(), OPTIONS);
    const now = Date.now();
    const spy = jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      const header = `Bearer ${sign({}, { expiresIn: 5 })}`;
      await verifier.verify(header);
      spy.mockReturnValue(now + 6_000);
      await expect(verifier.verify(header)).rejects.toBeInstanceOf(UnauthorizedError);
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['not a JWT', 'Bearer abc'],
    ['a wrong audience', `Bearer ${sign({}, { audience: 'someone-else' })}`],
    ['a wrong issuer', `Bearer ${sign({}, { issuer: 'someone-else' })}`],
    ['an unknown kid', `Bearer ${sign({}, { keyid: 'k2' })}`],
    ['an unknown role', `Bearer ${sign({ role: 'root' })}`],
    [
      'an HS256 token signed with the public key',
      `Bearer ${jwt.sign({ org: 'o', role: 'admin' }, PUBLIC_PEM, { algorithm: 'HS256', keyid: 'k1', subject: 'u', ...OPTIONS })}`,
    ],
  ])('refuses %s with 401', async (_what, header) => {
    const verifier = new TokenVerifier(new CountingKeys(), OPTIONS);
    await expect(verifier.verify(header)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
