import {
  droppable,
  inboxKeyOf,
  rebuildGroupOf,
  rebuildProgress,
  rebuildStartOf,
  schemaOf,
  writeTargets,
} from './projection';

describe('projections', () => {
  it('names the schema, inbox key and rebuild group of a version', () => {
    expect(schemaOf(3)).toBe('projection_3');
    expect(inboxKeyOf('throughline.reporting', 3)).toBe('throughline.reporting@projection_3');
    expect(rebuildGroupOf('throughline.reporting', 3)).toBe('throughline.reporting.rebuild.3');
  });

  it('starts a rebuild at the beginning of the log, at its timestamp, or from current state', () => {
    expect(rebuildStartOf({ fromTimestamp: null, fromCurrentState: false })).toEqual({ from: 'beginning' });
    expect(rebuildStartOf({ fromTimestamp: 1_700_000_000_000, fromCurrentState: false })).toEqual({
      from: 'timestamp',
      at: 1_700_000_000_000,
    });
    expect(rebuildStartOf({ fromTimestamp: null, fromCurrentState: true })).toEqual({ from: 'current-state' });
  });

  it('is caught up only when every partition has lag 0', () => {
    const lag = (topic: string, partition: number, behind: number) => ({ topic, partition, lag: behind });
    expect(rebuildProgress([lag('a', 0, 0), lag('a', 1, 4), lag('b', 0, 3)])).toEqual({
      lag: 7,
      partitionsBehind: 2,
      caughtUp: false,
    });
    expect(rebuildProgress([lag('a', 0, 0), lag('b', 0, 0)])).toEqual({
      lag: 0,
      partitionsBehind: 0,
      caughtUp: true,
    });
    expect(rebuildProgress([]).caughtUp).toBe(false);
  });

  it('writes live events to the active and the building projection, never to a retired or refused one', () => {
    const projections = [
      { version: 1, state: 'RETIRED' as const },
      { version: 2, state: 'ACTIVE' as const },
      { version: 3, state: 'REFUSED' as const },
      { version: 4, state: 'BUILDING' as const },
    ];
    expect(writeTargets(projections).map((p) => p.version)).toEqual([2, 4]);
  });

  it('drops only retired or refused projections, once', () => {
    expect(droppable({ state: 'RETIRED', droppedAt: null })).toBe(true);
    expect(droppable({ state: 'RETIRED', droppedAt: 1 })).toBe(false);
    expect(droppable({ state: 'REFUSED', droppedAt: null })).toBe(true);
    expect(droppable({ state: 'ACTIVE', droppedAt: null })).toBe(false);
    expect(droppable({ state: 'BUILDING', droppedAt: null })).toBe(false);
  });
});
