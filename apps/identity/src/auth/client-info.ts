import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { type ClientInfo } from '../sessions/sessions.service';

/** The device a session is opened from, recorded with it for the user's security overview. */
export const Client = createParamDecorator((_: unknown, context: ExecutionContext): ClientInfo => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return { userAgent: request.headers['user-agent'], ipAddress: request.ip };
});
