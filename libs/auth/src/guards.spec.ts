import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ForbiddenError, UnauthorizedError } from '@flow-crm/http';
import { Public, Roles } from './decorators';
import { JwtAuthGuard, RolesGuard } from './guards';
import { type Principal } from './principal';
import { type TokenVerifier } from './token-verifier';

class Handlers {
  @Roles('admin')
  adminOnly() {
    return undefined;
  }

  open() {
    return undefined;
  }

  @Public()
  everyone() {
    return undefined;
  }
}

function context(
  type: 'http' | 'rpc',
  handler: (...args: unknown[]) => unknown,
  user?: Principal,
): ExecutionContextHost {
  const host = new ExecutionContextHost([{ user, headers: {} }, {}], Handlers, handler);
  host.setType(type);
  return host;
}

const sales: Principal = { userId: 'u', organizationId: 'o', role: 'sales' };
const admin: Principal = { userId: 'u', organizationId: 'o', role: 'admin' };

describe('JwtAuthGuard', () => {
  const tokens = {
    verify: async (authorization: string | undefined) => {
      if (authorization === 'Bearer good') return sales;
      throw new UnauthorizedError('A valid access token is required');
    },
  } as unknown as TokenVerifier;
  const guard = new JwtAuthGuard(new Reflector(), tokens);
  const request = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as Json;
  type Json = { headers: Record<string, string>; user?: Principal };
  const httpContext = (req: Json, handler: (...args: unknown[]) => unknown) => {
    const host = new ExecutionContextHost([req, {}], Handlers, handler);
    host.setType('http');
    return host;
  };

  it('lets event handlers run without a token', async () => {
    expect(await guard.canActivate(context('rpc', Handlers.prototype.open))).toBe(true);
  });

  it('lets a @Public() route through without a token and without a user', async () => {
    const req = request();
    expect(await guard.canActivate(httpContext(req, Handlers.prototype.everyone))).toBe(true);
    expect(req.user).toBeUndefined();
  });

  it('makes the verified caller the request user', async () => {
    const req = request('Bearer good');
    expect(await guard.canActivate(httpContext(req, Handlers.prototype.open))).toBe(true);
    expect(req.user).toBe(sales);
  });

  it('refuses a missing or bad token with UnauthorizedError', async () => {
    await expect(guard.canActivate(httpContext(request(), Handlers.prototype.open))).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(
      guard.canActivate(httpContext(request('Bearer forged'), Handlers.prototype.open)),
    ).rejects.toThrow(UnauthorizedError);
  });
});

describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());

  it('lets any authenticated role through a route without @Roles', () => {
    expect(guard.canActivate(context('http', Handlers.prototype.open, sales))).toBe(true);
  });

  it('lets a listed role through', () => {
    expect(guard.canActivate(context('http', Handlers.prototype.adminOnly, admin))).toBe(true);
  });

  it('refuses an unlisted role with ForbiddenError', () => {
    expect(() => guard.canActivate(context('http', Handlers.prototype.adminOnly, sales))).toThrow(
      ForbiddenError,
    );
  });

  it('refuses a route with @Roles when nobody is authenticated', () => {
    expect(() => guard.canActivate(context('http', Handlers.prototype.adminOnly))).toThrow(ForbiddenError);
  });

  it('does not check roles on event handlers', () => {
    expect(guard.canActivate(context('rpc', Handlers.prototype.adminOnly))).toBe(true);
  });
});
