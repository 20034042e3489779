import { EventRecord } from '@throughline/contracts';
import { contextWithSpan, inSpan, SpanKind, traceHeaders, tracer } from '@throughline/observability';
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
  return inTransactionSpan(() =>
    db.$transaction(async (tx) => {
      const emitted = await work(tx);
      if (emitted && emitted.length > 0) await enqueueEvents(prismaExecutor(tx), emitted, producerHeaders());
      return emitted;
    }),
  );
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
  return inTransactionSpan(() =>
    db.$transaction(async (tx) => {
      const sql = prismaExecutor(tx);
      if (!(await claimEvent(sql, groupId, event))) return false;
      const emitted = await work(tx);
      if (emitted && emitted.length > 0) await enqueueEvents(sql, emitted, producerHeaders(event));
      return true;
    }),
  );
}

function inTransactionSpan<T>(work: () => Promise<T>): Promise<T> {
  return inSpan(
    'db transaction',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } },
    work,
  );
}

/**
 * Trace headers for each outgoing event: a producer span per event, child of the active span, so
 * the consumers' spans continue the same trace. Without an active trace (tracing off) the cause's
 * own trace context is passed on unchanged.
 */
function producerHeaders(cause?: EventRecord): (record: EventRecord) => Record<string, string> {
  return (record) => {
    const span = tracer().startSpan(`publish ${record.envelope.eventType}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.message.id': record.envelope.eventId,
        'throughline.correlation_id': record.envelope.correlationId,
      },
    });
    span.end();
    const headers = traceHeaders(contextWithSpan(span));
    return headers[HEADER.traceparent] ? headers : causeTraceHeaders(cause);
  };
}

function causeTraceHeaders(cause: EventRecord | undefined): Record<string, string> {
  const headers = (cause as Partial<ConsumedEvent> | undefined)?.headers ?? {};
  const propagated: Record<string, string> = {};
  for (const name of [HEADER.traceparent, HEADER.tracestate]) {
    const value = headers[name];
    if (value) propagated[name] = value;
  }
  return propagated;
}
