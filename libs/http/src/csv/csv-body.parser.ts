import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { BadRequestError } from '../errors';

export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv'];

/**
 * Lets a CSV body through unread: the import parses it as it streams in, within its own size
 * limit, instead of Fastify buffering it against the JSON body limit.
 */
@Injectable()
export class CsvBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(CSV_MEDIA_TYPES, (_request, payload, done) => done(null, payload));
  }
}

/** The CSV body CsvBodyParser let through; any other body (JSON, a form) is 400. */
export function csvUpload(request: FastifyRequest): Readable {
  if (!(request.body instanceof Readable)) throw new BadRequestError('Send the file as text/csv');
  return request.body;
}
