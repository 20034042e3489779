import { sampleEventRecord } from '@throughline/contracts/testing';

import { actualChangedOfState, replayedEventTypes } from './rebuild-sources';
import { REPORTED_EVENT_TYPES } from './timeline-entry';

describe('rebuild sources', () => {
  it('replays ActualState instead of ActualChanged from current state, and every reported type otherwise', () => {
    expect(replayedEventTypes(false)).toEqual([...REPORTED_EVENT_TYPES]);
    const fromState = replayedEventTypes(true);
    expect(fromState).toContain('ActualState');
    expect(fromState).not.toContain('ActualChanged');
    expect(fromState).toHaveLength(REPORTED_EVENT_TYPES.length);
  });

  it('reads an actual state as the ActualChanged it stands for', () => {
    const state = sampleEventRecord('ActualState').data;
    // workDate 20,212 days after 1970-01-01 is 2025-05-04.
    expect(actualChangedOfState(state)).toEqual({
      actualId: 'TE-1',
      kind: 'TIME',
      projectId: 'PRJ-deal-1001-LE-DE',
      dealId: 'deal-1001',
      customerId: 'CUST-1',
      legalEntityId: 'LE-DE',
      personId: 'P-ADA',
      role: 'Consultant',
      workDate: '2025-05-04',
      hoursHundredths: 800,
      billable: true,
      currency: 'EUR',
      rateMinor: 15_000,
      rateCardId: 'RC-DE-2025',
      billAmountMinor: 120_000,
      costRateMinor: 9_000,
      costAmountMinor: 72_000,
      billingPeriod: '2025-05',
      status: 'INVOICED',
      invoiceId: 'INV-2025-05-CUST-1-LE-DE-EUR',
      approvedAt: state.approvedAt,
      changedAt: state.changedAt,
      changedBy: null,
    });
  });

  it('keeps the date of an invalid entry as approved', () => {
    const state = {
      ...sampleEventRecord('ActualState').data,
      workDate: null,
      workDateAsApproved: '2030-02-30',
    };
    expect(actualChangedOfState(state)?.workDate).toBe('2030-02-30');
  });

  it('skips an actual whose project billing does not know', () => {
    const state = { ...sampleEventRecord('ActualState').data, dealId: null, customerId: null };
    expect(actualChangedOfState(state)).toBeNull();
  });
});
