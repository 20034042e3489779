import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields added to every log line written while handling one event or request. */
export interface LogContext {
  correlationId?: string;
  eventId?: string;
  eventType?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, work);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
