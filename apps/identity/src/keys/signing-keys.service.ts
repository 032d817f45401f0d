import { KeyResolver, type AccessTokenClaims } from '@flow-crm/auth';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as jwt from 'jsonwebtoken';
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { v7 } from 'uuid';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { SigningKey } from './signing-key.entity';

/** Serialises key generation between identity instances starting at once. */
const KEY_GENERATION_LOCK = 7_261_101;
/** An unknown `kid` reloads the keys at most this often: forged kids must not hammer the database. */
const RELOAD_INTERVAL_MS = 10_000;

export interface PublicJwks {
  keys: (JsonWebKey & { kid: string; alg: string; use: 'sig' })[];
}

/**
 * The RS256 keys identity signs access tokens with. A key is generated on first start and kept in
 * the database; `rotate()` adds a newer one that signs from then on while the older ones stay in
 * the JWKS until retired, so tokens already issued keep verifying.
 */
@Injectable()
export class SigningKeys extends KeyResolver implements OnModuleInit {
  private keys: SigningKey[] = [];
  private loadedAt = 0;
  /** Public keys as PEM, converted once per key rather than on every request. */
  private readonly pems = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.load();
    if (this.keys.length === 0) await this.rotate();
  }

  /** Generates a new signing key, which signs every token from now on. */
  async rotate(): Promise<SigningKey> {
    const key = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_GENERATION_LOCK]);
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return manager.save(
        manager.create(SigningKey, {
          kid: v7(),
          algorithm: 'RS256',
          publicJwk: publicKey.export({ format: 'jwk' }),
          privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
          retiredAt: null,
        }),
      );
    });
    await this.load();
    return key;
  }

  /** Removes a key from the JWKS: tokens it signed stop verifying. */
  async retire(kid: string): Promise<void> {
    await this.dataSource.getRepository(SigningKey).update({ kid }, { retiredAt: new Date() });
    await this.load();
  }

  jwks(): PublicJwks {
    return {
      keys: this.keys.map((key) => ({
        ...key.publicJwk,
        kid: key.kid,
        alg: key.algorithm,
        use: 'sig' as const,
      })),
    };
  }

  sign(claims: AccessTokenClaims & { sid: string }): { token: string; expiresIn: number } {
    const key = this.keys[0];
    if (!key) throw new Error('no signing key loaded');
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const { sub, ...rest } = claims;
    const token = jwt.sign(rest, key.privateKeyPem, {
      algorithm: 'RS256',
      keyid: key.kid,
      subject: sub,
      issuer: this.config.JWT_ISSUER,
      audience: this.config.JWT_AUDIENCE,
      expiresIn,
      jwtid: v7(),
    });
    return { token, expiresIn };
  }

  /** Verification keys for identity's own routes: no HTTP round trip to itself. */
  async publicKeyFor(kid: string | undefined): Promise<string> {
    let key = this.keys.find((k) => k.kid === kid);
    if (!key && kid && Date.now() - this.loadedAt > RELOAD_INTERVAL_MS) {
      await this.load(); // another instance may have rotated
      key = this.keys.find((k) => k.kid === kid);
    }
    if (!key) throw new Error(`unknown signing key ${kid}`);
    let pem = this.pems.get(key.kid);
    if (!pem) {
      pem = createPublicKey({ key: key.publicJwk as never, format: 'jwk' })
        .export({ format: 'pem', type: 'spki' })
        .toString();
      this.pems.set(key.kid, pem);
    }
    return pem;
  }

  private async load(): Promise<void> {
    this.keys = await this.dataSource
      .getRepository(SigningKey)
      .find({ where: { retiredAt: IsNull() }, order: { createdAt: 'DESC', kid: 'DESC' } });
    this.loadedAt = Date.now();
  }
}
