import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type OneTimeTokenPurpose = 'password_reset' | 'login_challenge';

/**
 * A single-use, expiring secret handed to a user: a password-reset token (by e-mail) or the
 * challenge that links a login's two steps when 2FA is on. Stored as a SHA-256 hash.
 */
@Entity('one_time_tokens')
export class OneTimeToken {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  purpose: OneTimeTokenPurpose;

  @Column('uuid')
  userId: string;

  @Column('text')
  tokenHash: string;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;

  /** Wrong codes tried against a login challenge; it dies after MAX_CHALLENGE_ATTEMPTS. */
  @Column('int', { default: 0 })
  attempts: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
