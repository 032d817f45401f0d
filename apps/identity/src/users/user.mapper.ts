import { type UserSnapshot } from '@flow-crm/contracts';
import { type User, type UserPreferences } from './user.entity';

/** The contract's User: never a hash, a secret or a token. */
export interface UserResponse {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
  role: User['role'];
  organizationId: string;
  isActive: boolean;
  twoFactorEnabled: boolean;
  preferences: UserPreferences;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    avatarUrl: user.avatarUrl,
    role: user.role,
    organizationId: user.organizationId,
    isActive: user.isActive,
    twoFactorEnabled: user.twoFactorEnabled,
    preferences: user.preferences,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/** What other services replicate of a user. */
export function toUserSnapshot(user: User): UserSnapshot {
  return {
    id: user.id,
    organizationId: user.organizationId,
    email: user.email,
    name: user.name,
    role: user.role,
    isActive: user.isActive,
    avatarUrl: user.avatarUrl,
  };
}
