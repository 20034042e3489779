import { EventRecord } from '@throughline/contracts';
import {
  Context,
  contextFromHeaders,
  contextWithSpan,
  inSpan,
  SpanKind,
  traceHeaders,
  tracer,
} from '@throughline/observability';
import { PrismaRawClient, prismaExecutor } from '@throughline/persistence';

import { ConsumedEvent } from './consumer';
import { HEADER } from './headers';
import { claimEvent, claimEvents } from './inbox';
import {
  currentStateConfigOf,
  currentStateRecords,
  OutboxRecord,
  StateOrigin,
  TransactionalClient,
} from './current-state';
import { enqueueEvents } from './outbox';

/** What a unit of work returns: the events its state change produced (written to the outbox). */
export type Emitted = readonly EventRecord[] | void;

/**
 * Runs a command's state change and its outgoing events in one transaction (transactional outbox).
 */
export function commit<Tx extends PrismaRawClient, R extends Emitted>(
  db: TransactionalClient<Tx>,
  work: (tx: Tx) => Promise<R>,
  options: { timeoutMs?: number; maxWaitMs?: number } = {},
): Promise<R> {
  const limits = {
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.maxWaitMs === undefined ? {} : { maxWait: options.maxWaitMs }),
  };
  return inTransactionSpan(() =>
    db.$transaction(async (tx) => {
      const emitted = await work(tx);
      const origin = { correlationId: emitted?.[0]?.envelope.correlationId };
      const records = await withCurrentState(db, tx, emitted, origin);
      if (records.length > 0) await enqueueEvents(prismaExecutor(tx), records, producerHeaders());
      return emitted;
    }, limits),
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
      const origin = { correlationId: event.envelope.correlationId, causationId: event.envelope.eventId };
      const records = await withCurrentState(db, tx, emitted, origin);
      if (records.length > 0) await enqueueEvents(sql, records, producerHeaders(event));
      return true;
    }),
  );
}

/**
 * Handles a batch of events in one transaction: one inbox claim for all of them, `work` on the
 * ones not handled before (in their order; not called when there are none), one outbox insert for
 * everything it emits. Each emitted event carries the trace context of the event that caused it
 * (its `causationId`), else of the batch's first event. Returns the number of events handled.
 */
export function handleBatchOnce<Tx extends PrismaRawClient, E extends EventRecord>(
  db: TransactionalClient<Tx>,
  groupId: string,
  events: readonly E[],
  work: (tx: Tx, fresh: E[]) => Promise<Emitted>,
  options: { timeoutMs?: number } = {},
): Promise<number> {
  return inTransactionSpan(() =>
    db.$transaction(
      async (tx) => {
        const sql = prismaExecutor(tx);
        const fresh = await claimEvents(sql, groupId, events);
        if (fresh.length === 0) return 0;
        const emitted = await work(tx, fresh);
        const records = await withCurrentState(db, tx, emitted, batchOrigin(fresh));
        if (records.length > 0) {
          const causes = new Map(fresh.map((event) => [event.envelope.eventId, event]));
          const headersFor = (record: OutboxRecord) => {
            const cause = causes.get(record.envelope.causationId ?? '') ?? fresh[0];
            return producerHeaders(cause, causeContext(cause))(record);
          };
          await enqueueEvents(sql, records, headersFor);
        }
        return fresh.length;
      },
      { timeout: options.timeoutMs ?? BATCH_TRANSACTION_TIMEOUT_MS, maxWait: BATCH_CONNECTION_WAIT_MS },
    ),
  );
}

/**
 * The transaction's events followed by the current state of every tracked entity it changed
 * (current-state.ts), when the service publishes current state.
 */
async function withCurrentState<Tx extends PrismaRawClient>(
  db: TransactionalClient<Tx>,
  tx: Tx,
  emitted: Emitted,
  origin: StateOrigin,
): Promise<OutboxRecord[]> {
  const events: OutboxRecord[] = emitted ? [...emitted] : [];
  const config = currentStateConfigOf(db);
  if (!config) return events;
  return [...events, ...(await currentStateRecords(tx, config, origin))];
}

/** A batch's current-state records join its flow when all of its events share one; one event causes them. */
function batchOrigin(fresh: readonly EventRecord[]): StateOrigin {
  const correlationIds = new Set(fresh.map((event) => event.envelope.correlationId));
  const [only] = fresh;
  return {
    correlationId: correlationIds.size === 1 ? only?.envelope.correlationId : undefined,
    causationId: fresh.length === 1 ? only?.envelope.eventId : null,
  };
}

/** A batch transaction does the work of hundreds of events: more than Prisma's 5 s default. */
const BATCH_TRANSACTION_TIMEOUT_MS = 60_000;
/** On a busy database a batch may wait for a pooled connection longer than Prisma's 2 s default. */
const BATCH_CONNECTION_WAIT_MS = 30_000;

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
function producerHeaders(
  cause?: EventRecord,
  parent?: Context,
): (record: OutboxRecord) => Record<string, string> {
  return (record) => {
    const span = tracer().startSpan(
      `publish ${record.envelope.eventType}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.message.id': record.envelope.eventId,
          'throughline.correlation_id': record.envelope.correlationId,
        },
      },
      parent,
    );
    span.end();
    const headers = traceHeaders(contextWithSpan(span, parent));
    return headers[HEADER.traceparent] ? headers : causeTraceHeaders(cause);
  };
}

/** In a batch, the cause's own consumer span (its headers carry it) is the producer span's parent. */
function causeContext(cause: EventRecord): Context {
  return contextFromHeaders((cause as Partial<ConsumedEvent>).headers ?? {});
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
