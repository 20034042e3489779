import { InvoiceLine } from '@throughline/contracts';

import { InvoiceDetailLine } from './invoice-drafting';

/**
 * The lines an issued invoice publishes: a project's time entries become one line (with their hourly
 * price when they all share it), so do its expenses; every other detail line (milestone, retainer
 * fee or drawdown, progress billing) stays a line of its own. So the lines grow with projects and
 * schedule items, never with entries or prices, and any invoice fits one Kafka message. Amounts and
 * hours are sums, so the total is unchanged; lines keep the order of their first detail line.
 */
/** A summary line before tax (issue adds each line's tax code, rate and share: `domain/tax.ts`). */
export type SummaryLine = Omit<InvoiceLine, 'taxCode' | 'taxRateBasisPoints' | 'taxMinor'>;

export function summarizeInvoiceLines(
  invoiceId: string,
  details: readonly InvoiceDetailLine[],
): SummaryLine[] {
  const groups = new Map<string, InvoiceDetailLine[]>();
  details.forEach((detail, index) => {
    const key = groupKey(detail) ?? `single:${index}`;
    const group = groups.get(key);
    if (group) group.push(detail);
    else groups.set(key, [detail]);
  });
  return [...groups.values()].map((group, index) => {
    const [first] = group as [InvoiceDetailLine, ...InvoiceDetailLine[]];
    const hours = group.filter((detail) => detail.quantityHundredths !== null);
    return {
      lineId: `${invoiceId}-S${String(index + 1).padStart(3, '0')}`,
      projectId: first.projectId,
      dealId: first.dealId,
      kind: first.kind,
      description: group.length === 1 ? first.description : describeGroup(first, group.length),
      quantityHundredths:
        hours.length === 0 ? null : hours.reduce((sum, detail) => sum + (detail.quantityHundredths ?? 0), 0),
      unitPriceMinor: group.every((detail) => detail.unitPriceMinor === first.unitPriceMinor)
        ? first.unitPriceMinor
        : null,
      amountMinor: group.reduce((sum, detail) => sum + detail.amountMinor, 0),
      sourceCount: group.reduce((sum, detail) => sum + detail.sourceIds.length, 0),
    };
  });
}

function groupKey(detail: InvoiceDetailLine): string | undefined {
  if (detail.kind === 'TIME' && detail.unitPriceMinor !== null) return `time:${detail.projectId}`;
  if (detail.kind === 'EXPENSE') return `expense:${detail.projectId}`;
  return undefined;
}

function describeGroup(first: InvoiceDetailLine, count: number): string {
  return first.kind === 'EXPENSE' ? `Expenses (${count} items)` : `Time (${count} entries)`;
}
