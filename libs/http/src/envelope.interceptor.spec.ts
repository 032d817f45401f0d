import { type CallHandler } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { firstValueFrom, of } from 'rxjs';
import { EnvelopeInterceptor, RawResponse } from './envelope.interceptor';
import { Page } from './pagination';

class Handlers {
  plain() {
    return undefined;
  }

  @RawResponse()
  raw() {
    return undefined;
  }
}

function context(type: 'http' | 'rpc', handler: (...args: unknown[]) => unknown): ExecutionContextHost {
  const host = new ExecutionContextHost([{}, {}], Handlers, handler);
  host.setType(type);
  return host;
}

const returning = (value: unknown): CallHandler => ({ handle: () => of(value) });

describe('EnvelopeInterceptor', () => {
  const interceptor = new EnvelopeInterceptor(new Reflector());
  const intercept = (type: 'http' | 'rpc', handler: (...args: unknown[]) => unknown, value: unknown) =>
    firstValueFrom(interceptor.intercept(context(type, handler), returning(value)));

  it('wraps a value in {data}', async () => {
    expect(await intercept('http', Handlers.prototype.plain, { id: 'x' })).toEqual({ data: { id: 'x' } });
  });

  it.each([
    [undefined, { data: null }],
    [null, { data: null }],
    [0, { data: 0 }],
    [false, { data: false }],
    ['', { data: '' }],
  ])('wraps %p as %p', async (value, expected) => {
    expect(await intercept('http', Handlers.prototype.plain, value)).toEqual(expected);
  });

  it('renders a Page as {data, meta}', async () => {
    expect(await intercept('http', Handlers.prototype.plain, new Page(['a'], 3, 2, 1))).toEqual({
      data: ['a'],
      meta: { total: 3, page: 2, limit: 1, totalPages: 3 },
    });
  });

  it('leaves a @RawResponse handler alone', async () => {
    expect(await intercept('http', Handlers.prototype.raw, { status: 'ok' })).toEqual({ status: 'ok' });
  });

  it("leaves an event handler's result alone", async () => {
    const page = new Page(['a'], 1, 1, 25);
    expect(await intercept('rpc', Handlers.prototype.plain, page)).toBe(page);
  });
});
