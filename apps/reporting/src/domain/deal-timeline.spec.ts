import {
  buildTimeline,
  deriveDealStatus,
  listDeals,
  mergeDealDetails,
  StatusStep,
  TimelineStep,
} from './deal-timeline';
import { TimelineStepName } from './timeline-entry';

let nextId = 0;
function step(
  name: TimelineStepName,
  occurredAt: string,
  recordedAt = '2026-02-01T00:00:00.000Z',
): StatusStep {
  nextId += 1;
  return { step: name, occurredAt, recordedAt, eventId: `e-${String(nextId).padStart(3, '0')}` };
}

function timelineStep(partial: StatusStep): TimelineStep {
  return {
    ...partial,
    entityType: 'Deal',
    entityId: 'D-1',
    status: 'COMPLETED',
    summary: partial.step,
    correlationId: 'corr',
    causationId: null,
    eventType: 'DealWon',
    source: 'test',
  };
}

describe('deriveDealStatus', () => {
  const won = step('DEAL_WON', '2026-01-01T09:00:00.000Z');

  it('is IN_PROGRESS until a setup outcome arrives', () => {
    expect(deriveDealStatus([], 0)).toBe('IN_PROGRESS');
    expect(deriveDealStatus([won, step('PROJECT_CREATED', '2026-01-01T10:00:00.000Z')], 0)).toBe(
      'IN_PROGRESS',
    );
  });

  it('follows the latest setup outcome by occurredAt, whatever the arrival order', () => {
    const overdue = step('SETUP_OVERDUE', '2026-01-03T00:00:00.000Z');
    const ready = step('SETUP_READY', '2026-01-04T00:00:00.000Z');
    expect(deriveDealStatus([won, overdue], 0)).toBe('OVERDUE');
    expect(deriveDealStatus([won, ready, overdue], 0)).toBe('READY');
    expect(deriveDealStatus([ready, won], 0)).toBe('READY');
  });

  it('is BLOCKED while any exception is open, even after READY', () => {
    expect(deriveDealStatus([won, step('SETUP_READY', '2026-01-04T00:00:00.000Z')], 1)).toBe('BLOCKED');
    expect(deriveDealStatus([], 2)).toBe('BLOCKED');
  });

  it('is BLOCKED after a failed setup until an exception is resolved later', () => {
    const failed = step('SETUP_FAILED', '2026-01-02T00:00:00.000Z');
    expect(deriveDealStatus([won, failed], 0)).toBe('BLOCKED');
    expect(deriveDealStatus([step('EXCEPTION_RESOLVED', '2026-01-01T12:00:00.000Z'), failed], 0)).toBe(
      'BLOCKED',
    );
    expect(deriveDealStatus([failed, step('EXCEPTION_RESOLVED', '2026-01-02T12:00:00.000Z')], 0)).toBe(
      'IN_PROGRESS',
    );
  });

  it('uses recordedAt to order steps that occurred at the same instant', () => {
    const at = '2026-01-02T00:00:00.000Z';
    const ready = step('SETUP_READY', at, '2026-02-01T00:00:02.000Z');
    const overdue = step('SETUP_OVERDUE', at, '2026-02-01T00:00:01.000Z');
    expect(deriveDealStatus([ready, overdue], 0)).toBe('READY');
  });
});

describe('buildTimeline', () => {
  it('orders steps by occurredAt, then recordedAt, then eventId, and derives the status', () => {
    const late = timelineStep(step('SETUP_READY', '2026-01-05T00:00:00.000Z'));
    const first = timelineStep(step('DEAL_WON', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:09.000Z'));
    const sameTimeRecordedEarlier = timelineStep(
      step('CONTRACT_APPROVED', '2026-01-02T00:00:00.000Z', '2026-02-01T00:00:01.000Z'),
    );
    const sameTimeRecordedLater = timelineStep(
      step('PROJECT_CREATED', '2026-01-02T00:00:00.000Z', '2026-02-01T00:00:05.000Z'),
    );
    const timeline = buildTimeline(
      { dealId: 'D-1', dealName: 'ERP', customerName: 'Acme' },
      [late, sameTimeRecordedLater, first, sameTimeRecordedEarlier],
      0,
    );
    expect(timeline).toMatchObject({ dealId: 'D-1', dealName: 'ERP', customerName: 'Acme', status: 'READY' });
    expect(timeline.steps.map((s) => s.step)).toEqual([
      'DEAL_WON',
      'CONTRACT_APPROVED',
      'PROJECT_CREATED',
      'SETUP_READY',
    ]);
  });
});

describe('mergeDealDetails', () => {
  const won = {
    details: { dealName: 'ERP rollout', customerName: 'Acme', currency: 'EUR', amountMinor: 100 },
    authoritative: true,
  };

  it('lets a gap filler only fill gaps and an authoritative source overwrite', () => {
    const fromContract = mergeDealDetails(null, {
      details: { dealName: 'From contract' },
      authoritative: false,
    });
    expect(fromContract).toEqual({
      dealName: 'From contract',
      customerName: null,
      currency: null,
      amountMinor: null,
    });
    const afterWon = mergeDealDetails(fromContract, won);
    expect(afterWon).toEqual(won.details);
    expect(mergeDealDetails(afterWon, { details: { dealName: 'Other' }, authoritative: false })).toEqual(
      won.details,
    );
    expect(mergeDealDetails(afterWon, null)).toEqual(won.details);
  });
});

describe('listDeals', () => {
  const facts = (
    dealId: string,
    lastActivityAt: string | null,
    statusSteps: StatusStep[] = [],
    openExceptions = 0,
  ) => ({
    dealId,
    dealName: null,
    customerName: null,
    currency: null,
    amountMinor: null,
    statusSteps,
    openExceptions,
    stepCount: statusSteps.length,
    lastActivityAt,
  });

  it('lists the most recently active first with derived statuses, optionally filtered', () => {
    const deals = [
      facts('D-A', '2026-01-01T00:00:00.000Z'),
      facts('D-B', '2026-01-03T00:00:00.000Z', [step('SETUP_READY', '2026-01-03T00:00:00.000Z')]),
      facts('D-C', '2026-01-02T00:00:00.000Z', [], 1),
      facts('D-D', null),
    ];
    expect(listDeals(deals).map((d) => [d.dealId, d.status])).toEqual([
      ['D-B', 'READY'],
      ['D-C', 'BLOCKED'],
      ['D-A', 'IN_PROGRESS'],
      ['D-D', 'IN_PROGRESS'],
    ]);
    expect(listDeals(deals, 'BLOCKED').map((d) => d.dealId)).toEqual(['D-C']);
    expect(listDeals(deals)[0]).not.toHaveProperty('statusSteps');
  });
});
