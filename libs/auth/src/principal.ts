import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export const ROLES = ['admin', 'manager', 'sales'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from the verified access token: `sub`, `org` and `role` claims. */
export interface Principal {
  readonly userId: string;
  readonly organizationId: string;
  readonly role: Role;
  /** The session (refresh-token family) the token was issued for, when identity issued one. */
  readonly sessionId?: string;
}

/** Claims of an access token as identity issues them (ARCHITECTURE.md, "Identity, tenancy and permissions"). */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly org: string;
  readonly role: Role;
}

/** The principal an access token's claims name, or null when they are not ours. */
export function principalFromClaims(
  claims: Partial<AccessTokenClaims> & { sid?: unknown },
): Principal | null {
  const { sub, org, role, sid } = claims;
  if (typeof sub !== 'string' || typeof org !== 'string' || !ROLES.includes(role as never)) return null;
  return {
    userId: sub,
    organizationId: org,
    role: role as Principal['role'],
    ...(typeof sid === 'string' ? { sessionId: sid } : {}),
  };
}

export function isManagerial(principal: Principal): boolean {
  return principal.role === 'admin' || principal.role === 'manager';
}

/** `@CurrentPrincipal() principal: Principal` in a controller method. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const request = context.switchToHttp().getRequest<{ user?: Principal }>();
  if (!request.user) throw new Error('CurrentPrincipal used on a public route');
  return request.user;
});
