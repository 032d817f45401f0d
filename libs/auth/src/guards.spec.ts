import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ForbiddenError, UnauthorizedError } from '@flow-crm/http';
import { Roles } from './decorators';
import { JwtAuthGuard, RolesGuard } from './guards';
import { type Principal } from './principal';

class Handlers {
  @Roles('admin')
  adminOnly() {
    return undefined;
  }

  open() {
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
  const guard = new JwtAuthGuard(new Reflector());

  it('lets event handlers run without a token', () => {
    expect(guard.canActivate(context('rpc', Handlers.prototype.open))).toBe(true);
  });

  it('turns a missing user or a passport error into UnauthorizedError', () => {
    expect(() => guard.handleRequest(null, false)).toThrow(UnauthorizedError);
    expect(() => guard.handleRequest(new Error('jwt expired'), sales)).toThrow(UnauthorizedError);
    expect(guard.handleRequest(null, sales)).toBe(sales);
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
