import { z } from 'zod';
import { defineEvent, type EventData } from './registry';

export const USER_ROLES = ['admin', 'manager', 'sales'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** What other services replicate of a user (pipeline assigns leads to active users, for example). */
const userSnapshot = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  email: z.email(),
  name: z.string(),
  role: z.enum(USER_ROLES),
  isActive: z.boolean(),
  avatarUrl: z.string().nullable(),
});

const teamSnapshot = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  name: z.string(),
  managerId: z.uuid().nullable(),
  memberIds: z.array(z.uuid()),
});

const teamMembership = z.object({ teamId: z.uuid(), organizationId: z.uuid(), userId: z.uuid() });

export const OrganizationCreated = defineEvent(
  'identity.organization.created',
  1,
  z.object({ id: z.uuid(), name: z.string(), createdAt: z.iso.datetime({ offset: true }) }),
);
export const UserCreated = defineEvent('identity.user.created', 1, userSnapshot);
export const UserUpdated = defineEvent(
  'identity.user.updated',
  1,
  userSnapshot.extend({ changedFields: z.array(z.string()) }),
);
export const UserDeactivated = defineEvent('identity.user.deactivated', 1, userSnapshot);
/** A user as it is now, sent again because a service asked for its replicas; nothing changed. */
export const UserRepublished = defineEvent('identity.user.republished', 1, userSnapshot);
export const TeamCreated = defineEvent('identity.team.created', 1, teamSnapshot);
export const TeamUpdated = defineEvent('identity.team.updated', 1, teamSnapshot);
export const TeamDeleted = defineEvent(
  'identity.team.deleted',
  1,
  z.object({ id: z.uuid(), organizationId: z.uuid() }),
);
export const TeamMemberAdded = defineEvent('identity.team.member_added', 1, teamMembership);
export const TeamMemberRemoved = defineEvent('identity.team.member_removed', 1, teamMembership);
/** Carries the one-time reset token so that messaging can e-mail the link; it is never logged. */
export const PasswordResetRequested = defineEvent(
  'identity.password_reset.requested',
  1,
  z.object({
    userId: z.uuid(),
    email: z.email(),
    name: z.string(),
    resetToken: z.string().min(32),
    expiresAt: z.iso.datetime({ offset: true }),
  }),
);

export const identityEvents = [
  OrganizationCreated,
  UserCreated,
  UserUpdated,
  UserDeactivated,
  UserRepublished,
  TeamCreated,
  TeamUpdated,
  TeamDeleted,
  TeamMemberAdded,
  TeamMemberRemoved,
  PasswordResetRequested,
] as const;

export type UserSnapshot = EventData<typeof UserCreated>;
export type TeamSnapshot = EventData<typeof TeamCreated>;
