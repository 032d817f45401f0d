import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the current unit of work (an HTTP request or a consumed event) is part of. The outbox
 * reads it so that an event carries the request id that caused it as `correlationId`, and the
 * consumer restores it so that the chain of events keeps one correlation id end to end.
 */
export interface RequestContextValue {
  readonly correlationId: string;
  readonly causationId: string | null;
}

const storage = new AsyncLocalStorage<RequestContextValue>();

export const RequestContext = {
  run<T>(value: RequestContextValue, fn: () => T): T {
    return storage.run(value, fn);
  },
  current(): RequestContextValue | undefined {
    return storage.getStore();
  },
};
