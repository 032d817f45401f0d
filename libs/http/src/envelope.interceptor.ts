import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { Page } from './pagination';

const RAW_RESPONSE = 'flow-crm:raw-response';

/** Opts a route out of the `{data}` envelope (JWKS, CSV downloads, metrics). */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);

/** An answer with its own `meta` (a composed answer's `degraded` services, for example). */
export class WithMeta<T, M extends object> {
  constructor(
    readonly data: T,
    readonly meta: M,
  ) {}
}

/** Wraps every answer in the contract's envelope: `{data}`, or `{data, meta}` for a Page or WithMeta. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const raw = this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (raw) return next.handle();
    return next
      .handle()
      .pipe(
        map((value: unknown) =>
          value instanceof Page
            ? { data: value.items, meta: value.meta }
            : value instanceof WithMeta
              ? { data: value.data, meta: value.meta }
              : { data: value ?? null },
        ),
      );
  }
}
