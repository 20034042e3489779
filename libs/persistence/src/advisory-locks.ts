import { SqlExecutor } from './sql';

export type LockMode = 'shared' | 'exclusive';

/** One transaction-scoped advisory lock: `rank` orders kinds of keys (e.g. reference data before aggregates). */
export interface LockRequest {
  rank: number;
  key: string;
  mode: LockMode;
}

/**
 * Takes transaction-scoped advisory locks on text keys, each distinct key once (exclusive wins over
 * shared), in one global order — rank, then key — so transactions that lock overlapping keys
 * cannot deadlock. Successive calls in one transaction must follow the same order.
 */
export async function takeAdvisoryLocks(sql: SqlExecutor, requests: readonly LockRequest[]): Promise<void> {
  const byKey = new Map<string, LockRequest>();
  for (const request of requests) {
    const known = byKey.get(request.key);
    if (!known || (known.mode === 'shared' && request.mode === 'exclusive')) byKey.set(request.key, request);
  }
  const ordered = [...byKey.values()].sort((a, b) =>
    a.rank !== b.rank ? a.rank - b.rank : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
  for (const { key, mode } of ordered) {
    if (mode === 'shared')
      await sql.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))::text', [key]);
    else await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text', [key]);
  }
}
