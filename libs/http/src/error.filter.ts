import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { type Observable, throwError } from 'rxjs';
import { mapError } from './error-mapping';

/**
 * Answers every HTTP failure with the contract's `{error: {code, message, details?}}`, including
 * those Fastify raises before a route runs (malformed JSON, body too large): Nest routes them here.
 * An event handler's failure passes through untouched, so that the consumer's retries and dead
 * letters record the real error.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'http') return throwError(() => exception);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, unexpected } = mapError(exception);
    if (unexpected) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply.status(status).send(body);
  }
}
