import { type JsonWebKey } from 'node:crypto';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An RS256 key pair. The newest active key signs; every key not retired is published in the JWKS. */
@Entity('signing_keys')
export class SigningKey {
  @PrimaryColumn('text')
  kid: string;

  @Column('text')
  algorithm: 'RS256';

  @Column('jsonb')
  publicJwk: JsonWebKey;

  @Column('text')
  privateKeyPem: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** Set once tokens signed with this key can no longer be valid; it then leaves the JWKS. */
  @Column('timestamptz', { nullable: true })
  retiredAt: Date | null;
}
