import {
  dueDateFor,
  issuedLines,
  issueRefusal,
  IssueRequest,
  parsePaymentTerms,
  STANDARD_PAYMENT_TERMS,
} from './invoice-issue';

const request: IssueRequest = {
  invoiceId: 'INV-2031-02-C-1-LE-DE-EUR',
  totalMinor: 12_345,
  issuedOn: '2031-03-03',
  lastIssuedOnInSeries: '2031-03-02',
  closedPeriods: new Set(['2031-01', '2031-02']),
};

describe('issueRefusal', () => {
  it('lets a draft with a total be issued on or after the series’ last invoice, in an open period', () => {
    expect(issueRefusal(request)).toBeNull();
    // The same day as the last invoice of the series is in order.
    expect(issueRefusal({ ...request, issuedOn: '2031-03-02' })).toBeNull();
    expect(issueRefusal({ ...request, lastIssuedOnInSeries: null })).toBeNull();
  });

  it('never numbers a zero-total draft', () => {
    expect(issueRefusal({ ...request, totalMinor: 0 })).toEqual({
      code: 'ZERO_TOTAL_INVOICE',
      reason:
        'Invoice INV-2031-02-C-1-LE-DE-EUR totals 0: a zero-total draft is not issued and takes no invoice number',
    });
  });

  it('refuses an issue date before the last issued invoice of the series, so numbers run in date order', () => {
    expect(issueRefusal({ ...request, issuedOn: '2031-03-01', closedPeriods: new Set() })).toEqual({
      code: 'ISSUE_DATE_BEFORE_LAST_INVOICE',
      reason:
        'Invoice INV-2031-02-C-1-LE-DE-EUR cannot be issued on 2031-03-01: its series already has an invoice issued on 2031-03-02, and numbers must run in date order',
    });
  });

  it('refuses an issue date in a closed period, and a date that is not one', () => {
    expect(issueRefusal({ ...request, issuedOn: '2031-02-28', lastIssuedOnInSeries: null })).toEqual({
      code: 'ISSUE_DATE_IN_CLOSED_PERIOD',
      reason:
        'Invoice INV-2031-02-C-1-LE-DE-EUR cannot be issued on 2031-02-28: billing period 2031-02 is closed',
    });
    expect(issueRefusal({ ...request, issuedOn: '2031-02-30' })?.code).toBe('INVALID_ISSUE_DATE');
  });
});

describe('issuedLines', () => {
  it('leaves zero-amount lines off the issued invoice', () => {
    const lines = [
      { lineId: 'L001', amountMinor: 6_172 },
      { lineId: 'L002', amountMinor: 0 },
      { lineId: 'L003', amountMinor: 6_173 },
    ];
    expect(issuedLines(lines).map((l) => l.lineId)).toEqual(['L001', 'L003']);
  });
});

describe('payment terms', () => {
  it('are 30 days unless configured, per legal entity with a default', () => {
    // 2031-03-03 + 30 days = 2031-04-02 (March has 31 days: 28 left in March + 2).
    expect(dueDateFor(STANDARD_PAYMENT_TERMS, 'LE-DE', '2031-03-03')).toBe('2031-04-02');
    const terms = parsePaymentTerms('45, LE-NL=14,LE-US=0');
    // 2031-03-03 + 14 = 2031-03-17; + 45 = 2031-04-17 (28 + 17); + 0 = the issue date.
    expect(dueDateFor(terms, 'LE-NL', '2031-03-03')).toBe('2031-03-17');
    expect(dueDateFor(terms, 'LE-DE', '2031-03-03')).toBe('2031-04-17');
    expect(dueDateFor(terms, 'LE-US', '2031-03-03')).toBe('2031-03-03');
    expect(parsePaymentTerms(undefined)).toBe(STANDARD_PAYMENT_TERMS);
  });

  it('refuse a bad setting at boot, naming every problem', () => {
    expect(() => parsePaymentTerms('LE-NL=two weeks,=10,400')).toThrow(
      'BILLING_PAYMENT_TERMS_DAYS is invalid: "LE-NL=two weeks": days must be a whole number 0..365; "=10": legal entity id missing; "400": days must be a whole number 0..365',
    );
  });
});
