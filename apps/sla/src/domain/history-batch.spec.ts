import { ActualChange, exceptionUpdates, latestActualChanges } from './history-batch';

const T0 = 1_700_000_000_000;

function change(actualId: string, status: string, changedAt: number): ActualChange {
  return {
    actualId,
    projectId: 'P-1',
    billable: true,
    status,
    billingPeriod: '2026-11',
    currency: 'EUR',
    billAmountMinor: 10_000,
    changedAt,
  };
}

describe('history of a batch', () => {
  it('keeps the latest change per actual; of two at the same time the later one in the batch', () => {
    expect(
      latestActualChanges([
        change('B', 'UNBILLED', T0),
        change('A', 'INVOICED', T0 + 2),
        change('A', 'UNBILLED', T0 + 1),
        change('B', 'READY_TO_INVOICE', T0),
      ]),
    ).toEqual([change('A', 'INVOICED', T0 + 2), change('B', 'READY_TO_INVOICE', T0)]);
  });

  it('folds raises and resolutions per exception: first and last raise, latest resolution, last owner', () => {
    expect(
      exceptionUpdates([
        { kind: 'raised', exceptionId: 'EX-2', ownerRole: 'FINANCE_OPERATIONS', at: T0 + 30 },
        { kind: 'resolved', exceptionId: 'EX-1', at: T0 + 60 },
        { kind: 'raised', exceptionId: 'EX-2', ownerRole: 'SALES_OPERATIONS', at: T0 },
        { kind: 'resolved', exceptionId: 'EX-1', at: T0 + 50 },
      ]),
    ).toEqual([
      { exceptionId: 'EX-1', ownerRole: null, firstRaisedAt: null, lastRaisedAt: null, resolvedAt: T0 + 60 },
      {
        exceptionId: 'EX-2',
        ownerRole: 'SALES_OPERATIONS',
        firstRaisedAt: T0,
        lastRaisedAt: T0 + 30,
        resolvedAt: null,
      },
    ]);
  });
});
