import { AuditRecord } from './audit';
import { MessageView } from './dead-letter';
import { formatAge } from './duration';
import { PartitionOffsets } from './filters';

export interface Column {
  title: string;
  align?: 'left' | 'right';
}

/** A plain text table: a header row and columns padded to their widest cell. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] as number;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), ...rows.map(line)].join('\n');
}

/** One dead-letter topic, as `dlq list` reports it. */
export interface DlqSummary {
  topic: string;
  sourceTopic: string | null;
  group: string | null;
  depth: number;
  partitions: readonly PartitionOffsets[];
  /** Epoch ms of the oldest message still in the topic. */
  oldestTimestamp: number | null;
  /** Messages in `<topic>.parked`. */
  parked: number;
}

export function depthOf(partitions: readonly PartitionOffsets[]): number {
  return partitions.reduce((sum, p) => sum + Math.max(0, p.high - p.low), 0);
}

/** Deepest first, then by name. */
export function sortByDepth(summaries: readonly DlqSummary[]): DlqSummary[] {
  return [...summaries].sort((a, b) => b.depth - a.depth || a.topic.localeCompare(b.topic));
}

export function formatDlqTable(summaries: readonly DlqSummary[], now: number): string {
  if (summaries.length === 0) return 'No dead-letter topics.';
  return renderTable(
    [
      { title: 'DLQ TOPIC' },
      { title: 'DEPTH', align: 'right' },
      { title: 'OLDEST', align: 'right' },
      { title: 'PARKED', align: 'right' },
      { title: 'SOURCE TOPIC' },
      { title: 'GROUP' },
    ],
    summaries.map((summary) => [
      summary.topic,
      String(summary.depth),
      summary.oldestTimestamp === null ? '-' : formatAge(now - summary.oldestTimestamp),
      String(summary.parked),
      summary.sourceTopic ?? '?',
      summary.group ?? '?',
    ]),
  );
}

export function dlqSummaryJson(summary: DlqSummary, now: number): object {
  return {
    topic: summary.topic,
    sourceTopic: summary.sourceTopic,
    group: summary.group,
    depth: summary.depth,
    oldestTimestamp:
      summary.oldestTimestamp === null ? null : new Date(summary.oldestTimestamp).toISOString(),
    oldestAgeMs: summary.oldestTimestamp === null ? null : Math.max(0, now - summary.oldestTimestamp),
    parked: summary.parked,
    partitions: summary.partitions.map((p) => ({ ...p, depth: Math.max(0, p.high - p.low) })),
  };
}

/** `partition@offset`, how messages are named in human output. */
export function position(partition: number, offset: number): string {
  return `${partition}@${offset}`;
}

export interface MessageFormat {
  /** Headers too long for a terminal (stack traces), cut to `maxLines`; `--json` shows them whole. */
  longHeaders?: readonly string[];
  maxLines?: number;
}

/** A dead letter for humans: a title line, the headers, then the decoded value (or base64 and why not). */
export function formatMessage(view: MessageView, format: MessageFormat = {}): string {
  const lines = [
    `── ${view.topic} ${position(view.partition, view.offset)}  ${view.timestamp}  key=${view.key ?? '(none)'}`,
  ];
  lines.push('headers:');
  for (const [name, value] of Object.entries(view.headers).sort(([a], [b]) => a.localeCompare(b))) {
    let valueLines = value.split('\n');
    const maxLines = format.maxLines ?? 12;
    if (format.longHeaders?.includes(name) && valueLines.length > maxLines) {
      const hidden = valueLines.length - maxLines;
      valueLines = [...valueLines.slice(0, maxLines), `(${hidden} more line(s); --json shows all)`];
    }
    lines.push(`  ${name}: ${valueLines.join('\n    ')}`);
  }
  if (view.undecodable) {
    lines.push(`value: undecodable (${view.undecodable.reason})`);
    lines.push(`  base64: ${view.undecodable.base64}`);
  } else {
    lines.push(`value (schema ${view.schemaId}):`);
    lines.push(indent(JSON.stringify(view.value, null, 2)));
  }
  return lines.join('\n');
}

export function formatAuditTable(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'No audit records.';
  return renderTable(
    [
      { title: 'AT' },
      { title: 'ACTOR' },
      { title: 'ACTION' },
      { title: 'DLQ TOPIC' },
      { title: 'POSITION' },
      { title: 'TARGET' },
      { title: 'EVENT ID' },
      { title: 'REASON' },
    ],
    records.map((record) => [
      new Date(record.performedAt).toISOString(),
      record.actor,
      record.forced ? `${record.action} (forced)` : record.action,
      record.dlqTopic,
      record.action === 'purge'
        ? `${record.partition}@<${record.offset}`
        : position(record.partition, record.offset),
      record.targetTopic ?? '-',
      record.eventId ?? '-',
      record.reason ?? '-',
    ]),
  );
}

export function auditRecordJson(record: AuditRecord): object {
  return { ...record, performedAt: new Date(record.performedAt).toISOString() };
}

/** "replayed 120/500…" */
export function progressLine(verb: string, done: number, total: number): string {
  return `${verb} ${done}/${total}${done < total ? '…' : ''}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
