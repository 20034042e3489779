export type AuditAction = 'replay' | 'park' | 'purge';

/** One message replayed or parked, or one partition purged (offset = its new log start). */
export interface AuditEntry {
  action: AuditAction;
  actor: string;
  dlqTopic: string;
  partition: number;
  offset: number;
  targetTopic: string | null;
  eventId: string | null;
  filters: Record<string, unknown>;
  reason: string | null;
  forced: boolean;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  /** Epoch ms. */
  performedAt: number;
}

const PAST_TENSE: Readonly<Record<AuditAction, string>> = {
  replay: 'replayed',
  park: 'parked',
  purge: 'purged',
};

/**
 * Why a message must not be replayed or parked again without --force: the latest time it was
 * replayed or parked. Undefined when it never was.
 */
export function refusalReason(history: readonly AuditRecord[]): string | undefined {
  const latest = history
    .filter((record) => record.action === 'replay' || record.action === 'park')
    .sort((a, b) => b.performedAt - a.performedAt)[0];
  if (!latest) return undefined;
  return `already ${PAST_TENSE[latest.action]} at ${new Date(latest.performedAt).toISOString()} by ${latest.actor}`;
}
