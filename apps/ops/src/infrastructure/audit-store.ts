import { join } from 'node:path';
import { Pool } from 'pg';

import {
  createDatabaseIfMissing,
  databaseUrlFor,
  migrate,
  MigrationSource,
  pgExecutor,
  SqlExecutor,
  withPgTransaction,
} from '@throughline/persistence';

import { AuditLog } from '../application/ports';
import { PartitionOffset } from '../domain/commands';
import { AuditAction, AuditEntry, AuditRecord } from '../domain/audit';

export const OPS_MIGRATIONS: MigrationSource = {
  name: 'ops',
  directory: join(__dirname, '..', '..', 'migrations'),
};

/** PostgreSQL could not be reached or refused the connection. */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    // The reason is in the message; the driver's error adds nothing an operator needs. A refused
    // login (SQLSTATE class 28) is no network problem: the server's words say which rule refused it.
    const code = reasonOf(cause);
    super(
      code.startsWith('28')
        ? `PostgreSQL at ${safeHost(url)} refused the login: ${messageOf(cause)} (${code})`
        : `cannot reach PostgreSQL at ${safeHost(url)} (${code})`,
    );
    this.name = 'DatabaseUnreachableError';
  }
}

interface AuditRow {
  id: string;
  action: AuditAction;
  actor: string;
  performed_at: Date;
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string;
  target_topic: string | null;
  event_id: string | null;
  filters: Record<string, unknown>;
  reason: string | null;
  forced: boolean;
}

const COLUMNS = `id, action, actor, performed_at, dlq_topic, dlq_partition, dlq_offset, target_topic, event_id,
  filters, reason, forced`;

/** Postgres error codes: database missing, table missing. */
const NOT_SET_UP = new Set(['3D000', '42P01']);

/** The audit log in its own database (default `throughline_ops`), migrated with plain SQL files. */
export class PgAuditLog implements AuditLog {
  private constructor(private readonly pool: Pool) {}

  /**
   * `write` creates the database and applies migrations first. `read` changes nothing: a database
   * or table that does not exist yet reads as an empty log.
   */
  static async open(
    settings: { serverUrl: string; databaseName: string },
    mode: 'read' | 'write',
  ): Promise<AuditLog & { close(): Promise<void> }> {
    const url = databaseUrlFor(settings.databaseName, settings.serverUrl);
    try {
      if (mode === 'write') {
        await createDatabaseIfMissing(settings.databaseName, settings.serverUrl);
        await migrate(url, [OPS_MIGRATIONS]);
      }
      const pool = new Pool({ connectionString: url, max: 2 });
      try {
        await pool.query('SELECT 1 FROM dlq_audit LIMIT 0');
      } catch (error) {
        await pool.end();
        if (mode === 'read' && NOT_SET_UP.has(codeOf(error) ?? '')) return EMPTY_AUDIT_LOG;
        throw error;
      }
      return new PgAuditLog(pool);
    } catch (error) {
      throw isConnectionFailure(error) ? new DatabaseUnreachableError(url, error) : error;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async history(dlqTopic: string, positions: readonly PartitionOffset[]): Promise<AuditRecord[]> {
    if (positions.length === 0) return [];
    const rows = await pgExecutor(this.pool).query<AuditRow>(
      `SELECT ${COLUMNS} FROM dlq_audit
        WHERE dlq_topic = $1 AND action IN ('replay', 'park')
          AND (dlq_partition, dlq_offset) IN (SELECT * FROM unnest($2::int[], $3::bigint[]))
        ORDER BY performed_at, id`,
      [dlqTopic, positions.map((p) => p.partition), positions.map((p) => p.offset)],
    );
    return rows.map(toRecord);
  }

  async record(entries: readonly AuditEntry[], alongside?: () => Promise<void>): Promise<void> {
    await withPgTransaction(this.pool, async (sql) => {
      await insert(sql, entries);
      await alongside?.();
    });
  }

  async list(query: { dlqTopic?: string; limit: number }): Promise<AuditRecord[]> {
    const rows = await pgExecutor(this.pool).query<AuditRow>(
      `SELECT ${COLUMNS} FROM dlq_audit
        WHERE $1::text IS NULL OR dlq_topic = $1
        ORDER BY performed_at DESC, id DESC
        LIMIT $2`,
      [query.dlqTopic ?? null, query.limit],
    );
    return rows.map(toRecord);
  }
}

const EMPTY_AUDIT_LOG: AuditLog & { close(): Promise<void> } = {
  history: async () => [],
  list: async () => [],
  record: async () => {
    throw new Error('the audit log was opened read-only');
  },
  close: async () => undefined,
};

async function insert(sql: SqlExecutor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const fields = 10;
  const values: unknown[] = [];
  const tuples = entries.map((entry, index) => {
    values.push(
      entry.action,
      entry.actor,
      entry.dlqTopic,
      entry.partition,
      entry.offset,
      entry.targetTopic,
      entry.eventId,
      JSON.stringify(entry.filters),
      entry.reason,
      entry.forced,
    );
    const base = index * fields;
    return `(${Array.from({ length: fields }, (_, column) => `$${base + column + 1}`).join(', ')})`;
  });
  await sql.query(
    `INSERT INTO dlq_audit (action, actor, dlq_topic, dlq_partition, dlq_offset, target_topic, event_id,
       filters, reason, forced) VALUES ${tuples.join(', ')}`,
    values,
  );
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    action: row.action,
    actor: row.actor,
    performedAt: row.performed_at.getTime(),
    dlqTopic: row.dlq_topic,
    partition: row.dlq_partition,
    offset: Number(row.dlq_offset),
    targetTopic: row.target_topic,
    eventId: row.event_id,
    filters: row.filters,
    reason: row.reason,
    forced: row.forced,
  };
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  '28P01',
  '28000',
]);

function isConnectionFailure(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  return CONNECTION_CODES.has(codeOf(error) ?? '');
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError) return reasonOf(error.errors[0]);
  return codeOf(error) ?? (error instanceof Error ? error.message : String(error));
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}

function safeHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return 'DATABASE_URL';
  }
}
