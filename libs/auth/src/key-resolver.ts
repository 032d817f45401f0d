import { JwksClient } from 'jwks-rsa';
import { createPublicKey, type KeyObject } from 'node:crypto';

/** More keys than a rotation ever keeps published at once. */
const PARSED_KEYS = 16;

/**
 * Finds the public key (PEM) that verifies a token with the given `kid`. Every service but
 * identity resolves keys from identity's JWKS; identity reads its own key store.
 */
export abstract class KeyResolver {
  private readonly parsed = new Map<string, KeyObject>();

  abstract publicKeyFor(kid: string | undefined): Promise<string>;

  /**
   * The key parsed once: given a PEM, jsonwebtoken parses it again for every token, which cost a
   * service about 7 % of its CPU per request.
   */
  async verificationKeyFor(kid: string | undefined): Promise<KeyObject> {
    const pem = await this.publicKeyFor(kid);
    let key = this.parsed.get(pem);
    if (!key) {
      if (this.parsed.size >= PARSED_KEYS) this.parsed.clear();
      key = createPublicKey(pem);
      this.parsed.set(pem, key);
    }
    return key;
  }
}

/** Keys from a JWKS URL: cached, refetched (rate-limited) when a token names an unknown `kid`. */
export class JwksKeyResolver extends KeyResolver {
  private readonly client: JwksClient;

  constructor(jwksUri: string) {
    super();
    this.client = new JwksClient({
      jwksUri,
      cache: true,
      cacheMaxEntries: 10,
      cacheMaxAge: 10 * 60 * 1000,
      rateLimit: true,
      jwksRequestsPerMinute: 30,
      timeout: 5_000,
    });
  }

  async publicKeyFor(kid: string | undefined): Promise<string> {
    if (!kid) throw new Error('the token names no key');
    return (await this.client.getSigningKey(kid)).getPublicKey();
  }
}
