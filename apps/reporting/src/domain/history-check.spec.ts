import { checkHistory } from './history-check';

const DEALS = 'throughline.deal.deal-won';
const INVOICES = 'throughline.billing.invoice-issued';

describe('checkHistory', () => {
  it('lets a rebuild switch when the log still holds everything', () => {
    expect(
      checkHistory({
        missingEvents: [{ eventType: 'DealWon', topic: DEALS, events: 0 }],
        activeFirst: [{ topic: DEALS, partition: 0, offset: 5 }],
        rebuiltFirst: [
          { topic: DEALS, partition: 0, offset: 5 },
          { topic: INVOICES, partition: 1, offset: 0 },
        ],
      }),
    ).toBeNull();
  });

  it('refuses when events the active projection recorded are missing, naming the lost offsets', () => {
    const refusal = checkHistory({
      missingEvents: [{ eventType: 'InvoiceIssued', topic: INVOICES, events: 7 }],
      activeFirst: [],
      rebuiltFirst: [
        { topic: INVOICES, partition: 2, offset: 4 },
        { topic: INVOICES, partition: 0, offset: 3 },
        { topic: DEALS, partition: 0, offset: 0 },
      ],
    });
    expect(refusal?.missing).toEqual([
      {
        topic: INVOICES,
        eventType: 'InvoiceIssued',
        missingEvents: 7,
        lostOffsets: [
          { partition: 0, from: 0, to: 2 },
          { partition: 2, from: 0, to: 3 },
        ],
      },
    ]);
    expect(refusal?.reason).toBe(
      `the log no longer holds everything the active projection was built from (7 of its events missing; ` +
        `${INVOICES}: partition 0 offsets 0-2, partition 2 offsets 0-3); the active projection stays in place`,
    );
  });

  it('refuses when a log start moved past the first offset the active projection consumed', () => {
    expect(
      checkHistory({
        missingEvents: [],
        activeFirst: [{ topic: DEALS, partition: 1, offset: 10 }],
        rebuiltFirst: [{ topic: DEALS, partition: 1, offset: 25 }],
      })?.missing,
    ).toEqual([
      { topic: DEALS, eventType: null, missingEvents: 0, lostOffsets: [{ partition: 1, from: 10, to: 24 }] },
    ]);
  });

  it('does not take a log that starts late for a loss when the active projection never read there', () => {
    // Projection 1 kept no first offsets; without missing events a late log start is no evidence.
    expect(
      checkHistory({
        missingEvents: [],
        activeFirst: [],
        rebuiltFirst: [{ topic: DEALS, partition: 1, offset: 25 }],
      }),
    ).toBeNull();
  });
});
