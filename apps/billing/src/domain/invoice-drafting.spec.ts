import { BillingType } from '@throughline/contracts';

import { BillableActual, draftInvoices, OpenScheduleItem, ProjectBilling } from './invoice-drafting';

const projectOf = (
  projectId: string,
  billingType: BillingType,
  overrides: Partial<ProjectBilling> = {},
): ProjectBilling => ({
  projectId,
  dealId: `D-${projectId}`,
  customerId: 'C-1',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  billingType,
  feeMinor: 10_001,
  forecastTotalCostMinor: null,
  costToDateMinor: 0,
  progressBilledMinor: 0,
  retainerFeesBilledMinor: 0,
  retainerUsageMinor: 0,
  retainerOverageBilledMinor: 0,
  ...overrides,
});

const time = (
  actualId: string,
  projectId: string,
  hoursHundredths: number,
  rateMinor: number,
  billAmountMinor: number,
): BillableActual => ({
  actualId,
  projectId,
  kind: 'TIME',
  role: 'Consultant',
  workDate: '2030-01-10',
  hoursHundredths,
  rateMinor,
  billAmountMinor,
  currency: 'EUR',
});

const projects = (...list: ProjectBilling[]) => new Map(list.map((p) => [p.projectId, p]));

describe('draftInvoices', () => {
  it('TIME_AND_MATERIALS: one TIME line per actual; expenses in their own currency on their own invoice', () => {
    const plan = draftInvoices(
      '2030-01',
      projects(projectOf('PRJ-TM', 'TIME_AND_MATERIALS')),
      [
        time('TE-1', 'PRJ-TM', 150, 12_345, 18_517),
        time('TE-2', 'PRJ-TM', 200, 12_345, 24_690),
        {
          ...time('EX-1', 'PRJ-TM', 0, 0, 4_250),
          kind: 'EXPENSE',
          role: null,
          rateMinor: null,
          currency: 'GBP',
          description: 'TRAVEL 2030-01-12',
        },
      ],
      [],
    );
    expect(plan.invoices.map((i) => [i.invoiceId, i.totalMinor, i.lines.length])).toEqual([
      ['INV-2030-01-C-1-LE-DE-EUR', 43_207, 2],
      ['INV-2030-01-C-1-LE-DE-GBP', 4_250, 1],
    ]);
    expect(plan.invoices[0].lines[0]).toEqual({
      lineId: 'INV-2030-01-C-1-LE-DE-EUR-L001',
      projectId: 'PRJ-TM',
      dealId: 'D-PRJ-TM',
      kind: 'TIME',
      description: 'Consultant 2030-01-10',
      quantityHundredths: 150,
      unitPriceMinor: 12_345,
      amountMinor: 18_517,
      sourceIds: ['TE-1'],
    });
    expect(plan.invoices[1].lines[0]).toMatchObject({
      kind: 'EXPENSE',
      amountMinor: 4_250,
      sourceIds: ['EX-1'],
    });
    expect([...plan.actualInvoice]).toEqual([
      ['TE-1', 'INV-2030-01-C-1-LE-DE-EUR'],
      ['TE-2', 'INV-2030-01-C-1-LE-DE-EUR'],
      ['EX-1', 'INV-2030-01-C-1-LE-DE-GBP'],
    ]);
  });

  it('FIXED_FEE_MILESTONE: milestones completed by the period end, once', () => {
    const items: OpenScheduleItem[] = [
      {
        itemId: 'BS-MS-01',
        projectId: 'PRJ-MS',
        description: 'Blueprint',
        dueDate: '2030-01-15',
        amountMinor: 3_333,
        milestoneId: 'M1',
        completedOn: '2030-01-31',
      },
      {
        itemId: 'BS-MS-02',
        projectId: 'PRJ-MS',
        description: 'Go-live',
        dueDate: '2030-01-20',
        amountMinor: 6_668,
        milestoneId: 'M2',
        completedOn: '2030-02-01',
      },
      {
        itemId: 'BS-MS-03',
        projectId: 'PRJ-MS',
        description: 'Later',
        dueDate: '2030-03-20',
        amountMinor: 0,
        milestoneId: 'M3',
        completedOn: null,
      },
    ];
    const plan = draftInvoices('2030-01', projects(projectOf('PRJ-MS', 'FIXED_FEE_MILESTONE')), [], items);
    expect(plan.invoices).toHaveLength(1);
    expect(plan.invoices[0].lines).toEqual([
      expect.objectContaining({
        kind: 'MILESTONE',
        description: 'Blueprint',
        amountMinor: 3_333,
        sourceIds: ['BS-MS-01'],
      }),
    ]);
    expect([...plan.itemInvoice.keys()]).toEqual(['BS-MS-01']);
  });

  it('RETAINER: the fee due, and time drawn down with only the overage billed', () => {
    const retainer = projectOf('PRJ-RT', 'RETAINER');
    const jan: OpenScheduleItem = {
      itemId: 'BS-RT-01',
      projectId: 'PRJ-RT',
      description: 'Retainer 2030-01',
      dueDate: '2030-01-31',
      amountMinor: 3_334,
      milestoneId: null,
      completedOn: null,
    };
    const feb: OpenScheduleItem = {
      ...jan,
      itemId: 'BS-RT-02',
      description: 'Retainer 2030-02',
      dueDate: '2030-02-28',
    };
    // January: 40 h × 1.00 = 40.00 used against a 33.34 retainer → 6.66 overage.
    const first = draftInvoices(
      '2030-01',
      projects(retainer),
      [time('TE-R1', 'PRJ-RT', 4_000, 100, 4_000)],
      [jan, feb],
    );
    expect(
      first.invoices[0].lines.map((l) => [l.kind, l.amountMinor, l.sourceIds, l.quantityHundredths]),
    ).toEqual([
      ['RETAINER', 3_334, ['BS-RT-01'], null],
      ['TIME', 666, ['TE-R1'], 4_000],
    ]);
    expect(first.retainer.get('PRJ-RT')).toEqual({ usageMinor: 4_000, overageBilledMinor: 666 });
    // February: 20 h more; 60.00 used against 66.68 of retainer + 6.66 overage billed → no overage.
    const second = draftInvoices(
      '2030-02',
      projects({
        ...retainer,
        retainerFeesBilledMinor: 3_334,
        retainerUsageMinor: 4_000,
        retainerOverageBilledMinor: 666,
      }),
      [time('TE-R2', 'PRJ-RT', 2_000, 100, 2_000)],
      [feb],
    );
    expect(second.invoices[0].lines.map((l) => [l.kind, l.amountMinor, l.sourceIds])).toEqual([
      ['RETAINER', 3_334, ['BS-RT-02']],
      ['TIME', 0, ['TE-R2']],
    ]);
    expect(second.retainer.get('PRJ-RT')).toEqual({ usageMinor: 6_000, overageBilledMinor: 666 });
  });

  it('FIXED_FEE_PERCENT_COMPLETE: cumulative progress minus what was billed, never above the fee', () => {
    const pc = projectOf('PRJ-PC', 'FIXED_FEE_PERCENT_COMPLETE', {
      costToDateMinor: 3_000,
      forecastTotalCostMinor: 9_000,
    });
    const item: OpenScheduleItem = {
      itemId: 'BS-PC-01',
      projectId: 'PRJ-PC',
      description: 'Progress billing 2030-01',
      dueDate: '2030-01-31',
      amountMinor: null,
      milestoneId: null,
      completedOn: null,
    };
    const first = draftInvoices('2030-01', projects(pc), [], [item]);
    expect(first.invoices[0].lines).toEqual([
      expect.objectContaining({
        kind: 'PROGRESS',
        amountMinor: 3_333,
        sourceIds: ['BS-PC-01'],
        description: 'Progress billing 2030-01: 33.33% complete',
      }),
    ]);
    expect(first.progressBilled.get('PRJ-PC')).toBe(3_333);
    // Cost overran the forecast and nobody revised it: no cost basis, nothing billed (not 100 %).
    const stale = draftInvoices(
      '2030-02',
      projects({ ...pc, costToDateMinor: 9_500, progressBilledMinor: 3_333 }),
      [],
      [],
    );
    expect(stale.invoices).toEqual([]);
    expect(stale.progressBilled.size).toBe(0);
    expect(stale.noCostBasis.get('PRJ-PC')).toEqual({
      reason: 'COST_ABOVE_FORECAST',
      costToDateMinor: 9_500,
      forecastTotalCostMinor: 9_000,
    });
    // The forecast revised to the cost: 100 %, the rest of the fee and no more.
    const overrun = draftInvoices(
      '2030-02',
      projects({ ...pc, costToDateMinor: 9_500, forecastTotalCostMinor: 9_500, progressBilledMinor: 3_333 }),
      [],
      [],
    );
    expect(overrun.invoices[0].lines[0]).toMatchObject({
      amountMinor: 6_668,
      sourceIds: ['PROGRESS-PRJ-PC-2030-02'],
    });
    const done = draftInvoices(
      '2030-03',
      projects({
        ...pc,
        costToDateMinor: 12_000,
        forecastTotalCostMinor: 12_000,
        progressBilledMinor: 10_001,
      }),
      [],
      [],
    );
    expect(done.invoices).toEqual([]);
  });

  it('FIXED_FEE_PERCENT_COMPLETE without a cost basis bills nothing: a forecast of 0 is not 100 %', () => {
    // A change order before anyone was staffed published a forecast of 0; 500 of cost was then
    // booked. Before the fix: 90,000 × 500 / max(0, 500) = 90,000, the whole fee on one line.
    const unstaffed = projectOf('PRJ-PC', 'FIXED_FEE_PERCENT_COMPLETE', {
      feeMinor: 90_000,
      costToDateMinor: 500,
      forecastTotalCostMinor: 0,
    });
    const plan = draftInvoices('2030-01', projects(unstaffed), [], []);
    expect(plan.invoices).toEqual([]);
    expect(plan.progressBilled.size).toBe(0);
    expect([...plan.noCostBasis]).toEqual([
      ['PRJ-PC', { reason: 'ZERO_FORECAST', costToDateMinor: 500, forecastTotalCostMinor: 0 }],
    ]);
    // Without any forecast: the same.
    const unforecast = draftInvoices(
      '2030-01',
      projects({ ...unstaffed, forecastTotalCostMinor: null }),
      [],
      [],
    );
    expect(unforecast.invoices).toEqual([]);
    expect(unforecast.noCostBasis.get('PRJ-PC')?.reason).toBe('NO_FORECAST');
    // Staffed with a forecast of 30,000 and 6,000 of cost: 6,000 / 30,000 = 20 %, 90,000 × 20 % = 18,000.
    const staffed = draftInvoices(
      '2030-02',
      projects({ ...unstaffed, costToDateMinor: 6_000, forecastTotalCostMinor: 30_000 }),
      [],
      [],
    );
    expect(staffed.noCostBasis.size).toBe(0);
    expect(staffed.invoices[0].lines).toEqual([
      expect.objectContaining({
        kind: 'PROGRESS',
        amountMinor: 18_000,
        description: 'Progress billing 2030-02: 20% complete',
      }),
    ]);
    expect(staffed.progressBilled.get('PRJ-PC')).toBe(18_000);
    // Before any cost there is nothing to measure, and nothing to raise.
    const notStarted = draftInvoices('2030-01', projects({ ...unstaffed, costToDateMinor: 0 }), [], []);
    expect([notStarted.invoices, notStarted.noCostBasis.size]).toEqual([[], 0]);
  });

  it('groups per customer, legal entity and currency', () => {
    const plan = draftInvoices(
      '2030-01',
      projects(
        projectOf('PRJ-A', 'TIME_AND_MATERIALS'),
        projectOf('PRJ-B', 'TIME_AND_MATERIALS'),
        projectOf('PRJ-C', 'TIME_AND_MATERIALS', { customerId: 'C-2' }),
        projectOf('PRJ-D', 'TIME_AND_MATERIALS', { legalEntityId: 'LE-FR' }),
      ),
      [
        time('T-A', 'PRJ-A', 100, 100, 100),
        time('T-B', 'PRJ-B', 100, 200, 200),
        time('T-C', 'PRJ-C', 100, 300, 300),
        time('T-D', 'PRJ-D', 100, 400, 400),
      ],
      [],
    );
    expect(plan.invoices.map((i) => [i.invoiceId, i.totalMinor])).toEqual([
      ['INV-2030-01-C-1-LE-DE-EUR', 300],
      ['INV-2030-01-C-1-LE-FR-EUR', 400],
      ['INV-2030-01-C-2-LE-DE-EUR', 300],
    ]);
  });
});
