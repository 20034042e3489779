import { allowanceMs, InvalidSlaConfig, resolveSlaConfig } from './sla-definition';

const projectSetup = {
  name: 'PROJECT_SETUP',
  ownerRole: 'DELIVERY',
  start: { eventType: 'DealWon', key: 'dealId' },
  end: { eventType: 'ProjectSetupCompleted', key: 'dealId', condition: { status: 'READY' } },
  thresholdMs: 600_000,
  moneyAtRisk: { amountField: 'amountMinor', currencyField: 'currency' },
};

function problemsOf(input: unknown): readonly string[] {
  try {
    resolveSlaConfig(input);
  } catch (error) {
    if (error instanceof InvalidSlaConfig) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('resolveSlaConfig', () => {
  it('uses the built-in defaults without a config, all enabled', () => {
    const slas = resolveSlaConfig(undefined);
    expect(
      slas.map((sla) => [sla.name, sla.ownerRole, sla.thresholdMs, sla.businessDays, sla.enabled]),
    ).toEqual([
      ['PROJECT_SETUP', 'DELIVERY', 900_000, null, true],
      ['STAFFING_DEMAND', 'RESOURCE_MANAGEMENT', 300_000, null, true],
      ['FORECAST_REFRESH', 'RESOURCE_MANAGEMENT', 900_000, null, true],
      ['TIME_TO_BILLING', 'FINANCE_OPERATIONS', 3_600_000, null, true],
      ['INVOICE_AFTER_CLOSE', 'FINANCE_OPERATIONS', null, 1, true],
    ]);
    expect(slas[0]).toMatchObject({
      entityType: 'deal',
      moneyAtRisk: { amountField: 'amountMinor', currencyField: 'currency', from: 'start' },
    });
    expect(slas.find((sla) => sla.name === 'TIME_TO_BILLING')?.moneyAtRisk).toEqual({
      amountField: 'billAmountMinor',
      currencyField: 'currency',
      from: 'end',
    });
  });

  it('merges a firm config over the defaults by name and adds new SLAs', () => {
    const slas = resolveSlaConfig({
      slas: [
        projectSetup,
        {
          name: 'BILLING_SETUP',
          ownerRole: 'FINANCE_OPERATIONS',
          entityType: 'project',
          start: { eventType: 'ProjectCreated', key: 'projectId' },
          end: { eventType: 'BillingProvisioned', key: 'projectId' },
          thresholdMs: 3_600_000,
        },
      ],
    });
    expect(slas.map((sla) => sla.name)).toEqual([
      'STAFFING_DEMAND',
      'FORECAST_REFRESH',
      'TIME_TO_BILLING',
      'INVOICE_AFTER_CLOSE',
      'PROJECT_SETUP',
      'BILLING_SETUP',
    ]);
    expect(slas.find((sla) => sla.name === 'PROJECT_SETUP')?.thresholdMs).toBe(600_000);
    expect(slas.find((sla) => sla.name === 'BILLING_SETUP')).toMatchObject({
      moneyAtRisk: null,
      enabled: true,
    });
  });

  it('rejects malformed entries naming each bad field', () => {
    const problems = problemsOf({
      slas: [{ ...projectSetup, name: 'project setup', ownerRole: 'CEO', thresholdMs: -1, extra: 1 }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\.slas\.0\.name:/),
        expect.stringMatching(/^config\.slas\.0\.ownerRole:/),
        expect.stringMatching(/^config\.slas\.0\.thresholdMs:/),
        expect.stringMatching(/^config\.slas\.0: Unrecognized key/),
      ]),
    );
    expect(problemsOf([projectSetup])).toEqual([expect.stringMatching(/^config\.: Expected object/)]);
  });

  it('checks enabled SLAs against the event catalog', () => {
    const problems = problemsOf({
      slas: [
        {
          ...projectSetup,
          start: { eventType: 'DealWonn', key: 'dealId' },
          end: {
            eventType: 'ProjectSetupCompleted',
            key: 'deal',
            condition: { status: 'DONE', colour: 'red' },
          },
        },
        {
          ...projectSetup,
          name: 'MONEY',
          moneyAtRisk: { amountField: 'currency', currencyField: 'amountMinor' },
        },
        projectSetup,
      ],
    });
    expect(problems).toEqual([
      'slas: "PROJECT_SETUP" is defined more than once',
      'PROJECT_SETUP.start.eventType: "DealWonn" is not an event type of the catalog',
      'PROJECT_SETUP.end.key: ProjectSetupCompleted has no string field "deal"',
      'PROJECT_SETUP.end.condition.status: "DONE" is not one of READY, FAILED, OVERDUE',
      'PROJECT_SETUP.end.condition.colour: ProjectSetupCompleted has no field "colour"',
      'MONEY.moneyAtRisk.amountField: DealWon has no number field "currency"',
      'MONEY.moneyAtRisk.currencyField: DealWon has no string field "amountMinor"',
    ]);
  });

  it('lets a disabled SLA name an event that does not exist yet', () => {
    const forecast = {
      ...projectSetup,
      name: 'FORECAST',
      end: { eventType: 'ForecastRefreshed', key: 'dealId' },
    };
    expect(resolveSlaConfig({ slas: [{ ...forecast, enabled: false }] }).at(-1)).toMatchObject({
      name: 'FORECAST',
      enabled: false,
    });
    expect(problemsOf({ slas: [forecast] })).toEqual([
      'FORECAST.end.eventType: "ForecastRefreshed" is not an event type of the catalog',
    ]);
  });

  it('needs exactly one of a fixed threshold and business days', () => {
    const { thresholdMs: _unused, ...withoutThreshold } = projectSetup;
    expect(problemsOf({ slas: [withoutThreshold] })).toEqual([
      'config.slas.0.thresholdMs: set exactly one of thresholdMs and businessDays',
    ]);
    expect(problemsOf({ slas: [{ ...projectSetup, businessDays: 1 }] })).toEqual([
      'config.slas.0.thresholdMs: set exactly one of thresholdMs and businessDays',
    ]);
    const daily = resolveSlaConfig({ slas: [{ ...withoutThreshold, businessDays: 2 }] }).at(-1);
    if (!daily) throw new Error('expected the business-day SLA');
    expect(daily).toMatchObject({ thresholdMs: null, businessDays: 2 });
    // Friday 12:00 + 2 business days = Tuesday 12:00.
    const friday = Date.parse('2026-11-27T12:00:00Z');
    expect(allowanceMs(daily, friday)).toBe(4 * 86_400_000);
    expect(
      allowanceMs({ thresholdMs: 5_000, businessDays: null, timeZone: 'UTC', holidays: [] }, friday),
    ).toBe(5_000);
    // Friday 20:00 in New York (Saturday 01:00 UTC) is due Monday 20:00 there: 72 h, not 48 h.
    const newYork = resolveSlaConfig({
      slas: [{ ...withoutThreshold, businessDays: 1, timeZone: 'America/New_York' }],
    }).at(-1);
    if (!newYork) throw new Error('expected the New York SLA');
    expect(allowanceMs(newYork, Date.parse('2026-11-28T01:00:00Z'))).toBe(72 * 3_600_000);
    expect(problemsOf({ slas: [{ ...withoutThreshold, businessDays: 1, timeZone: 'Mars/Base' }] })).toEqual([
      'config.slas.0.timeZone: not an IANA time zone, e.g. Europe/Berlin',
    ]);
  });

  describe('holidays', () => {
    const invoiceSla = {
      name: 'INVOICE_AFTER_CLOSE',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'invoice',
      start: {
        eventType: 'BillingPeriodClosed',
        each: 'draftInvoices',
        key: 'invoiceId',
        timeField: 'closedAt',
      },
      end: { eventType: 'InvoiceIssued', key: 'invoiceId', timeField: 'issuedAt' },
      businessDays: 1,
    };
    const byName = (slas: readonly { name: string; holidays: string[] }[]) =>
      Object.fromEntries(slas.map((sla) => [sla.name, sla.holidays]));

    it('has none by default', () => {
      expect(resolveSlaConfig(undefined).every((sla) => sla.holidays.length === 0)).toBe(true);
    });

    it('gives the firm-wide holidays to every business-day SLA, built-in or not, sorted and once each', () => {
      const slas = resolveSlaConfig({
        holidays: ['2026-12-28', '2026-12-25', '2026-12-25'],
        slas: [{ ...invoiceSla, name: 'CREDIT_NOTE' }],
      });
      expect(byName(slas)).toEqual({
        PROJECT_SETUP: [], // a fixed threshold: holidays do not apply
        STAFFING_DEMAND: [],
        FORECAST_REFRESH: [],
        TIME_TO_BILLING: [],
        INVOICE_AFTER_CLOSE: ['2026-12-25', '2026-12-28'],
        CREDIT_NOTE: ['2026-12-25', '2026-12-28'],
      });
      // Thursday 24 December 16:00 → Tuesday 29 December 16:00.
      const invoice = slas.find((sla) => sla.name === 'INVOICE_AFTER_CLOSE');
      if (!invoice) throw new Error('expected the invoice SLA');
      expect(allowanceMs(invoice, Date.parse('2026-12-24T16:00:00Z'))).toBe(5 * 86_400_000);
    });

    it('lets an SLA list its own holidays instead of the firm-wide ones (an empty list: none)', () => {
      const slas = resolveSlaConfig({
        holidays: ['2026-12-25'],
        slas: [
          { ...invoiceSla, timeZone: 'America/New_York', holidays: ['2026-11-26'] },
          { ...invoiceSla, name: 'NO_HOLIDAYS', holidays: [] },
        ],
      });
      expect(byName(slas)).toMatchObject({ INVOICE_AFTER_CLOSE: ['2026-11-26'], NO_HOLIDAYS: [] });
      // Wednesday 25 November 2026 20:00 New York (Thursday 01:00 UTC); Thanksgiving on the 26th there.
      const invoice = slas.find((sla) => sla.name === 'INVOICE_AFTER_CLOSE');
      if (!invoice) throw new Error('expected the invoice SLA');
      expect(allowanceMs(invoice, Date.parse('2026-11-26T01:00:00Z'))).toBe(2 * 86_400_000);
    });

    it('accepts a file with only the firm-wide holidays', () => {
      expect(byName(resolveSlaConfig({ holidays: ['2027-01-01'] }))).toMatchObject({
        INVOICE_AFTER_CLOSE: ['2027-01-01'],
      });
    });

    it('rejects a date that is not YYYY-MM-DD or not on the calendar, naming the SLA and the value', () => {
      expect(
        problemsOf({
          holidays: ['2026-12-25', '25.12.2026'],
          slas: [{ ...invoiceSla, holidays: ['2026-02-30', '2026-12-24'] }],
        }),
      ).toEqual([
        'config.holidays.1: "25.12.2026" is not a calendar date YYYY-MM-DD (firm-wide holidays)',
        'config.slas.0.holidays.0: "2026-02-30" is not a calendar date YYYY-MM-DD (SLA INVOICE_AFTER_CLOSE)',
      ]);
      expect(problemsOf({ slas: [{ ...invoiceSla, holidays: '2026-12-25' }] })).toEqual([
        'config.slas.0.holidays: Expected array, received string (SLA INVOICE_AFTER_CLOSE)',
      ]);
    });

    it('refuses holidays on a fixed-threshold SLA, where they would not count', () => {
      expect(problemsOf({ slas: [{ ...projectSetup, holidays: ['2026-12-25'] }] })).toEqual([
        'config.slas.0.holidays: holidays only apply with businessDays (SLA PROJECT_SETUP)',
      ]);
    });
  });

  it('checks per-element keys, time fields, list conditions and end-event money against the catalog', () => {
    const problems = problemsOf({
      slas: [
        {
          name: 'INVOICING',
          ownerRole: 'FINANCE_OPERATIONS',
          start: {
            eventType: 'BillingPeriodClosed',
            each: 'draftInvoices',
            key: 'invoiceNo',
            timeField: 'closedBy',
          },
          end: { eventType: 'InvoiceIssued', key: 'invoiceId', each: 'invoiceNumber' },
          businessDays: 1,
          moneyAtRisk: { amountField: 'amountMinor', currencyField: 'currency' },
        },
        {
          name: 'BILLING',
          ownerRole: 'FINANCE_OPERATIONS',
          start: { eventType: 'TimeEntryApproved', key: 'entryId' },
          end: {
            eventType: 'ActualChanged',
            key: 'actualId',
            condition: { status: { notIn: ['UNPRICED', 'LOST'] }, kind: { in: ['TIME'] } },
          },
          thresholdMs: 1_000,
          moneyAtRisk: { amountField: 'billAmountMinor', currencyField: 'rateCardId', from: 'end' },
        },
        {
          name: 'BY_EVENT',
          ownerRole: 'DELIVERY',
          start: { eventType: 'BillingPeriodClosed', each: 'draftInvoices', key: '$eventId' },
          end: { eventType: 'ProjectForecastUpdated', key: 'triggerEventId' },
          thresholdMs: 1_000,
        },
      ],
    });
    expect(problems).toEqual([
      'INVOICING.start.timeField: BillingPeriodClosed has no number field "closedBy"',
      'INVOICING.start.key: BillingPeriodClosed.draftInvoices[] has no string field "invoiceNo"',
      'INVOICING.end.each: InvoiceIssued has no array-of-records field "invoiceNumber"',
      'INVOICING.moneyAtRisk.amountField: BillingPeriodClosed.draftInvoices[] has no number field "amountMinor"',
      'BILLING.end.condition.status: "LOST" is not one of UNPRICED, UNBILLED, READY_TO_INVOICE, INVOICED, WRITTEN_OFF',
      'BY_EVENT.start.key: $eventId cannot be combined with each',
    ]);
  });
});
