import { type Role } from '@flow-crm/auth';
import { AggregateRoot } from '@flow-crm/db';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface UserPreferences {
  theme: 'light' | 'dark' | 'system';
  notificationsEnabled: boolean;
  timezone: string;
  language: string;
}

export const DEFAULT_PREFERENCES: UserPreferences = {
  theme: 'light',
  notificationsEnabled: true,
  timezone: 'UTC',
  language: 'en',
};

@Entity('users')
export class User extends AggregateRoot {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  /** Stored lower-case; unique across organizations because login is by e-mail alone. */
  @Column('text')
  email: string;

  @Column('text')
  passwordHash: string;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  avatarUrl: string | null;

  @Column('text')
  role: Role;

  @Column('boolean', { default: true })
  isActive: boolean;

  @Column('boolean', { default: false })
  twoFactorEnabled: boolean;

  @Column('text', { nullable: true })
  twoFactorSecret: string | null;

  /** Set by 2FA setup, promoted to `twoFactorSecret` when the user proves they hold it. */
  @Column('text', { nullable: true })
  twoFactorPendingSecret: string | null;

  /** The last TOTP time step accepted: a code is never accepted twice (RFC 6238 §5.2). */
  @Column('bigint', {
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  twoFactorLastStep: number | null;

  @Column('jsonb')
  preferences: UserPreferences;

  @Column('timestamptz', { nullable: true })
  lastLoginAt: Date | null;
}
