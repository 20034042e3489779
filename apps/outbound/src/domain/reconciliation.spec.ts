import {
  exceptionChanges,
  ExpectedRecord,
  HeldRecord,
  reconcile,
  reconciliationExceptionId,
  sameDecimal,
  sumDecimals,
} from './reconciliation';

const ISSUED = ['OPEN', 'PAID_IN_FULL'];

describe('reconcile', () => {
  /*
   * Worked example, by hand:
   *   INV-1 expected 1125.00 + 189.50 = 1314.50; held 1314.5, OPEN        -> agrees (1314.5 = 1314.50)
   *   INV-2 expected 1125.00 + 200.00 = 1325.00; held 1314.50, OPEN       -> AMOUNT_DIFFERS 1325.00 / 1314.50
   *   INV-3 expected 0.10 + 0.20 = 0.30 (0.30000000000000004 in floats); not held -> MISSING_IN_ERP
   *   INV-4 expected 99.99; held 99.99, VOIDED                             -> STATUS_DIFFERS OPEN|PAID_IN_FULL / VOIDED
   *   C-1   expected ACTIVE; held INACTIVE                                 -> STATUS_DIFFERS ACTIVE / INACTIVE
   *   INV-9 held 50.00, never sent                                         -> UNKNOWN_IN_THROUGHLINE
   * Five differences; INV-1 is the only record that agrees.
   */
  const expected: ExpectedRecord[] = [
    {
      entityType: 'Invoice',
      externalId: 'INV-1',
      targetRecordId: '101',
      amount: sumDecimals(['1125.00', '189.50']),
      statuses: ISSUED,
    },
    {
      entityType: 'Invoice',
      externalId: 'INV-2',
      targetRecordId: '102',
      amount: sumDecimals(['1125.00', '200.00']),
      statuses: ISSUED,
    },
    {
      entityType: 'Invoice',
      externalId: 'INV-3',
      targetRecordId: '103',
      amount: sumDecimals(['0.10', '0.20']),
      statuses: ISSUED,
    },
    { entityType: 'Invoice', externalId: 'INV-4', targetRecordId: '104', amount: '99.99', statuses: ISSUED },
    { entityType: 'Customer', externalId: 'C-1', targetRecordId: '7', statuses: ['ACTIVE'] },
  ];
  const held: HeldRecord[] = [
    { entityType: 'Invoice', externalId: 'INV-1', targetRecordId: '101', amount: '1314.5', status: 'OPEN' },
    { entityType: 'Invoice', externalId: 'INV-2', targetRecordId: '102', amount: '1314.50', status: 'OPEN' },
    { entityType: 'Invoice', externalId: 'INV-4', targetRecordId: '104', amount: '99.99', status: 'VOIDED' },
    { entityType: 'Customer', externalId: 'C-1', targetRecordId: '7', status: 'INACTIVE' },
    { entityType: 'Invoice', externalId: 'INV-9', targetRecordId: '109', amount: '50.00', status: 'OPEN' },
  ];

  it('finds each kind of difference, with the figures worked out by hand', () => {
    expect(reconcile(expected, held)).toEqual([
      {
        kind: 'STATUS_DIFFERS',
        entityType: 'Customer',
        externalId: 'C-1',
        targetRecordId: '7',
        expected: 'ACTIVE',
        actual: 'INACTIVE',
      },
      {
        kind: 'AMOUNT_DIFFERS',
        entityType: 'Invoice',
        externalId: 'INV-2',
        targetRecordId: '102',
        expected: '1325.00',
        actual: '1314.50',
      },
      {
        kind: 'MISSING_IN_ERP',
        entityType: 'Invoice',
        externalId: 'INV-3',
        targetRecordId: '103',
        expected: '0.30',
        actual: null,
      },
      {
        kind: 'STATUS_DIFFERS',
        entityType: 'Invoice',
        externalId: 'INV-4',
        targetRecordId: '104',
        expected: 'OPEN|PAID_IN_FULL',
        actual: 'VOIDED',
      },
      {
        kind: 'UNKNOWN_IN_THROUGHLINE',
        entityType: 'Invoice',
        externalId: 'INV-9',
        targetRecordId: '109',
        expected: null,
        actual: '50.00',
      },
    ]);
  });

  it('reports nothing when the other system holds what was sent', () => {
    expect(reconcile(expected.slice(0, 1), held.slice(0, 1))).toEqual([]);
  });

  it('checks only presence when the amount and status expected are unknown', () => {
    expect(
      reconcile(
        [{ entityType: 'Project', externalId: 'P-1', targetRecordId: 'eid:P-1' }],
        [{ entityType: 'Project', externalId: 'P-1', targetRecordId: '9', status: 'INACTIVE' }],
      ),
    ).toEqual([]);
  });

  it('reports an amount the other system does not state as differing', () => {
    expect(
      reconcile(
        [expected[3] as ExpectedRecord],
        [{ entityType: 'Invoice', externalId: 'INV-4', targetRecordId: '104', status: 'OPEN' }],
      ),
    ).toEqual([expect.objectContaining({ kind: 'AMOUNT_DIFFERS', expected: '99.99', actual: null })]);
  });
});

describe('decimal text', () => {
  it('compares and sums exactly, whatever the number of fraction digits', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point; 19.99 × 3 lines = 59.97.
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['19.99', '19.99', '19.99'])).toBe('59.97');
    expect(sumDecimals(['-5.25', '5'])).toBe('-0.25');
    expect(sameDecimal('1314.5', '1314.50')).toBe(true);
    expect(sameDecimal('1314.50', '1314.51')).toBe(false);
    expect(sameDecimal('-0.25', '0.25')).toBe(false);
    // 2^53 + 1 and 2^53: the same double (9007199254740992), different numbers.
    expect(sameDecimal('9007199254740993', '9007199254740992')).toBe(false);
    expect(sameDecimal('90071992547409.93', '90071992547409.930')).toBe(true);
    expect(() => sumDecimals(['1e3'])).toThrow(RangeError);
  });
});

describe('exception changes', () => {
  const missing = {
    kind: 'MISSING_IN_ERP' as const,
    entityType: 'Invoice',
    externalId: 'INV-3',
    targetRecordId: '103',
    expected: '0.30',
    actual: null,
  };
  const amount = {
    kind: 'AMOUNT_DIFFERS' as const,
    entityType: 'Invoice',
    externalId: 'INV-2',
    targetRecordId: '102',
    expected: '1325.00',
    actual: '1314.50',
  };

  it('gives each difference a stable id', () => {
    expect(reconciliationExceptionId('netsuite', amount)).toBe(
      'EXC-REC-netsuite-Invoice-INV-2-AMOUNT_DIFFERS',
    );
    expect(reconciliationExceptionId('netsuite', { ...amount, actual: '1000.00' })).toBe(
      'EXC-REC-netsuite-Invoice-INV-2-AMOUNT_DIFFERS',
    );
  });

  it('raises what is new, keeps what is still there, resolves what is gone', () => {
    const first = exceptionChanges('netsuite', [], [missing, amount]);
    expect(first.raise.map((change) => change.exceptionId)).toEqual([
      'EXC-REC-netsuite-Invoice-INV-3-MISSING_IN_ERP',
      'EXC-REC-netsuite-Invoice-INV-2-AMOUNT_DIFFERS',
    ]);
    expect(first.resolve).toEqual([]);
    const open = first.raise.map(({ exceptionId }) => ({ exceptionId }));
    expect(exceptionChanges('netsuite', open, [missing, amount])).toEqual({ raise: [], resolve: [] });
    expect(exceptionChanges('netsuite', open, [amount])).toEqual({
      raise: [],
      resolve: [{ exceptionId: 'EXC-REC-netsuite-Invoice-INV-3-MISSING_IN_ERP' }],
    });
  });
});
