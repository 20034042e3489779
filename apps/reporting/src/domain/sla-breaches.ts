import { TimelineStep } from './deal-timeline';

export const SLA_BREACH_FILTERS = ['open', 'recovered', 'all'] as const;
export type SlaBreachFilter = (typeof SLA_BREACH_FILTERS)[number];

/** One breached business SLA on one entity, as reporting recorded it from SlaBreached / SlaRecovered. */
export interface SlaBreachRow {
  entityType: string;
  entityId: string;
  status: 'OPEN' | 'RECOVERED';
  breachedAt: string;
  recoveredAt: string | null;
  breach: string;
  recovery: string | null;
  correlationId: string;
}

/**
 * Breaches of every SLA, not only those on a deal's timeline (time entries, invoices and assignment
 * changes have no deal). Steps are paired per entity; a recovery seen before its breach (the two
 * events are on different topics) still closes it. Newest breach first.
 */
export function slaBreaches(steps: readonly TimelineStep[], filter: SlaBreachFilter): SlaBreachRow[] {
  const byEntity = new Map<string, { breach?: TimelineStep; recovery?: TimelineStep }>();
  for (const step of steps) {
    const key = `${step.entityType}\u0000${step.entityId}`;
    const pair = byEntity.get(key) ?? {};
    if (step.step === 'SLA_BREACHED') pair.breach ??= step;
    if (step.step === 'SLA_RECOVERED') pair.recovery ??= step;
    byEntity.set(key, pair);
  }
  const rows: SlaBreachRow[] = [];
  for (const { breach, recovery } of byEntity.values()) {
    if (!breach) continue;
    const row: SlaBreachRow = {
      entityType: breach.entityType,
      entityId: breach.entityId,
      status: recovery ? 'RECOVERED' : 'OPEN',
      breachedAt: breach.occurredAt,
      recoveredAt: recovery?.occurredAt ?? null,
      breach: breach.summary,
      recovery: recovery?.summary ?? null,
      correlationId: breach.correlationId,
    };
    if (filter === 'all' || row.status === filter.toUpperCase()) rows.push(row);
  }
  return rows.sort(
    (a, b) => b.breachedAt.localeCompare(a.breachedAt) || a.entityId.localeCompare(b.entityId),
  );
}
