import { jsonNumberText, netSuiteExpected, netSuiteHeld } from './netsuite-reconciliation';

describe('NetSuite reconciliation records', () => {
  it('expects an invoice to total its sent lines, exactly', () => {
    // 1125 + 189.5 (JSON numbers as sent) = 1314.5
    const payload = JSON.parse('{"item":{"items":[{"amount":1125},{"amount":189.50}]}}') as unknown;
    expect(
      netSuiteExpected({
        entityType: 'Invoice',
        externalId: 'INV-1',
        targetRecordId: '101',
        sentPayload: payload,
      }),
    ).toEqual({
      entityType: 'Invoice',
      externalId: 'INV-1',
      targetRecordId: '101',
      amount: '1314.5',
      statuses: ['OPEN', 'PAID_IN_FULL'],
    });
  });

  it('expects only presence without a payload, and a customer as active or inactive', () => {
    expect(
      netSuiteExpected({ entityType: 'Invoice', externalId: 'I', targetRecordId: '1', sentPayload: null }),
    ).toEqual({
      entityType: 'Invoice',
      externalId: 'I',
      targetRecordId: '1',
    });
    expect(
      netSuiteExpected({
        entityType: 'Customer',
        externalId: 'C',
        targetRecordId: '2',
        sentPayload: { isInactive: true },
      }).statuses,
    ).toEqual(['INACTIVE']);
  });

  it('reads a NetSuite record: total as decimal text, status refName in upper snake case', () => {
    const body = JSON.parse(
      '{"id":"1001","externalId":"INV-1","total":1314.50,"status":{"id":"B","refName":"Paid In Full"}}',
    ) as unknown;
    expect(netSuiteHeld('Invoice', 'INV-1', body)).toEqual({
      entityType: 'Invoice',
      externalId: 'INV-1',
      targetRecordId: '1001',
      amount: '1314.5',
      status: 'PAID_IN_FULL',
    });
    expect(netSuiteHeld('Customer', 'C-1', { id: '7', isInactive: false })).toMatchObject({
      status: 'ACTIVE',
    });
  });

  it('refuses a number it cannot compare exactly', () => {
    expect(jsonNumberText(JSON.parse('189.50') as number)).toBe('189.5');
    expect(() => jsonNumberText(1e21)).toThrow(RangeError);
    expect(() => jsonNumberText(12345678901234.56)).toThrow(RangeError);
  });
});
