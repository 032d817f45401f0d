import { RequestContext } from '@flow-crm/observability';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';

/** Runs each HTTP handler with its request id as the correlation id of the events it causes. */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<{ id: string }>();
    return new Observable((subscriber) =>
      RequestContext.run({ correlationId: request.id, causationId: null }, () =>
        next.handle().subscribe(subscriber),
      ),
    );
  }
}
