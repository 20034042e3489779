/**
 * Projections: versions of the reporting read model, each built from the event log into its own
 * tables. One is ACTIVE (answers queries); a rebuild creates a BUILDING one that replays the log
 * while the live consumer also writes to it, and replaces the active one once it has caught up;
 * unless the log no longer holds everything the active one was built from: then it is REFUSED.
 */
export const PROJECTION_STATES = ['BUILDING', 'ACTIVE', 'RETIRED', 'REFUSED'] as const;
export type ProjectionState = (typeof PROJECTION_STATES)[number];

/** Where a rebuild starts reading the log: its beginning, or the first event at or after a time. */
/**
 * Where a rebuild reads from: the whole log, the log from a point in time, or the current-state topics
 * where there are some (`rebuild-sources.ts`) and the whole log elsewhere.
 */
export type RebuildStart =
  { from: 'beginning' } | { from: 'timestamp'; at: number } | { from: 'current-state' };

export interface Projection {
  version: number;
  state: ProjectionState;
  /** Epoch milliseconds the rebuild started reading at; null for the beginning of the log. */
  fromTimestamp: number | null;
  /** Read the current-state topics instead of the event topics they summarise. */
  fromCurrentState: boolean;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  droppedAt: number | null;
}

/** Lag of one partition of a consumed topic: log end offset minus the group's committed offset. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export interface RebuildProgress {
  /** Events still to replay, over all partitions. */
  lag: number;
  partitionsBehind: number;
  /** Every partition replayed up to its end: the projection may replace the active one. */
  caughtUp: boolean;
}

export function schemaOf(version: number): string {
  return `projection_${version}`;
}

/**
 * The inbox key of a projection. The live consumer and the rebuild consumer writing the same
 * projection share it, so an event both of them see lands in that projection exactly once.
 */
export function inboxKeyOf(groupId: string, version: number): string {
  return `${groupId}@${schemaOf(version)}`;
}

/** The Kafka consumer group replaying the log into a projection (its own offsets, its own lag). */
export function rebuildGroupOf(groupId: string, version: number): string {
  return `${groupId}.rebuild.${version}`;
}

export function rebuildStartOf(
  projection: Pick<Projection, 'fromTimestamp' | 'fromCurrentState'>,
): RebuildStart {
  if (projection.fromCurrentState) return { from: 'current-state' };
  return projection.fromTimestamp === null
    ? { from: 'beginning' }
    : { from: 'timestamp', at: projection.fromTimestamp };
}

/** Caught up only when every partition was seen and none is behind (no partitions: nothing known yet). */
export function rebuildProgress(partitions: readonly PartitionLag[]): RebuildProgress {
  const behind = partitions.filter((partition) => partition.lag > 0);
  return {
    lag: behind.reduce((sum, partition) => sum + partition.lag, 0),
    partitionsBehind: behind.length,
    caughtUp: partitions.length > 0 && behind.length === 0,
  };
}

/** Projections the live consumer writes to: the active one and, during a rebuild, the new one. */
export function writeTargets<P extends Pick<Projection, 'state'>>(projections: readonly P[]): P[] {
  return projections.filter((projection) => projection.state === 'ACTIVE' || projection.state === 'BUILDING');
}

/** Whether a projection's tables may be dropped: only a retired or refused one, and only once. */
export function droppable(projection: Pick<Projection, 'state' | 'droppedAt'>): boolean {
  return (projection.state === 'RETIRED' || projection.state === 'REFUSED') && projection.droppedAt === null;
}
