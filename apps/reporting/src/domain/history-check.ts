/**
 * Whether a rebuilt projection holds everything the active one was built from. A rebuild from the
 * beginning reads what the log still holds; when retention (or deleteRecords) has moved a
 * partition's log start past what the active projection consumed, the rebuilt one silently lacks
 * that history, and switching to it would lose figures. Such a rebuild is refused instead.
 */

/** The first offset a projection consumed (or will consume) on one partition. */
export interface SourceOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** Events of one type the active projection recorded before the rebuild began that the rebuilt one lacks. */
export interface MissingEvents {
  eventType: string;
  topic: string;
  events: number;
}

export interface LostRange {
  partition: number;
  /** Inclusive offsets no longer in the log. */
  from: number;
  to: number;
}

export interface MissingHistory {
  topic: string;
  /** Null when the offsets are gone but no event the active projection recorded is known to be missing. */
  eventType: string | null;
  missingEvents: number;
  lostOffsets: LostRange[];
}

export interface RebuildRefusal {
  reason: string;
  missing: MissingHistory[];
}

export interface HistoryCheckInput {
  /** Per event type, from the two projections' inboxes. */
  missingEvents: readonly MissingEvents[];
  /** First offsets the active projection consumed; empty when not recorded (projection 1). */
  activeFirst: readonly SourceOffset[];
  /** First offsets the rebuild consumed: the log start offsets when it began. */
  rebuiltFirst: readonly SourceOffset[];
}

/**
 * Null when the rebuilt projection may replace the active one. Refused when events the active one
 * recorded are missing from it, or when a partition's log start moved past the first offset the
 * active projection is known to have consumed. Lost offsets are named per partition: from the
 * active projection's first offset (0 when it was not recorded) up to the rebuild's first offset.
 */
export function checkHistory(input: HistoryCheckInput): RebuildRefusal | null {
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  const activeFirst = new Map(input.activeFirst.map((s) => [key(s.topic, s.partition), s.offset]));
  const known = activeFirst.size > 0;
  const lost = new Map<string, LostRange[]>();
  for (const start of input.rebuiltFirst) {
    const from = activeFirst.get(key(start.topic, start.partition)) ?? 0;
    if (start.offset > from) {
      const ranges = lost.get(start.topic) ?? [];
      ranges.push({ partition: start.partition, from, to: start.offset - 1 });
      lost.set(start.topic, ranges);
    }
  }
  const missing: MissingHistory[] = input.missingEvents
    .filter((m) => m.events > 0)
    .map((m) => ({
      topic: m.topic,
      eventType: m.eventType,
      missingEvents: m.events,
      lostOffsets: sortRanges(lost.get(m.topic) ?? []),
    }));
  if (known) {
    const named = new Set(missing.map((m) => m.topic));
    for (const [topic, ranges] of lost) {
      if (!named.has(topic))
        missing.push({ topic, eventType: null, missingEvents: 0, lostOffsets: sortRanges(ranges) });
    }
  }
  if (missing.length === 0) return null;
  missing.sort((a, b) => a.topic.localeCompare(b.topic));
  const events = missing.reduce((sum, m) => sum + m.missingEvents, 0);
  return {
    reason:
      `the log no longer holds everything the active projection was built from ` +
      `(${events} of its events missing; ${missing.map(describe).join('; ')}); ` +
      `the active projection stays in place`,
    missing,
  };
}

function describe(missing: MissingHistory): string {
  const ranges = missing.lostOffsets.map((r) => `partition ${r.partition} offsets ${r.from}-${r.to}`);
  return `${missing.topic}: ${ranges.length > 0 ? ranges.join(', ') : 'offsets unknown'}`;
}

function sortRanges(ranges: LostRange[]): LostRange[] {
  return [...ranges].sort((a, b) => a.partition - b.partition);
}
