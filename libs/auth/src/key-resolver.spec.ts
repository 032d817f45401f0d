import { generateKeyPairSync } from 'node:crypto';
import { KeyResolver } from './key-resolver';

const pem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ format: 'pem', type: 'spki' })
    .toString();

class FixedKeys extends KeyResolver {
  constructor(private readonly byKid: Record<string, string>) {
    super();
  }

  async publicKeyFor(kid: string | undefined): Promise<string> {
    const key = kid && this.byKid[kid];
    if (!key) throw new Error('unknown kid');
    return key;
  }
}

describe('KeyResolver.verificationKeyFor', () => {
  const [first, second] = [pem(), pem()];
  const keys = new FixedKeys({ k1: first, k2: second, again: first });

  it('parses a key once and gives the same key object for the same PEM', async () => {
    const key = await keys.verificationKeyFor('k1');
    expect(key.type).toBe('public');
    expect(key.export({ format: 'pem', type: 'spki' }).toString()).toBe(first);
    expect(await keys.verificationKeyFor('k1')).toBe(key);
    expect(await keys.verificationKeyFor('again')).toBe(key);
  });

  it('gives another key for another PEM', async () => {
    const key = await keys.verificationKeyFor('k2');
    expect(key.export({ format: 'pem', type: 'spki' }).toString()).toBe(second);
    expect(key).not.toBe(await keys.verificationKeyFor('k1'));
  });

  it('rejects when the kid is unknown', async () => {
    await expect(keys.verificationKeyFor('k3')).rejects.toThrow('unknown kid');
  });
});
