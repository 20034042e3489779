import { ChangeOrderInput, differingFields, parseChangeOrder, parsePayment } from './finance-intake';

describe('parsePayment', () => {
  const payment = {
    paymentId: 'PAY-1',
    invoiceId: 'INV-2026-10-C-1-LE-DE-EUR',
    customerId: 'C-1',
    currency: 'EUR',
    amount: '12345.67',
    receivedOn: '2026-11-20',
  };

  it('turns the amount into exact minor units and defaults the reference', () => {
    expect(parsePayment(payment)).toEqual({
      ok: true,
      value: {
        paymentId: 'PAY-1',
        invoiceId: 'INV-2026-10-C-1-LE-DE-EUR',
        customerId: 'C-1',
        currency: 'EUR',
        amountMinor: 1_234_567,
        receivedOn: '2026-11-20',
        reference: null,
      },
    });
  });

  it('refuses zero, negative and over-precise amounts, and bad dates', () => {
    expect(parsePayment({ ...payment, amount: '0' })).toEqual({
      ok: false,
      issues: [{ path: ['amount'], message: 'a payment must be more than 0' }],
    });
    expect(parsePayment({ ...payment, amount: '-5', receivedOn: '2026-13-01' })).toEqual({
      ok: false,
      issues: [
        { path: ['amount'], message: '"-5" is negative (EUR)' },
        {
          path: ['receivedOn'],
          message: 'expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31',
        },
      ],
    });
    expect(parsePayment({ ...payment, currency: 'JPY', amount: '100.5' })).toMatchObject({ ok: false });
  });
});

describe('parseChangeOrder', () => {
  const order: ChangeOrderInput = {
    changeOrderId: 'CO-1',
    projectId: 'PRJ-HS-1-LE-DE',
    description: 'Add a data migration workstream',
    effectiveDate: '2026-10-19',
    budgetDelta: '3000.00',
    currency: 'EUR',
    newEndDate: '2027-01-31',
    roleChanges: [
      { role: 'Architect', hoursDelta: '20' },
      { role: 'Data engineer', hoursDelta: 40.5, rate: '120.50' },
      { role: 'Consultant', hoursDelta: '-12.25' },
    ],
    milestoneChanges: [
      { action: 'ADD', milestoneId: 'M-9', name: 'Data migrated', dueDate: '2026-12-15', amount: '3000.00' },
      { action: 'CHANGE', milestoneId: 'M-2', dueDate: '2027-01-31' },
      { action: 'REMOVE', milestoneId: 'M-3' },
    ],
    approvedBy: 'U-ACCOUNT-LEAD',
  };

  it('converts hours and money exactly, with nulls for what is not changed', () => {
    expect(parseChangeOrder(order)).toEqual({
      ok: true,
      value: {
        currency: 'EUR',
        event: {
          changeOrderId: 'CO-1',
          projectId: 'PRJ-HS-1-LE-DE',
          description: 'Add a data migration workstream',
          effectiveDate: '2026-10-19',
          budgetDeltaMinor: 300_000,
          newEndDate: '2027-01-31',
          roleChanges: [
            { role: 'Architect', hoursDeltaHundredths: 2_000, rateMinor: null },
            { role: 'Data engineer', hoursDeltaHundredths: 4_050, rateMinor: 12_050 },
            { role: 'Consultant', hoursDeltaHundredths: -1_225, rateMinor: null },
          ],
          milestoneChanges: [
            {
              action: 'ADD',
              milestoneId: 'M-9',
              name: 'Data migrated',
              dueDate: '2026-12-15',
              amountMinor: 300_000,
            },
            { action: 'CHANGE', milestoneId: 'M-2', name: null, dueDate: '2027-01-31', amountMinor: null },
            { action: 'REMOVE', milestoneId: 'M-3', name: null, dueDate: null, amountMinor: null },
          ],
          approvedBy: 'U-ACCOUNT-LEAD',
          currency: 'EUR',
        },
      },
    });
  });

  it('accepts a negative budget delta (a descope), in the currency minor unit', () => {
    const descope = parseChangeOrder({
      ...order,
      budgetDelta: '-1500.50',
      roleChanges: [],
      milestoneChanges: [],
    });
    expect(descope.ok && descope.value.event.budgetDeltaMinor).toBe(-150_050);
    const yen = parseChangeOrder({
      ...order,
      currency: 'JPY',
      budgetDelta: '-250000',
      roleChanges: [],
      milestoneChanges: [],
    });
    expect(yen.ok && yen.value.event.budgetDeltaMinor).toBe(-250_000);
    expect(yen.ok && yen.value.event.currency).toBe('JPY');
  });

  it('names every inconsistency', () => {
    const result = parseChangeOrder({
      ...order,
      budgetDelta: '10.005',
      effectiveDate: '2026-10-19',
      newEndDate: '2026-10-01',
      roleChanges: [
        { role: 'Architect', hoursDelta: '1.234' },
        { role: 'Architect', hoursDelta: '0' },
      ],
      milestoneChanges: [
        { action: 'ADD', milestoneId: 'M-9' },
        { action: 'CHANGE', milestoneId: 'M-9' },
        { action: 'REMOVE', milestoneId: 'M-3', amount: '10.00', dueDate: '2026-31-12' },
      ],
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: ['newEndDate'], message: 'must be on or after effectiveDate 2026-10-19 (got 2026-10-01)' },
        { path: ['budgetDelta'], message: '"10.005" has 3 decimal places; at most 2 allowed (EUR)' },
        {
          path: ['roleChanges', 0, 'hoursDelta'],
          message: '"1.234" has 3 decimal places; at most 2 allowed',
        },
        { path: ['roleChanges', 0], message: 'role "Architect" changes neither hours nor rate' },
        { path: ['roleChanges', 1, 'role'], message: 'role "Architect" appears more than once' },
        { path: ['roleChanges', 1], message: 'role "Architect" changes neither hours nor rate' },
        { path: ['milestoneChanges', 0, 'name'], message: 'required to ADD a milestone' },
        { path: ['milestoneChanges', 0, 'dueDate'], message: 'required to ADD a milestone' },
        { path: ['milestoneChanges', 1, 'milestoneId'], message: 'milestone "M-9" appears more than once' },
        { path: ['milestoneChanges', 1], message: 'CHANGE needs at least one of name, dueDate, amount' },
        {
          path: ['milestoneChanges', 2, 'dueDate'],
          message: 'expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31',
        },
        { path: ['milestoneChanges', 2, 'dueDate'], message: 'not allowed to REMOVE a milestone' },
        { path: ['milestoneChanges', 2, 'amount'], message: 'not allowed to REMOVE a milestone' },
      ],
    });
  });

  it('refuses a change order that changes nothing', () => {
    expect(
      parseChangeOrder({
        ...order,
        budgetDelta: '0.00',
        newEndDate: null,
        roleChanges: [],
        milestoneChanges: [],
      }),
    ).toEqual({
      ok: false,
      issues: [
        {
          path: [],
          message: 'the change order changes nothing (no budget, end date, role or milestone change)',
        },
      ],
    });
  });
});

describe('differingFields', () => {
  it('compares nested values structurally, ignoring key order', () => {
    expect(
      differingFields({ a: { x: 1, y: [1, 2] }, b: null }, { b: undefined, a: { y: [1, 2], x: 1 } }),
    ).toEqual([]);
    expect(differingFields({ a: [{ x: 1 }], b: 2 }, { a: [{ x: 2 }], b: 2, c: 'new' })).toEqual(['a', 'c']);
  });
});
