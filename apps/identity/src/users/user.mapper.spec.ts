import { User } from './user.entity';
import { toUserResponse, toUserSnapshot } from './user.mapper';

const SECRETS = {
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
  twoFactorSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  twoFactorPendingSecret: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
};

function userWithSecrets(overrides: Partial<User> = {}): User {
  return Object.assign(new User(), {
    id: '0190a8c4-0000-7000-8000-000000000001',
    organizationId: '0190a8c4-0000-7000-8000-000000000002',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    avatarUrl: 'https://example.com/ada.png',
    role: 'manager',
    isActive: true,
    twoFactorEnabled: true,
    twoFactorLastStep: 58_000_000,
    preferences: { theme: 'dark', notificationsEnabled: false, timezone: 'Europe/London', language: 'en' },
    lastLoginAt: new Date('2025-06-01T10:00:00.000Z'),
    version: 7,
    createdAt: new Date('2025-01-01T00:00:00.000Z'),
    updatedAt: new Date('2025-06-01T10:00:00.000Z'),
    ...SECRETS,
    ...overrides,
  });
}

describe('toUserResponse', () => {
  it('has exactly the fields of the contract', () => {
    expect(toUserResponse(userWithSecrets())).toEqual({
      id: '0190a8c4-0000-7000-8000-000000000001',
      organizationId: '0190a8c4-0000-7000-8000-000000000002',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      avatarUrl: 'https://example.com/ada.png',
      role: 'manager',
      isActive: true,
      twoFactorEnabled: true,
      preferences: { theme: 'dark', notificationsEnabled: false, timezone: 'Europe/London', language: 'en' },
      lastLoginAt: '2025-06-01T10:00:00.000Z',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-06-01T10:00:00.000Z',
    });
  });

  it('never exposes a password hash, a 2FA secret or internal counters, by key or by value', () => {
    const response = toUserResponse(userWithSecrets());
    for (const key of [
      'passwordHash',
      'twoFactorSecret',
      'twoFactorPendingSecret',
      'twoFactorLastStep',
      'version',
    ]) {
      expect(response).not.toHaveProperty(key);
    }
    const json = JSON.stringify(response);
    for (const secret of Object.values(SECRETS)) expect(json).not.toContain(secret);
    expect(json).not.toMatch(/argon2|hash|secret|token/i);
  });

  it('answers null for a user who never logged in', () => {
    expect(toUserResponse(userWithSecrets({ lastLoginAt: null, avatarUrl: null }))).toMatchObject({
      lastLoginAt: null,
      avatarUrl: null,
    });
  });
});

describe('toUserSnapshot', () => {
  it('carries only what other services replicate, never a secret', () => {
    const snapshot = toUserSnapshot(userWithSecrets());
    expect(snapshot).toEqual({
      id: '0190a8c4-0000-7000-8000-000000000001',
      organizationId: '0190a8c4-0000-7000-8000-000000000002',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      role: 'manager',
      isActive: true,
      avatarUrl: 'https://example.com/ada.png',
    });
    const json = JSON.stringify(snapshot);
    for (const secret of Object.values(SECRETS)) expect(json).not.toContain(secret);
  });
});
