import { UsageError } from './errors';
import { describeFilter, FilterableMessage, matchesFilter, readRanges } from './filters';

const message: FilterableMessage = {
  partition: 1,
  offset: 10,
  timestamp: Date.parse('2026-03-01T10:00:00Z'),
  key: 'deal-1',
  errorClass: 'PoisonMessageError',
  correlationIds: ['corr-header', 'corr-envelope'],
};

describe('matchesFilter', () => {
  it('matches everything with an empty filter', () => {
    expect(matchesFilter({}, message)).toBe(true);
  });

  it.each([
    [{ errorClass: 'PoisonMessageError' }, true],
    [{ errorClass: 'TransientError' }, false],
    [{ key: 'deal-1' }, true],
    [{ key: 'deal-2' }, false],
    [{ correlationId: 'corr-header' }, true],
    [{ correlationId: 'corr-envelope' }, true],
    [{ correlationId: 'corr-other' }, false],
    [{ since: message.timestamp }, true],
    [{ since: message.timestamp + 1 }, false],
    [{ until: message.timestamp + 1 }, true],
    [{ until: message.timestamp }, false],
    [{ partition: 1 }, true],
    [{ partition: 0 }, false],
    [{ partition: 1, fromOffset: 10, toOffset: 10 }, true],
    [{ partition: 1, fromOffset: 11 }, false],
    [{ partition: 1, toOffset: 9 }, false],
    [{ key: 'deal-1', errorClass: 'TransientError' }, false],
  ])('%j → %s', (filter, expected) => {
    expect(matchesFilter(filter, message)).toBe(expected);
  });

  it('does not match a missing error class or key', () => {
    expect(matchesFilter({ errorClass: 'X' }, { ...message, errorClass: undefined })).toBe(false);
    expect(matchesFilter({ key: 'deal-1' }, { ...message, key: null })).toBe(false);
  });
});

describe('readRanges', () => {
  const partitions = [
    { partition: 1, low: 5, high: 20 },
    { partition: 0, low: 0, high: 3 },
    { partition: 2, low: 7, high: 7 },
  ];

  it('reads every partition from log start to end, in partition order', () => {
    expect(readRanges({}, partitions)).toEqual([
      { partition: 0, start: 0, end: 3 },
      { partition: 1, start: 5, end: 20 },
      { partition: 2, start: 7, end: 7 },
    ]);
  });

  it('narrows to one partition and an inclusive offset range, clamped to what exists', () => {
    expect(readRanges({ partition: 1, fromOffset: 2, toOffset: 9 }, partitions)).toEqual([
      { partition: 1, start: 5, end: 10 },
    ]);
    expect(readRanges({ partition: 1, fromOffset: 30 }, partitions)).toEqual([
      { partition: 1, start: 30, end: 30 },
    ]);
  });

  it('starts at the first offset at or after --since when known', () => {
    expect(readRanges({}, partitions, new Map([[1, 12]]))).toContainEqual({
      partition: 1,
      start: 12,
      end: 20,
    });
  });

  it('rejects a partition the topic does not have', () => {
    expect(() => readRanges({ partition: 3 }, partitions)).toThrow(UsageError);
    expect(() => readRanges({ partition: 3 }, partitions)).toThrow(
      'partition 3 does not exist (the topic has partitions 0, 1, 2)',
    );
  });
});

describe('describeFilter', () => {
  it('keeps given criteria, times as ISO strings', () => {
    expect(describeFilter({ key: 'k', since: Date.parse('2026-03-01T10:00:00Z'), partition: 0 })).toEqual({
      key: 'k',
      since: '2026-03-01T10:00:00.000Z',
      partition: 0,
    });
  });
});
