import { type ExecutionContext, Injectable, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '@flow-crm/http';
import { type IncomingHttpHeaders } from 'node:http';
import { IS_PUBLIC, REQUIRED_ROLES } from './decorators';
import { type Principal, type Role } from './principal';
import { TokenVerifier } from './token-verifier';

/**
 * Every route needs a valid access token unless marked `@Public()`; the caller becomes
 * `request.user`. The gateway's verifier, so both apply the same rules and remember verified tokens.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders; user?: Principal }>();
    request.user = await this.tokens.verify(request.headers.authorization);
    return true;
  }
}

/** Enforces `@Roles(...)`; runs after authentication. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) return true;
    const user = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (!user || !roles.includes(user.role)) throw new ForbiddenError();
    return true;
  }
}
