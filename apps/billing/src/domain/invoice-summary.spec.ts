import { InvoiceDetailLine } from './invoice-drafting';
import { summarizeInvoiceLines } from './invoice-summary';

const detail = (
  overrides: Partial<InvoiceDetailLine> & Pick<InvoiceDetailLine, 'lineId'>,
): InvoiceDetailLine => ({
  projectId: 'PRJ-A',
  dealId: 'D-1',
  kind: 'TIME',
  description: 'Consultant 2026-11-02',
  quantityHundredths: 800,
  unitPriceMinor: 15_000,
  amountMinor: 120_000,
  sourceIds: [`ACT-${overrides.lineId}`],
  ...overrides,
});

const item = (lineId: string, kind: InvoiceDetailLine['kind'], description: string, amountMinor: number) =>
  detail({ lineId, kind, description, quantityHundredths: null, unitPriceMinor: null, amountMinor });

const row = (l: ReturnType<typeof summarizeInvoiceLines>[number]) => [
  l.lineId,
  l.projectId,
  l.kind,
  l.description,
  l.quantityHundredths,
  l.unitPriceMinor,
  l.amountMinor,
  l.sourceCount,
];

describe('summarizeInvoiceLines', () => {
  it('sums time and expenses per project and keeps every other line', () => {
    const lines = summarizeInvoiceLines('INV-1', [
      detail({ lineId: 'L1' }),
      // 2.5 h × 150.00 = 375.00
      detail({ lineId: 'L2', quantityHundredths: 250, amountMinor: 37_500 }),
      item('L3', 'EXPENSE', 'Train', 8_950),
      item('L4', 'EXPENSE', 'Hotel', 21_000),
      item('L5', 'MILESTONE', 'Go-live', 500_000),
      item('L6', 'MILESTONE', 'Hypercare', 100_000),
      detail({ lineId: 'L7', projectId: 'PRJ-B', dealId: 'D-2' }),
    ]);
    expect(lines.map(row)).toEqual([
      // 8 h + 2.5 h = 10.5 h at 150.00; 1,200.00 + 375.00 = 1,575.00
      ['INV-1-S001', 'PRJ-A', 'TIME', 'Time (2 entries)', 1_050, 15_000, 157_500, 2],
      // 89.50 + 210.00 = 299.50
      ['INV-1-S002', 'PRJ-A', 'EXPENSE', 'Expenses (2 items)', null, null, 29_950, 2],
      ['INV-1-S003', 'PRJ-A', 'MILESTONE', 'Go-live', null, null, 500_000, 1],
      ['INV-1-S004', 'PRJ-A', 'MILESTONE', 'Hypercare', null, null, 100_000, 1],
      ['INV-1-S005', 'PRJ-B', 'TIME', 'Consultant 2026-11-02', 800, 15_000, 120_000, 1],
    ]);
  });

  it('gives time at several prices one line without a price: 2 h at 150.00 + 1 h at 100.00 = 3 h, 400.00', () => {
    const lines = summarizeInvoiceLines('INV-2', [
      detail({ lineId: 'L1', quantityHundredths: 200, amountMinor: 30_000 }),
      detail({ lineId: 'L2', quantityHundredths: 100, unitPriceMinor: 10_000, amountMinor: 10_000 }),
    ]);
    expect(lines.map(row)).toEqual([
      ['INV-2-S001', 'PRJ-A', 'TIME', 'Time (2 entries)', 300, null, 40_000, 2],
    ]);
  });

  it('keeps the total and the count of billed sources, and grows with projects only (100,000 entries)', () => {
    // Every entry at its own price.
    const details = Array.from({ length: 100_000 }, (_, i) =>
      detail({
        lineId: `L${i}`,
        projectId: `PRJ-${i % 40}`,
        unitPriceMinor: 10_000 + i,
        amountMinor: 1_000 + (i % 7),
      }),
    );
    const lines = summarizeInvoiceLines('INV-3', details);
    expect(lines).toHaveLength(40);
    expect(lines.reduce((sum, l) => sum + l.amountMinor, 0)).toBe(
      details.reduce((sum, d) => sum + d.amountMinor, 0),
    );
    expect(lines.reduce((sum, l) => sum + l.sourceCount, 0)).toBe(100_000);
  });

  it('leaves a retainer drawdown line (no hourly price) as it is', () => {
    const drawdown = detail({
      lineId: 'L1',
      description: 'Time drawn down from the retainer, 2026-11',
      unitPriceMinor: null,
      amountMinor: 0,
      sourceIds: ['A1', 'A2', 'A3'],
    });
    expect(
      summarizeInvoiceLines('INV-4', [drawdown, { ...drawdown, lineId: 'L2' }]).map((l) => l.sourceCount),
    ).toEqual([3, 3]);
  });
});
