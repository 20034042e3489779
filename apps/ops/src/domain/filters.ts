import { UsageError } from './errors';

/** Which dead letters a command applies to; every given criterion must match. */
export interface MessageFilter {
  errorClass?: string;
  /** Epoch ms, inclusive: the dead letter's timestamp (when it was dead-lettered). */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  key?: string;
  correlationId?: string;
  partition?: number;
  /** Inclusive; only with `partition`. */
  fromOffset?: number;
  /** Inclusive; only with `partition`. */
  toOffset?: number;
}

/** What a filter looks at, extracted from one dead letter (headers and, if decodable, its envelope). */
export interface FilterableMessage {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  errorClass: string | undefined;
  /** From the `tl-correlation-id` header and the decoded envelope (either may be missing). */
  correlationIds: readonly string[];
}

export function matchesFilter(filter: MessageFilter, message: FilterableMessage): boolean {
  if (filter.partition !== undefined && message.partition !== filter.partition) return false;
  if (filter.fromOffset !== undefined && message.offset < filter.fromOffset) return false;
  if (filter.toOffset !== undefined && message.offset > filter.toOffset) return false;
  if (filter.since !== undefined && message.timestamp < filter.since) return false;
  if (filter.until !== undefined && message.timestamp >= filter.until) return false;
  if (filter.errorClass !== undefined && message.errorClass !== filter.errorClass) return false;
  if (filter.key !== undefined && message.key !== filter.key) return false;
  if (filter.correlationId !== undefined && !message.correlationIds.includes(filter.correlationId))
    return false;
  return true;
}

/** The offsets a partition currently holds: `low` (log start) up to `high` (exclusive). */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** A slice of one partition to read: offsets `start` (inclusive) to `end` (exclusive). */
export interface ReadRange {
  partition: number;
  start: number;
  end: number;
}

/**
 * The slices of a topic worth reading for `filter`: only its partition, only its offset range,
 * starting at the first offset at or after `since` when those offsets are known. Throws a usage
 * error for a partition the topic does not have.
 */
export function readRanges(
  filter: MessageFilter,
  partitions: readonly PartitionOffsets[],
  sinceOffsets?: ReadonlyMap<number, number>,
): ReadRange[] {
  if (filter.partition !== undefined && !partitions.some((p) => p.partition === filter.partition)) {
    const ids = partitions.map((p) => p.partition).sort((a, b) => a - b);
    throw new UsageError(
      `partition ${filter.partition} does not exist (the topic has partitions ${ids.join(', ')})`,
    );
  }
  return partitions
    .filter((p) => filter.partition === undefined || p.partition === filter.partition)
    .map((p) => {
      const start = Math.max(p.low, filter.fromOffset ?? 0, sinceOffsets?.get(p.partition) ?? 0);
      const end = Math.min(p.high, filter.toOffset === undefined ? p.high : filter.toOffset + 1);
      return { partition: p.partition, start, end: Math.max(start, end) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** The filter as given, for audit records and dry-run output (times as ISO strings). */
export function describeFilter(filter: MessageFilter): Record<string, string | number> {
  const described: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(filter) as [
    keyof MessageFilter,
    string | number | undefined,
  ][]) {
    if (value === undefined) continue;
    described[name] = name === 'since' || name === 'until' ? new Date(value as number).toISOString() : value;
  }
  return described;
}
