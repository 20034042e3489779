import {
  ApprovedTimeEntry,
  changedFields,
  decideCorrection,
  decideIntake,
  duplicateIds,
  expenseApproved,
  parseEntryHours,
  parseExpense,
  parseTimeEntry,
  parseTimeEntryCorrection,
  StoredEntry,
  Submission,
  TimeEntryFacts,
  timeEntryApproved,
  TimeEntryInput,
} from './psa';

const NOW = Date.UTC(2026, 11, 1, 18, 0, 0);

const entry: TimeEntryInput = {
  entryId: 'TE-1',
  projectId: 'PRJ-HS-1-LE-DE',
  personId: 'P-7',
  role: 'Architect',
  workDate: '2026-12-01',
  hours: '7.5',
  billable: true,
};

describe('parseEntryHours', () => {
  it('turns decimal strings and numbers into exact hours × 100', () => {
    expect(parseEntryHours('7.5')).toBe(750);
    expect(parseEntryHours('7.50')).toBe(750);
    expect(parseEntryHours(7.5)).toBe(750);
    expect(parseEntryHours('0.25')).toBe(25);
    expect(parseEntryHours(0.29)).toBe(29); // 0.29 * 100 is 28.999999999999996 in floats
    expect(parseEntryHours('8')).toBe(800);
    expect(parseEntryHours('24')).toBe(2_400);
    expect(parseEntryHours('24.00')).toBe(2_400);
  });

  it('refuses more than 2 decimals, negatives, zero, more than 24 and non-decimals', () => {
    expect(() => parseEntryHours('7.555')).toThrow('"7.555" has 3 decimal places; at most 2 allowed');
    expect(() => parseEntryHours(0.1 + 0.2)).toThrow('has 17 decimal places; at most 2 allowed');
    expect(() => parseEntryHours('-1')).toThrow('"-1" is negative');
    expect(() => parseEntryHours(-0.5)).toThrow('"-0.5" is negative');
    expect(() => parseEntryHours('0')).toThrow('an entry must have more than 0 hours');
    expect(() => parseEntryHours('24.01')).toThrow('"24.01" hours is more than 24 in one entry');
    expect(() => parseEntryHours(1e21)).toThrow('not a plain decimal');
    expect(() => parseEntryHours('7,5')).toThrow('not a plain decimal');
    expect(() => parseEntryHours('')).toThrow('not a plain decimal');
  });
});

describe('parseTimeEntry', () => {
  it('parses a submitted entry without an approval, defaulting the source system to PSA', () => {
    expect(parseTimeEntry(entry, NOW)).toEqual({
      ok: true,
      value: {
        facts: {
          entryId: 'TE-1',
          projectId: 'PRJ-HS-1-LE-DE',
          personId: 'P-7',
          role: 'Architect',
          workDate: '2026-12-01',
          hoursHundredths: 750,
          billable: true,
          sourceSystem: 'PSA',
        },
        approval: null,
      },
    });
  });

  it('takes an approval with the entry, defaulting approvedAt to the time of receipt', () => {
    const approved = parseTimeEntry({ ...entry, status: 'APPROVED', approvedBy: 'U-LEAD' }, NOW);
    expect(approved.ok && approved.value.approval).toEqual({ approvedBy: 'U-LEAD', approvedAt: NOW });
    const at = parseTimeEntry(
      { ...entry, status: 'APPROVED', approvedBy: 'U-LEAD', approvedAt: '2026-12-01T17:30:00+01:00' },
      NOW,
    );
    expect(at.ok && at.value.approval?.approvedAt).toBe(Date.UTC(2026, 11, 1, 16, 30, 0));
    const epoch = parseTimeEntry(
      { ...entry, status: 'APPROVED', approvedBy: 'U-LEAD', approvedAt: 1_796_140_800_000 },
      NOW,
    );
    expect(epoch.ok && epoch.value.approval?.approvedAt).toBe(1_796_140_800_000);
  });

  it('lists every broken rule with the field at fault', () => {
    expect(
      parseTimeEntry({ ...entry, hours: '7.555', workDate: '2026-02-30', status: 'APPROVED' }, NOW),
    ).toEqual({
      ok: false,
      issues: [
        { path: ['hours'], message: '"7.555" has 3 decimal places; at most 2 allowed' },
        { path: ['workDate'], message: 'expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31' },
        { path: ['approvedBy'], message: 'required with status APPROVED' },
      ],
    });
    expect(parseTimeEntry({ ...entry, approvedBy: 'U-LEAD' }, NOW)).toEqual({
      ok: false,
      issues: [{ path: ['approvedBy'], message: 'only allowed with status APPROVED' }],
    });
  });

  it('refuses approval instants in seconds, without a zone or in the future', () => {
    const approvedAt = (value: string | number) =>
      parseTimeEntry({ ...entry, status: 'APPROVED', approvedBy: 'U', approvedAt: value }, NOW);
    expect(approvedAt(1_796_140_800)).toMatchObject({ ok: false, issues: [{ path: ['approvedAt'] }] });
    expect(approvedAt('2026-12-01T17:30:00')).toMatchObject({
      ok: false,
      issues: [{ path: ['approvedAt'] }],
    });
    expect(approvedAt(NOW + 3_600_000)).toEqual({
      ok: false,
      issues: [{ path: ['approvedAt'], message: 'lies in the future' }],
    });
  });
});

describe('parseExpense', () => {
  const expense = {
    expenseId: 'EX-1',
    projectId: 'PRJ-HS-1-LE-DE',
    personId: 'P-7',
    incurredOn: '2026-12-02',
    amount: '412.30',
    currency: 'EUR',
    category: 'TRAVEL',
    billable: true,
  };

  it('parses the amount exactly in the currency minor unit', () => {
    const parsed = parseExpense(expense, NOW);
    expect(parsed.ok && parsed.value.facts).toEqual({
      expenseId: 'EX-1',
      projectId: 'PRJ-HS-1-LE-DE',
      personId: 'P-7',
      incurredOn: '2026-12-02',
      amountMinor: 41_230,
      currency: 'EUR',
      category: 'TRAVEL',
      receiptReference: null,
      billable: true,
      sourceSystem: 'PSA',
    });
    const yen = parseExpense({ ...expense, amount: '15800', currency: 'JPY' }, NOW);
    expect(yen.ok && yen.value.facts.amountMinor).toBe(15_800);
    const dinar = parseExpense({ ...expense, amount: '12.345', currency: 'KWD' }, NOW);
    expect(dinar.ok && dinar.value.facts.amountMinor).toBe(12_345);
  });

  it('refuses amounts beyond the minor unit, negative or zero amounts and bad dates', () => {
    expect(parseExpense({ ...expense, amount: '412.305' }, NOW)).toEqual({
      ok: false,
      issues: [{ path: ['amount'], message: '"412.305" has 3 decimal places; at most 2 allowed (EUR)' }],
    });
    expect(parseExpense({ ...expense, amount: '1.5', currency: 'JPY' }, NOW)).toMatchObject({
      ok: false,
      issues: [{ path: ['amount'], message: '"1.5" has 1 decimal places; at most 0 allowed (JPY)' }],
    });
    expect(parseExpense({ ...expense, amount: '-3.00', incurredOn: '02.12.2026' }, NOW)).toEqual({
      ok: false,
      issues: [
        { path: ['amount'], message: '"-3.00" is negative (EUR)' },
        {
          path: ['incurredOn'],
          message: 'expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31',
        },
      ],
    });
    expect(parseExpense({ ...expense, amount: '0.00' }, NOW)).toEqual({
      ok: false,
      issues: [{ path: ['amount'], message: 'an expense must be more than 0' }],
    });
  });
});

describe('decideIntake', () => {
  const facts: TimeEntryFacts = {
    entryId: 'TE-1',
    projectId: 'PRJ-1',
    personId: 'P-7',
    role: 'Architect',
    workDate: '2026-12-01',
    hoursHundredths: 750,
    billable: true,
    sourceSystem: 'PSA',
  };
  const approval = { approvedBy: 'U-LEAD', approvedAt: NOW };
  const submitted: Submission<TimeEntryFacts> = { facts, approval: null };
  const approved: Submission<TimeEntryFacts> = { facts, approval };
  const held = (status: 'SUBMITTED' | 'APPROVED', changes: Partial<TimeEntryFacts> = {}) =>
    ({ facts: { ...facts, ...changes }, status }) satisfies StoredEntry<TimeEntryFacts>;

  it('stores new entries and approves those sent as approved', () => {
    expect(decideIntake(undefined, submitted)).toEqual({
      conflict: false,
      outcome: 'RECEIVED',
      store: true,
      approve: false,
      changed: [],
    });
    expect(decideIntake(undefined, approved)).toMatchObject({
      outcome: 'APPROVED',
      store: true,
      approve: true,
    });
  });

  it('lets a submitted entry change or be approved, and ignores identical re-sends', () => {
    expect(decideIntake(held('SUBMITTED'), submitted)).toMatchObject({
      outcome: 'UNCHANGED',
      store: false,
      approve: false,
    });
    expect(decideIntake(held('SUBMITTED', { hoursHundredths: 800 }), submitted)).toEqual({
      conflict: false,
      outcome: 'UPDATED',
      store: true,
      approve: false,
      changed: ['hoursHundredths'],
    });
    expect(decideIntake(held('SUBMITTED'), approved)).toMatchObject({
      outcome: 'APPROVED',
      store: false,
      approve: true,
    });
  });

  it('never publishes an approved entry twice and refuses changes to it', () => {
    for (const incoming of [submitted, approved]) {
      expect(decideIntake(held('APPROVED'), incoming)).toEqual({
        conflict: false,
        outcome: 'ALREADY_APPROVED',
        store: false,
        approve: false,
        changed: [],
      });
    }
    expect(decideIntake(held('APPROVED', { hoursHundredths: 800, billable: false }), approved)).toEqual({
      conflict: true,
      changed: ['billable', 'hoursHundredths'],
    });
  });
});

describe('events and helpers', () => {
  it('builds the approved events from facts and approval', () => {
    const parsed = parseTimeEntry({ ...entry, status: 'APPROVED', approvedBy: 'U-LEAD' }, NOW);
    if (!parsed.ok || !parsed.value.approval) throw new Error('expected a parsed approved entry');
    expect(timeEntryApproved(parsed.value.facts, parsed.value.approval)).toEqual({
      entryId: 'TE-1',
      projectId: 'PRJ-HS-1-LE-DE',
      personId: 'P-7',
      role: 'Architect',
      workDate: '2026-12-01',
      hoursHundredths: 750,
      billable: true,
      approvedAt: NOW,
      approvedBy: 'U-LEAD',
      sourceSystem: 'PSA',
      revision: 1,
      correctionReason: null,
    });
    expect(
      timeEntryApproved(parsed.value.facts, parsed.value.approval, { revision: 3, reason: 'wrong day' }),
    ).toMatchObject({ entryId: 'TE-1', hoursHundredths: 750, revision: 3, correctionReason: 'wrong day' });
    const expense = parseExpense(
      {
        expenseId: 'EX-9',
        projectId: 'PRJ-1',
        personId: 'P-7',
        incurredOn: '2026-12-02',
        amount: '96.4',
        currency: 'EUR',
        category: 'LODGING',
        receiptReference: 'R-19',
        billable: false,
        status: 'APPROVED',
        approvedBy: 'U-LEAD',
        sourceSystem: 'EXPENSIFY',
      },
      NOW,
    );
    if (!expense.ok || !expense.value.approval) throw new Error('expected a parsed approved expense');
    expect(expenseApproved(expense.value.facts, expense.value.approval)).toMatchObject({
      amountMinor: 9_640,
      receiptReference: 'R-19',
      billable: false,
      sourceSystem: 'EXPENSIFY',
    });
  });

  it('finds duplicate ids and changed fields', () => {
    expect(duplicateIds(['a', 'b', 'a', 'c', 'a'])).toEqual(new Map([['a', [0, 2, 4]]]));
    expect(changedFields({ a: 1, b: 'x' }, { a: 1, b: 'y' })).toEqual(['b']);
  });
});

describe('corrections of approved time entries', () => {
  const approvedFacts: TimeEntryFacts = {
    entryId: 'TE-1',
    projectId: 'PRJ-HS-1-LE-DE',
    personId: 'P-7',
    role: 'Architect',
    workDate: '2026-12-01',
    hoursHundredths: 750,
    billable: true,
    sourceSystem: 'PSA',
  };
  const approved: ApprovedTimeEntry = { facts: approvedFacts, status: 'APPROVED', revision: 1 };
  const correction = (input: Record<string, unknown>) => {
    const parsed = parseTimeEntryCorrection({ reason: 'typo', approvedBy: 'U-LEAD', ...input }, NOW);
    if (!parsed.ok) throw new Error(`expected a parsed correction: ${JSON.stringify(parsed.issues)}`);
    return parsed.value;
  };

  it('parses the corrected facts exactly, allows 0 hours and defaults approvedAt to the time of receipt', () => {
    expect(correction({ hours: '6.25', billable: false })).toEqual({
      changes: { hoursHundredths: 625, billable: false },
      reason: 'typo',
      approval: { approvedBy: 'U-LEAD', approvedAt: NOW },
    });
    expect(correction({ hours: 0.29 }).changes).toEqual({ hoursHundredths: 29 });
    expect(correction({ hours: '0' }).changes).toEqual({ hoursHundredths: 0 });
    expect(
      correction({ role: 'Lead', workDate: '2026-12-02', approvedAt: '2026-12-01T17:00:00Z' }),
    ).toMatchObject({
      changes: { role: 'Lead', workDate: '2026-12-02' },
      approval: { approvedAt: Date.UTC(2026, 11, 1, 17, 0, 0) },
    });
  });

  it('lists every broken rule: hours, date, future approval, nothing to correct', () => {
    const bad = parseTimeEntryCorrection(
      {
        hours: '-1',
        workDate: '2026-13-01',
        approvedAt: NOW + 3_600_000,
        reason: 'x',
        approvedBy: 'U-LEAD',
      },
      NOW,
    );
    expect(bad.ok ? [] : bad.issues.map((issue) => issue.path.join('.'))).toEqual([
      'hours',
      'workDate',
      'approvedAt',
    ]);
    const tooMany = parseTimeEntryCorrection({ hours: '24.01', reason: 'x', approvedBy: 'U' }, NOW);
    expect(tooMany.ok ? [] : tooMany.issues.map((issue) => issue.message)).toEqual([
      '"24.01" hours is more than 24 in one entry',
    ]);
    const empty = parseTimeEntryCorrection({ reason: 'x', approvedBy: 'U' }, NOW);
    expect(empty.ok ? [] : empty.issues.map((issue) => issue.message)).toEqual([
      'name at least one of hours, role, workDate, billable to correct',
    ]);
  });

  it('makes the next revision with the full corrected facts and names the changed fields', () => {
    expect(decideCorrection(approved, correction({ hours: '8', role: 'Architect' }))).toEqual({
      outcome: 'CORRECTED',
      revision: 2,
      facts: { ...approvedFacts, hoursHundredths: 800 },
      changed: ['hoursHundredths'],
    });
    expect(
      decideCorrection({ ...approved, revision: 2 }, correction({ hours: '0', workDate: '2026-12-03' })),
    ).toEqual({
      outcome: 'CORRECTED',
      revision: 3,
      facts: { ...approvedFacts, hoursHundredths: 0, workDate: '2026-12-03' },
      changed: ['hoursHundredths', 'workDate'],
    });
  });

  it('changes nothing when the correction says what the current revision says (a re-send)', () => {
    const corrected = { ...approved, facts: { ...approvedFacts, hoursHundredths: 800 }, revision: 2 };
    expect(decideCorrection(corrected, correction({ hours: '8.00', billable: true }))).toEqual({
      outcome: 'UNCHANGED',
      revision: 2,
    });
  });

  it('refuses to correct an entry that is not approved yet', () => {
    expect(decideCorrection({ ...approved, status: 'SUBMITTED' }, correction({ hours: '8' }))).toEqual({
      outcome: 'NOT_APPROVED',
    });
  });
});
