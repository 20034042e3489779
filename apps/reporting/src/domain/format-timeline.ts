import { DealTimeline } from './deal-timeline';

const COLUMNS = ['OCCURRED (UTC)', 'STEP', 'ENTITY', 'STATUS', 'SOURCE', 'SUMMARY'] as const;

/**
 * A deal's timeline as a plain-text table for terminals (the `npm start` demo, `?format=text`):
 * a heading with the deal's status, then one aligned row per step in timeline order.
 */
export function formatTimeline(timeline: DealTimeline): string {
  const name = timeline.dealName === null ? '' : ` "${timeline.dealName}"`;
  const customer = timeline.customerName === null ? '' : ` for ${timeline.customerName}`;
  const open = `${timeline.openExceptions} open exception${timeline.openExceptions === 1 ? '' : 's'}`;
  const heading = `Deal ${timeline.dealId}${name}${customer}: ${timeline.status} (${open})`;
  if (timeline.steps.length === 0) return `${heading}\n(no steps recorded)`;

  const rows = timeline.steps.map((step) => [
    formatInstant(step.occurredAt),
    step.step,
    `${step.entityType} ${step.entityId}`,
    step.status,
    step.source,
    step.summary,
  ]);
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const lines = table.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
  return [heading, ...lines].join('\n');
}

/** "2026-01-05T09:00:00.000Z" → "2026-01-05 09:00:00" (milliseconds only when present). */
function formatInstant(iso: string): string {
  const [date, time = ''] = iso.replace(/Z$/, '').split('T');
  return `${date} ${time.replace(/\.000$/, '')}`.trimEnd();
}
