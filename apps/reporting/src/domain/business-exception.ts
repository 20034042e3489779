import {
  BusinessExceptionRaised,
  BusinessExceptionResolved,
  ExceptionOwnerRole,
} from '@throughline/contracts';

/** OPEN and RESOLVED as usual; UNRAISED: its resolution arrived but the raise has not (yet). */
export type ExceptionStatus = 'OPEN' | 'RESOLVED' | 'UNRAISED';

/** What reporting knows about one business exception. Times are epoch milliseconds. */
export interface ExceptionRecord {
  exceptionId: string;
  status: ExceptionStatus;
  ownerRole: ExceptionOwnerRole | null;
  entityType: string;
  entityId: string;
  dealId: string | null;
  code: string | null;
  message: string | null;
  remediation: string | null;
  details: Record<string, string>;
  resolution: string | null;
  /** Latest time it was raised. */
  raisedAt: number | null;
  /** Latest time it was resolved. */
  resolvedAt: number | null;
}

/**
 * Open when the latest raise is newer than the latest resolution. Exceptions are re-raised under the
 * same id when the problem comes back, so the times (not the arrival order) decide: a resolution
 * delivered before its raise still ends resolved, a raise after a resolution reopens it. On a tie
 * the resolution wins, as it normally follows the raise.
 */
export function exceptionStatus(raisedAt: number | null, resolvedAt: number | null): ExceptionStatus {
  if (raisedAt === null) return 'UNRAISED';
  return resolvedAt !== null && resolvedAt >= raisedAt ? 'RESOLVED' : 'OPEN';
}

export function applyRaised(
  current: ExceptionRecord | null,
  raised: BusinessExceptionRaised,
  occurredAt: number,
): ExceptionRecord {
  const base = current ?? unseen(raised);
  const newest = base.raisedAt === null || occurredAt >= base.raisedAt;
  const raisedAt = newest ? occurredAt : base.raisedAt;
  const described = newest
    ? {
        ownerRole: raised.ownerRole,
        entityType: raised.entityType,
        entityId: raised.entityId,
        code: raised.code,
        message: raised.message,
        remediation: raised.remediation,
        details: { ...raised.details },
      }
    : {};
  return {
    ...base,
    ...described,
    dealId: base.dealId ?? raised.dealId,
    raisedAt,
    status: exceptionStatus(raisedAt, base.resolvedAt),
  };
}

export function applyResolved(
  current: ExceptionRecord | null,
  resolved: BusinessExceptionResolved,
  occurredAt: number,
): ExceptionRecord {
  const base = current ?? unseen(resolved);
  const newest = base.resolvedAt === null || occurredAt >= base.resolvedAt;
  const resolvedAt = newest ? occurredAt : base.resolvedAt;
  return {
    ...base,
    dealId: base.dealId ?? resolved.dealId,
    resolution: newest ? resolved.resolution : base.resolution,
    resolvedAt,
    status: exceptionStatus(base.raisedAt, resolvedAt),
  };
}

/** An exception first heard of now: nothing but its id and entity known. */
function unseen(event: { exceptionId: string; entityType: string; entityId: string }): ExceptionRecord {
  return {
    exceptionId: event.exceptionId,
    status: 'UNRAISED',
    ownerRole: null,
    entityType: event.entityType,
    entityId: event.entityId,
    dealId: null,
    code: null,
    message: null,
    remediation: null,
    details: {},
    resolution: null,
    raisedAt: null,
    resolvedAt: null,
  };
}

export const EXCEPTION_FILTERS = ['open', 'resolved', 'all'] as const;
export type ExceptionFilter = (typeof EXCEPTION_FILTERS)[number];

/** The statuses a filter lists; an exception never raised has no owner to route it to, so none does. */
export function statusesFor(filter: ExceptionFilter): ExceptionStatus[] {
  return filter === 'open' ? ['OPEN'] : filter === 'resolved' ? ['RESOLVED'] : ['OPEN', 'RESOLVED'];
}

export interface ExceptionView {
  exceptionId: string;
  status: Exclude<ExceptionStatus, 'UNRAISED'>;
  dealId: string | null;
  entityType: string;
  entityId: string;
  code: string;
  message: string;
  remediation: string;
  details: Record<string, string>;
  raisedAt: string;
  /** Set while it is resolved; null when open (also after a reopening). */
  resolvedAt: string | null;
  resolution: string | null;
}

export interface ExceptionsByOwner {
  owners: { ownerRole: ExceptionOwnerRole; count: number; exceptions: ExceptionView[] }[];
}

/** Groups exceptions by the team that must act: owners alphabetically, oldest raised first within. */
export function groupByOwner(
  records: readonly ExceptionRecord[],
  filter: ExceptionFilter,
): ExceptionsByOwner {
  const wanted = new Set(statusesFor(filter));
  const groups = new Map<ExceptionOwnerRole, ExceptionRecord[]>();
  for (const record of records) {
    if (!wanted.has(record.status) || record.ownerRole === null || record.raisedAt === null) continue;
    const group = groups.get(record.ownerRole);
    if (group) group.push(record);
    else groups.set(record.ownerRole, [record]);
  }
  return {
    owners: [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ownerRole, group]) => ({
        ownerRole,
        count: group.length,
        exceptions: group
          .sort((a, b) => (a.raisedAt ?? 0) - (b.raisedAt ?? 0) || (a.exceptionId < b.exceptionId ? -1 : 1))
          .map(toView),
      })),
  };
}

function toView(record: ExceptionRecord): ExceptionView {
  const resolved = record.status === 'RESOLVED';
  return {
    exceptionId: record.exceptionId,
    status: resolved ? 'RESOLVED' : 'OPEN',
    dealId: record.dealId,
    entityType: record.entityType,
    entityId: record.entityId,
    code: record.code ?? '',
    message: record.message ?? '',
    remediation: record.remediation ?? '',
    details: record.details,
    raisedAt: new Date(record.raisedAt ?? 0).toISOString(),
    resolvedAt: resolved && record.resolvedAt !== null ? new Date(record.resolvedAt).toISOString() : null,
    resolution: resolved ? record.resolution : null,
  };
}
