import { type Principal } from '@flow-crm/auth';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { from, type Observable, switchMap } from 'rxjs';
import { Organizations } from './organizations';

/** Every authenticated request first makes sure pipeline has met the caller's organization. */
@Injectable()
export class MeetOrganizationInterceptor implements NestInterceptor {
  constructor(private readonly organizations: Organizations) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal =
      context.getType() === 'http'
        ? context.switchToHttp().getRequest<{ user?: Principal }>().user
        : undefined;
    if (!principal) return next.handle();
    return from(this.organizations.meet(principal.organizationId)).pipe(switchMap(() => next.handle()));
  }
}
