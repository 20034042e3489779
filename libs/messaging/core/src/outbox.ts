import { Pool } from 'pg';

import { SqlExecutor, withPgTransaction } from '@throughline/persistence';
import { describeError, Logger } from '@throughline/platform';

import { OutboxRecord } from './current-state';
import { isPermanentSendError } from './idempotent-producer';
import { EventPublisher } from './publisher';

/**
 * Writes events to the outbox table inside the caller's transaction, so the state change and the
 * events it produces commit (or roll back) together.
 */
export async function enqueueEvents(
  sql: SqlExecutor,
  records: readonly OutboxRecord[],
  headersFor: (record: OutboxRecord) => Record<string, string> = () => ({}),
): Promise<void> {
  if (records.length === 0) return;
  // One statement for the whole batch; WITH ORDINALITY keeps the ids (the relay's order) in
  // the order the events were produced.
  await sql.query(
    `INSERT INTO messaging_outbox (event_id, event_type, message_key, record, headers)
     SELECT event_id, event_type, message_key, record, headers
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[])
       WITH ORDINALITY AS queued (event_id, event_type, message_key, record, headers, position)
     ORDER BY position`,
    [
      records.map((record) => record.envelope.eventId),
      records.map((record) => record.envelope.eventType),
      records.map((record) => record.envelope.key),
      records.map((record) => JSON.stringify(record)),
      records.map((record) => JSON.stringify(headersFor(record))),
    ],
  );
}

interface OutboxRow {
  id: string;
  record: OutboxRecord;
  headers: Record<string, string>;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  logger: Logger;
  /** Called after a batch was acknowledged by Kafka. */
  onPublished?: (records: readonly OutboxRecord[]) => void;
}

/** Only one relay per database publishes at a time, which keeps per-key order. */
const RELAY_LOCK_KEY = 727_002;

/**
 * Moves outbox rows to Kafka in id order. A row is marked published only after Kafka acknowledged
 * it, in the same transaction that locked it: a crash in between publishes it again (at least
 * once), and consumers' inboxes drop the duplicate.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /**
   * Publishes one batch; returns how many events it published. An event Kafka can never take (not
   * encodable, or larger than a message may be) is parked with its reason instead of blocking every
   * event behind it; `parked()` counts them and the service's health and metrics report them.
   */
  relayOnce(): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    return withPgTransaction(this.pool, async (sql) => {
      const [lock] = await sql.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        RELAY_LOCK_KEY,
      ]);
      if (!lock?.locked) return 0;
      // Published rows leave dead entries in the pending index until a vacuum, which may be a minute
      // away. A bitmap scan (the planner's pick when its statistics are stale) visits every one of
      // them on every poll: 50-65 ms a poll after 100,000 events, the largest PostgreSQL cost of the
      // month-end benchmark. A plain index scan marks them dead on its first pass and skips them after.
      await sql.query('SET LOCAL enable_bitmapscan = off');
      const rows = await sql.query<OutboxRow>(
        `SELECT id, record, headers FROM messaging_outbox
         WHERE published_at IS NULL AND parked_at IS NULL ORDER BY id LIMIT $1`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const rowOf = new Map(rows.map((row) => [row.record, row]));
      const { ready, refused } = await this.publisher.prepare(
        rows.map((row) => ({ record: row.record, headers: row.headers })),
      );
      const parked = refused.map(({ event, reason }) => ({
        row: rowOf.get(event.record) as OutboxRow,
        reason,
      }));
      let published = ready.map(({ event }) => rowOf.get(event.record) as OutboxRow);
      try {
        await this.publisher.send(ready);
      } catch (error) {
        if (!isPermanentSendError(error)) throw error;
        // The broker refused something in the batch for good: send one at a time to find it.
        published = [];
        for (const message of ready) {
          const row = rowOf.get(message.event.record) as OutboxRow;
          try {
            await this.publisher.send([message]);
            published.push(row);
          } catch (single) {
            if (!isPermanentSendError(single)) throw single;
            const { eventType, eventId } = row.record.envelope;
            parked.push({
              row,
              reason: `Kafka refused ${eventType} ${eventId}: ${(single as Error).message}`,
            });
          }
        }
      }
      for (const { row, reason } of parked) {
        this.options.logger.error(
          { eventId: row.record.envelope.eventId, eventType: row.record.envelope.eventType, reason },
          'outbox event parked: Kafka can never take it as it is; the events after it go on',
        );
      }
      if (parked.length > 0) {
        await sql.query(
          `UPDATE messaging_outbox SET parked_at = now(), park_reason = parked.reason
           FROM unnest($1::bigint[], $2::text[]) AS parked (id, reason)
           WHERE messaging_outbox.id = parked.id`,
          [parked.map(({ row }) => row.id), parked.map(({ reason }) => reason)],
        );
      }
      if (published.length === 0) return 0;
      this.options.onPublished?.(published.map((row) => row.record));
      await sql.query('UPDATE messaging_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
        published.map((row) => row.id),
      ]);
      return published.length;
    });
  }

  /** Number of events waiting to be published (a health and metrics figure). */
  async backlog(): Promise<number> {
    const result = await this.pool.query<{ count: string }>(
      'SELECT count(*) AS count FROM messaging_outbox WHERE published_at IS NULL AND parked_at IS NULL',
    );
    return Number(result.rows[0]?.count ?? 0);
  }

  /** Events parked because Kafka can never take them (a health and metrics figure). */
  async parked(): Promise<number> {
    const result = await this.pool.query<{ count: string }>(
      'SELECT count(*) AS count FROM messaging_outbox WHERE published_at IS NULL AND parked_at IS NOT NULL',
    );
    return Number(result.rows[0]?.count ?? 0);
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    while (this.running) {
      let published = 0;
      try {
        published = await this.relayOnce();
      } catch (error) {
        this.options.logger.warn({ error: describeError(error) }, 'outbox relay failed; will retry');
      }
      if (published < batchSize && this.running) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.options.pollIntervalMs ?? 100);
        });
      }
    }
  }
}
