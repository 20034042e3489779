import { sampleEventRecord } from '@throughline/contracts/testing';

import { checkClock, endClock, startClock } from './clock';
import { consumedEventTypes, ObservedEvent, observationsOf } from './observation';
import { resolveSlaConfig } from './sla-definition';

const slas = resolveSlaConfig(undefined);
const T0 = Date.parse('2026-11-27T10:00:00Z'); // a Friday
const HOUR = 3_600_000;

function event(eventType: string, payload: Record<string, unknown>, occurredAt = T0): ObservedEvent {
  return { eventType, eventId: `evt-${eventType}`, occurredAt, payload };
}

describe('observationsOf', () => {
  it('starts the project-setup clock on DealWon with the deal amount at risk', () => {
    expect(
      observationsOf(slas, event('DealWon', { dealId: 'D-1', amountMinor: 1_250_000, currency: 'EUR' })),
    ).toEqual([
      {
        terms: { sla: 'PROJECT_SETUP', ownerRole: 'DELIVERY', entityType: 'deal', thresholdMs: 900_000 },
        role: 'start',
        entityId: 'D-1',
        dealId: 'D-1',
        at: T0,
        moneyAtRiskMinor: 1_250_000,
        currency: 'EUR',
      },
    ]);
  });

  it('ends it only on the condition (status READY)', () => {
    expect(observationsOf(slas, event('ProjectSetupCompleted', { dealId: 'D-1', status: 'FAILED' }))).toEqual(
      [],
    );
    expect(observationsOf(slas, event('ProjectSetupCompleted', { dealId: 'D-1', status: 'READY' }))).toEqual([
      expect.objectContaining({
        role: 'end',
        entityId: 'D-1',
        terms: expect.objectContaining({ sla: 'PROJECT_SETUP' }),
      }),
    ]);
  });

  it('keys the staffing-demand clock on the project', () => {
    expect(
      observationsOf(
        slas,
        event('ProjectCreated', { projectId: 'P-1', dealId: 'D-1', budgetMinor: 90_000, currency: 'USD' }),
      ),
    ).toEqual([
      expect.objectContaining({ role: 'start', entityId: 'P-1', dealId: 'D-1', moneyAtRiskMinor: 90_000 }),
    ]);
  });

  it('ignores an event without the key and disabled SLAs', () => {
    expect(observationsOf(slas, event('DealWon', { dealId: '' }))).toEqual([]);
    const disabled = slas.map((sla) => ({ ...sla, enabled: false }));
    expect(observationsOf(disabled, event('DealWon', { dealId: 'D-1' }))).toEqual([]);
  });

  describe('TIME_TO_BILLING', () => {
    const approved = sampleEventRecord('TimeEntryApproved').data;
    const actual = sampleEventRecord('ActualChanged').data;

    it('starts per time entry without money (unknown until priced)', () => {
      expect(observationsOf(slas, event('TimeEntryApproved', { ...approved, entryId: 'TE-1' }))).toEqual([
        {
          terms: {
            sla: 'TIME_TO_BILLING',
            ownerRole: 'FINANCE_OPERATIONS',
            entityType: 'timeEntry',
            thresholdMs: HOUR,
          },
          role: 'start',
          entityId: 'TE-1',
          dealId: null,
          at: T0,
          moneyAtRiskMinor: null,
          currency: null,
        },
      ]);
    });

    it('ends on a priced actual of the entry with its bill amount, never on UNPRICED or an expense', () => {
      const priced = { ...actual, actualId: 'TE-1', status: 'UNBILLED', billAmountMinor: 112_500 };
      expect(observationsOf(slas, event('ActualChanged', priced))).toEqual([
        expect.objectContaining({
          role: 'end',
          entityId: 'TE-1',
          dealId: actual.dealId,
          moneyAtRiskMinor: 112_500,
          currency: 'EUR',
          terms: expect.objectContaining({ sla: 'TIME_TO_BILLING' }),
        }),
      ]);
      expect(observationsOf(slas, event('ActualChanged', { ...priced, status: 'INVOICED' }))).toHaveLength(1);
      expect(
        observationsOf(slas, event('ActualChanged', { ...priced, status: 'UNPRICED', billAmountMinor: 0 })),
      ).toEqual([]);
      expect(observationsOf(slas, event('ActualChanged', { ...priced, kind: 'EXPENSE' }))).toEqual([]);
    });

    it('lets a correction (TimeEntryApproved revision 2) open no second clock, restart none and breach none', () => {
      const [first] = observationsOf(slas, event('TimeEntryApproved', { ...approved, entryId: 'TE-1' }));
      const corrections = observationsOf(
        slas,
        event(
          'TimeEntryApproved',
          { ...approved, entryId: 'TE-1', revision: 2, correctionReason: 'wrong hours' },
          T0 + 5 * HOUR,
        ),
      );
      // The same clock (SLA and entry id) as the first approval: a start, not a clock of its own.
      expect(corrections).toEqual([{ ...first, at: T0 + 5 * HOUR }]);
      const [correction] = corrections;
      if (!first || !correction) throw new Error('expected start observations');

      const running = startClock(null, first.terms, first).clock;
      const corrected = startClock(running, correction.terms, correction);
      expect(corrected).toEqual({ clock: running, changed: false, breached: null, recovered: null });
      expect(checkClock(corrected.clock, T0 + 30 * 60_000).changed).toBe(false);

      const [priced] = observationsOf(
        slas,
        event('ActualChanged', { ...actual, actualId: 'TE-1', status: 'UNBILLED' }, T0 + 20 * 60_000),
      );
      if (!priced) throw new Error('expected an end observation');
      const met = endClock(running, priced.terms, priced).clock;
      expect(met.status).toBe('MET');
      const afterMet = startClock(met, correction.terms, correction);
      expect(afterMet).toEqual({ clock: met, changed: false, breached: null, recovered: null });
      expect(checkClock(afterMet.clock, T0 + 10 * HOUR).changed).toBe(false);
    });
  });

  describe('INVOICE_AFTER_CLOSE', () => {
    const closed = {
      period: '2026-10',
      closedAt: T0,
      closedBy: 'U-9',
      draftInvoices: [
        {
          invoiceId: 'INV-1',
          customerId: 'C-1',
          legalEntityId: 'LE-DE',
          currency: 'EUR',
          totalMinor: 131_450,
          lineCount: 2,
        },
        {
          invoiceId: 'INV-2',
          customerId: 'C-2',
          legalEntityId: 'LE-US',
          currency: 'USD',
          totalMinor: 99_000,
          lineCount: 1,
        },
      ],
    };

    it('opens one clock per draft invoice, due on the next business day, from closedAt', () => {
      // Published 5 minutes after the close; the clock starts at closedAt (Friday) and is due Monday.
      const observations = observationsOf(slas, event('BillingPeriodClosed', closed, T0 + 300_000));
      expect(observations).toEqual([
        {
          terms: {
            sla: 'INVOICE_AFTER_CLOSE',
            ownerRole: 'FINANCE_OPERATIONS',
            entityType: 'invoice',
            thresholdMs: 72 * HOUR,
          },
          role: 'start',
          entityId: 'INV-1',
          dealId: null,
          at: T0,
          moneyAtRiskMinor: 131_450,
          currency: 'EUR',
        },
        expect.objectContaining({ entityId: 'INV-2', at: T0, moneyAtRiskMinor: 99_000, currency: 'USD' }),
      ]);
    });

    it('allows one day for a Wednesday close and opens nothing for a close without drafts', () => {
      const wednesday = Date.parse('2026-11-25T18:00:00Z');
      expect(
        observationsOf(slas, event('BillingPeriodClosed', { ...closed, closedAt: wednesday }))[0].terms
          .thresholdMs,
      ).toBe(24 * HOUR);
      expect(observationsOf(slas, event('BillingPeriodClosed', { ...closed, draftInvoices: [] }))).toEqual(
        [],
      );
    });

    it('ends on InvoiceIssued for the invoice at issuedAt', () => {
      const issued = { ...sampleEventRecord('InvoiceIssued').data, invoiceId: 'INV-1', issuedAt: T0 + HOUR };
      expect(observationsOf(slas, event('InvoiceIssued', issued, T0 + 2 * HOUR))).toEqual([
        expect.objectContaining({ role: 'end', entityId: 'INV-1', at: T0 + HOUR }),
      ]);
    });
  });

  describe('FORECAST_REFRESH', () => {
    it('starts per assignment change, keyed by its eventId, and ends on the forecast citing it', () => {
      const changed = {
        ...sampleEventRecord('AssignmentChanged').data,
        forecastCostMinor: 560_000,
        currency: 'EUR',
      };
      expect(observationsOf(slas, { ...event('AssignmentChanged', changed), eventId: 'evt-A' })).toEqual([
        expect.objectContaining({
          role: 'start',
          entityId: 'evt-A',
          moneyAtRiskMinor: 560_000,
          terms: expect.objectContaining({ sla: 'FORECAST_REFRESH', ownerRole: 'RESOURCE_MANAGEMENT' }),
        }),
      ]);
      const refreshed = { ...sampleEventRecord('ProjectForecastUpdated').data, triggerEventId: 'evt-A' };
      expect(observationsOf(slas, event('ProjectForecastUpdated', refreshed))).toEqual([
        expect.objectContaining({ role: 'end', entityId: 'evt-A' }),
      ]);
    });
  });
});

describe('consumedEventTypes', () => {
  it('lists the start and end events of enabled SLAs once', () => {
    expect(consumedEventTypes(slas)).toEqual([
      'ActualChanged',
      'AssignmentChanged',
      'BillingPeriodClosed',
      'DealWon',
      'InvoiceIssued',
      'ProjectCreated',
      'ProjectForecastUpdated',
      'ProjectSetupCompleted',
      'StaffingDemandPublished',
      'TimeEntryApproved',
    ]);
  });
});
