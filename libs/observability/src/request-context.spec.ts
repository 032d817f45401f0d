import { setImmediate as nextTick } from 'node:timers/promises';
import { RequestContext, type RequestContextValue } from './request-context';

const request: RequestContextValue = { correlationId: 'req-1', causationId: null };
const event: RequestContextValue = { correlationId: 'req-1', causationId: 'evt-9' };

describe('RequestContext', () => {
  it('has no current context outside run', () => {
    expect(RequestContext.current()).toBeUndefined();
  });

  it('exposes the value inside run and returns what the function returns', () => {
    const result = RequestContext.run(request, () => RequestContext.current());
    expect(result).toBe(request);
    expect(RequestContext.current()).toBeUndefined();
  });

  it('lets an inner run shadow the outer one and restores the outer one after it', () => {
    const seen: (RequestContextValue | undefined)[] = [];
    RequestContext.run(request, () => {
      seen.push(RequestContext.current());
      RequestContext.run(event, () => seen.push(RequestContext.current()));
      seen.push(RequestContext.current());
    });
    expect(seen).toEqual([request, event, request]);
  });

  it('carries the context across await, timers and promise callbacks', async () => {
    const seen = await RequestContext.run(request, async () => {
      const found: (RequestContextValue | undefined)[] = [];
      await nextTick();
      found.push(RequestContext.current());
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          found.push(RequestContext.current());
          resolve();
        }, 5),
      );
      found.push(await Promise.resolve().then(() => RequestContext.current()));
      return found;
    });
    expect(seen).toEqual([request, request, request]);
  });

  it('keeps concurrent units of work apart', async () => {
    const work = (value: RequestContextValue, delayMs: number) =>
      RequestContext.run(value, async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return RequestContext.current()?.correlationId;
      });
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        work({ correlationId: `req-${i}`, causationId: null }, (i * 7) % 11),
      ),
    );
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `req-${i}`));
  });

  it('does not leak a context into work started after run returned', async () => {
    RequestContext.run(request, () => undefined);
    const later = new Promise<RequestContextValue | undefined>((resolve) =>
      setTimeout(() => resolve(RequestContext.current()), 1),
    );
    expect(await later).toBeUndefined();
  });

  it('keeps the context for callbacks scheduled inside run even when they fire after it returned', async () => {
    const fired = new Promise<RequestContextValue | undefined>((resolve) => {
      RequestContext.run(event, () => setTimeout(() => resolve(RequestContext.current()), 5));
    });
    expect(RequestContext.current()).toBeUndefined();
    expect(await fired).toBe(event);
  });
});
