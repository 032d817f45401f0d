import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { signRs256 } from './jwt';

export const ISSUER = 'flow-crm-identity';
export const AUDIENCE = 'flow-crm';

export type PrincipalRole = 'admin' | 'manager' | 'sales';

/** The claims identity puts in an access token, valid for five minutes. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: randomUUID(),
    org: randomUUID(),
    role: 'admin',
    sid: randomUUID(),
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 300,
    ...overrides,
  };
}

/** A user as a service behind the gateway sees it: who the token names, and the token itself. */
export interface Principal {
  readonly token: string;
  readonly userId: string;
  readonly organizationId: string;
  readonly role: PrincipalRole;
}

/**
 * Stands in for identity where only its tokens matter: an RSA key, the JWKS that services verify
 * tokens against (served at any path, so any JWKS_URL on the server works), and access tokens
 * signed with the key.
 */
export class FakeIssuer {
  private constructor(
    private readonly server: Server,
    private readonly url: string,
    private readonly privateKey: KeyObject,
    readonly kid: string,
  ) {}

  static async start(): Promise<FakeIssuer> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const body = JSON.stringify({
      keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
    });
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    return new FakeIssuer(server, `http://127.0.0.1:${port}`, privateKey, kid);
  }

  get jwksUrl(): string {
    return `${this.url}/api/auth/jwks.json`;
  }

  /** An access token of a fresh user (or of the user `sub` names). */
  token(claims: Record<string, unknown> = {}): string {
    return signRs256({ kid: this.kid }, accessClaims(claims), this.privateKey);
  }

  /** A user of `org` (a fresh organization when left out) with `role` (admin by default), and its token. */
  user(options: { org?: string; role?: PrincipalRole; sub?: string } = {}): Principal {
    const userId = options.sub ?? randomUUID();
    const organizationId = options.org ?? randomUUID();
    const role = options.role ?? 'admin';
    return { token: this.token({ sub: userId, org: organizationId, role }), userId, organizationId, role };
  }

  async close(): Promise<void> {
    // Services keep their JWKS connections alive; close() alone would wait for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
