import { EventRecord } from '@throughline/contracts';
import { PrismaRawClient, prismaExecutor } from '@throughline/persistence';

import { ConsumedEvent } from './consumer';
import { HEADER } from './headers';
import { claimEvent } from './inbox';
import { enqueueEvents } from './outbox';

/** Structural type of a Prisma client: enough to open an interactive transaction. */
export interface TransactionalClient<Tx extends PrismaRawClient> {
  $transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
}

/** What a unit of work returns: the events its state change produced (written to the outbox). */
export type Emitted = readonly EventRecord[] | void;

/**
 * Runs a command's state change and its outgoing events in one transaction (transactional outbox).
 */
export function commit<Tx extends PrismaRawClient, R extends Emitted>(
  db: TransactionalClient<Tx>,
  work: (tx: Tx) => Promise<R>,
): Promise<R> {
  return db.$transaction(async (tx) => {
    const emitted = await work(tx);
    if (emitted && emitted.length > 0) await enqueueEvents(prismaExecutor(tx), emitted);
    return emitted;
  });
}

/** W3C trace context of the event being handled, carried on to the events it causes. */
function traceHeaders(event: EventRecord): Record<string, string> {
  const headers = (event as Partial<ConsumedEvent>).headers ?? {};
  const propagated: Record<string, string> = {};
  for (const name of [HEADER.traceparent, HEADER.tracestate]) {
    const value = headers[name];
    if (value) propagated[name] = value;
  }
  return propagated;
}

/**
 * Handles `event` at most once per consumer group: the inbox claim, the handler's writes and its
 * outgoing events share one transaction, so a redelivery has no second effect and a crash leaves
 * either everything or nothing. Returns false for a duplicate.
 */
export function handleOnce<Tx extends PrismaRawClient>(
  db: TransactionalClient<Tx>,
  groupId: string,
  event: EventRecord,
  work: (tx: Tx) => Promise<Emitted>,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const sql = prismaExecutor(tx);
    if (!(await claimEvent(sql, groupId, event))) return false;
    const emitted = await work(tx);
    if (emitted && emitted.length > 0) await enqueueEvents(sql, emitted, traceHeaders(event));
    return true;
  });
}
