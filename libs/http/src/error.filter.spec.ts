import { Logger } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { firstValueFrom, isObservable } from 'rxjs';
import { ErrorFilter } from './error.filter';
import { ConflictError } from './errors';

/** The part of a Fastify reply the filter uses, recording what it was given. */
function fakeReply() {
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    send(payload: unknown) {
      sent.body = payload;
      return reply;
    },
  };
  return { reply, sent };
}

function httpHost(reply: unknown): ExecutionContextHost {
  const host = new ExecutionContextHost([{ url: '/api/things' }, reply]);
  host.setType('http');
  return host;
}

describe('ErrorFilter', () => {
  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => logged.mockRestore());

  it("answers an HTTP failure with the contract's status and body", () => {
    const { reply, sent } = fakeReply();
    const result = new ErrorFilter().catch(
      new ConflictError('Email already in use', { field: 'email' }),
      httpHost(reply),
    );
    expect(result).toBeUndefined();
    expect(sent).toEqual({
      status: 409,
      body: { error: { code: 'CONFLICT', message: 'Email already in use', details: { field: 'email' } } },
    });
    expect(logged).not.toHaveBeenCalled();
  });

  it('logs an unexpected failure with its stack and tells the client nothing of it', () => {
    const { reply, sent } = fakeReply();
    const error = new Error('relation "secret_table" does not exist');
    new ErrorFilter().catch(error, httpHost(reply));
    expect(sent).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' } },
    });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]![0]).toBe(error.stack);
  });

  it('logs a thrown non-Error as text', () => {
    const { reply } = fakeReply();
    new ErrorFilter().catch('plain failure', httpHost(reply));
    expect(logged).toHaveBeenCalledWith('plain failure');
  });

  it("passes an event handler's failure through untouched, without answering anything", async () => {
    const { reply, sent } = fakeReply();
    const host = new ExecutionContextHost([{ pattern: 'pipeline.deal.created' }, reply]);
    host.setType('rpc');
    const error = new ConflictError('duplicate');
    const result = new ErrorFilter().catch(error, host);
    expect(isObservable(result)).toBe(true);
    await expect(firstValueFrom(result!)).rejects.toBe(error);
    expect(sent).toEqual({});
    expect(logged).not.toHaveBeenCalled();
  });
});
