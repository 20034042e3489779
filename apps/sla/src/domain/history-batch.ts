import { ActualState } from './roi-history';

/** One ActualChanged: an actual's state as of `changedAt`. */
export interface ActualChange extends ActualState {
  projectId: string;
  /** Epoch ms of this status. */
  changedAt: number;
}

/** A business exception event: a raise (with its owner) or a resolution, at the event's time. */
export type ExceptionEvent =
  | { kind: 'raised'; exceptionId: string; ownerRole: string; at: number }
  | { kind: 'resolved'; exceptionId: string; at: number };

/** What a batch of exception events changes for one exception (null: nothing seen). */
export interface ExceptionUpdate {
  exceptionId: string;
  /** The last raise's owner, in event order. */
  ownerRole: string | null;
  firstRaisedAt: number | null;
  lastRaisedAt: number | null;
  resolvedAt: number | null;
}

/**
 * The latest change per actual, sorted by actual id: a later `changedAt` wins and of two at the
 * same time the later in the batch (the last published), as when they are stored one by one.
 */
export function latestActualChanges<C extends ActualChange>(changes: readonly C[]): C[] {
  const latest = new Map<string, C>();
  for (const change of changes) {
    const kept = latest.get(change.actualId);
    if (!kept || kept.changedAt <= change.changedAt) latest.set(change.actualId, change);
  }
  return [...latest.values()].sort((a, b) => compare(a.actualId, b.actualId));
}

/**
 * Exception events folded per exception, sorted by id: the first and last raise, the latest
 * resolution (the stored row then takes the least/greatest of its own and these).
 */
export function exceptionUpdates(events: readonly ExceptionEvent[]): ExceptionUpdate[] {
  const updates = new Map<string, ExceptionUpdate>();
  for (const event of events) {
    const update = updates.get(event.exceptionId) ?? {
      exceptionId: event.exceptionId,
      ownerRole: null,
      firstRaisedAt: null,
      lastRaisedAt: null,
      resolvedAt: null,
    };
    if (event.kind === 'raised') {
      update.ownerRole = event.ownerRole;
      update.firstRaisedAt = least(update.firstRaisedAt, event.at);
      update.lastRaisedAt = greatest(update.lastRaisedAt, event.at);
    } else {
      update.resolvedAt = greatest(update.resolvedAt, event.at);
    }
    updates.set(event.exceptionId, update);
  }
  return [...updates.values()].sort((a, b) => compare(a.exceptionId, b.exceptionId));
}

function least(stored: number | null, at: number): number {
  return stored === null ? at : Math.min(stored, at);
}

function greatest(stored: number | null, at: number): number {
  return stored === null ? at : Math.max(stored, at);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
