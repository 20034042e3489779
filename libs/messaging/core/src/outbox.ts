import { Pool } from 'pg';

import { EventRecord } from '@throughline/contracts';
import { SqlExecutor, withPgTransaction } from '@throughline/persistence';
import { describeError, Logger } from '@throughline/platform';

import { EventPublisher } from './publisher';

/**
 * Writes events to the outbox table inside the caller's transaction, so the state change and the
 * events it produces commit (or roll back) together.
 */
export async function enqueueEvents(
  sql: SqlExecutor,
  records: readonly EventRecord[],
  headersFor: (record: EventRecord) => Record<string, string> = () => ({}),
): Promise<void> {
  for (const record of records) {
    const headers = headersFor(record);
    const { envelope } = record;
    await sql.query(
      `INSERT INTO messaging_outbox (event_id, event_type, message_key, record, headers)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)`,
      [envelope.eventId, envelope.eventType, envelope.key, JSON.stringify(record), JSON.stringify(headers)],
    );
  }
}

interface OutboxRow {
  id: string;
  record: EventRecord;
  headers: Record<string, string>;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  logger: Logger;
  /** Called after a batch was acknowledged by Kafka. */
  onPublished?: (records: readonly EventRecord[]) => void;
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

  /** Publishes one batch; returns how many events it published. */
  relayOnce(): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    return withPgTransaction(this.pool, async (sql) => {
      const [lock] = await sql.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        RELAY_LOCK_KEY,
      ]);
      if (!lock?.locked) return 0;
      const rows = await sql.query<OutboxRow>(
        `SELECT id, record, headers FROM messaging_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      await this.publisher.publish(rows.map((row) => ({ record: row.record, headers: row.headers })));
      this.options.onPublished?.(rows.map((row) => row.record));
      await sql.query('UPDATE messaging_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  /** Number of events waiting to be published (a health and metrics figure). */
  async backlog(): Promise<number> {
    const result = await this.pool.query<{ count: string }>(
      'SELECT count(*) AS count FROM messaging_outbox WHERE published_at IS NULL',
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
