import { eventDefinition, isEventType, registeredSchema } from '@throughline/contracts';

import { ExportFormat } from '../domain/commands';
import { UsageError } from '../domain/errors';
import {
  DecodedRecord,
  exportColumns,
  ExportColumn,
  exportRow,
  LatestPerKey,
  payloadFields,
} from '../domain/export-table';
import { keyString } from '../domain/dead-letter';
import { OpsContext, TopicReadRange } from './ports';

export interface ExportRequest {
  eventType: string;
  file: string;
  format: ExportFormat;
  since?: number;
  until?: number;
  current: boolean;
  by?: string;
}

/** Where the table goes: a file of the given format, written once every row is appended. */
export interface TableWriter {
  write(
    request: { file: string; format: ExportFormat; columns: readonly ExportColumn[] },
    rows: readonly (string | null)[][],
  ): Promise<void>;
}

export interface ExportOutcome {
  topic: string;
  read: number;
  rows: number;
  /** Values that could not be decoded (skipped), with the first reasons. */
  undecodable: number;
  reasons: string[];
}

/** How often progress is reported, in percent of the messages to read. */
const PROGRESS_STEP_PERCENT = 10;

/**
 * `throughline export`: reads an event type's topic (optionally a time window), decodes every event
 * and writes one typed row per event, or per message key with `current`.
 */
export async function exportEvents(
  context: OpsContext,
  writer: TableWriter,
  request: ExportRequest,
): Promise<ExportOutcome> {
  if (!isEventType(request.eventType))
    throw new UsageError(`unknown event type "${request.eventType}" (see schemas/catalog.json)`, 'export');
  const topic = `${context.prefix}${eventDefinition(request.eventType).topic.name}`;
  const schema = registeredSchema(request.eventType);
  const columns = exportColumns(schema);
  if (request.by !== undefined && !payloadFields(schema).includes(request.by))
    throw new UsageError(
      `--by ${request.by}: ${request.eventType} has no such field (${payloadFields(schema).join(', ')})`,
      'export',
    );
  const kafka = await context.kafka();
  if (!(await kafka.listTopics()).includes(topic)) throw new Error(`topic ${topic} does not exist`);
  const starts = request.since === undefined ? undefined : await kafka.offsetsAt(topic, request.since);
  const ends = request.until === undefined ? undefined : await kafka.offsetsAt(topic, request.until);
  const ranges: TopicReadRange[] = [];
  for (const { partition, low, high } of await kafka.partitionOffsets(topic)) {
    const start = Math.max(low, starts?.find((p) => p.partition === partition)?.offset ?? low);
    const end = Math.min(high, ends?.find((p) => p.partition === partition)?.offset ?? high);
    if (start < end) ranges.push({ topic, partition, start, end });
  }
  const total = ranges.reduce((sum, range) => sum + (range.end - range.start), 0);
  const progress = progressReporter(context, total);
  const decoder = context.decoder();
  const all: (string | null)[][] = [];
  const latest = new LatestPerKey<(string | null)[] | null>();
  const outcome: ExportOutcome = { topic, read: 0, rows: 0, undecodable: 0, reasons: [] };
  await kafka.read(ranges, async (message) => {
    outcome.read++;
    progress(outcome.read);
    const key = keyString(message.key) ?? '';
    if (message.value === null) {
      // A tombstone removes the entity from the current state.
      if (request.current) latest.add(key, null);
      return !context.signal?.aborted;
    }
    const decoded = await decoder.decode(message.value);
    if (!decoded.ok) {
      outcome.undecodable++;
      if (outcome.reasons.length < 3)
        outcome.reasons.push(`partition ${message.partition} offset ${message.offset}: ${decoded.reason}`);
      return !context.signal?.aborted;
    }
    const record = decoded.json as DecodedRecord;
    const row = exportRow(columns, record);
    if (request.current) latest.add(request.by === undefined ? key : String(record.data[request.by]), row);
    else all.push(row);
    return !context.signal?.aborted;
  });
  if (context.signal?.aborted) throw new Error(`interrupted after ${outcome.read} of ${total} message(s); nothing written`);
  const rows = request.current
    ? latest.values().filter((row): row is (string | null)[] => row !== null)
    : all;
  await writer.write({ file: request.file, format: request.format, columns }, rows);
  outcome.rows = rows.length;
  return outcome;
}

/** A bar on stderr every PROGRESS_STEP_PERCENT of the messages (nothing for small reads). */
function progressReporter(context: OpsContext, total: number): (done: number) => void {
  let reported = 0;
  return (done) => {
    if (total < 1_000) return;
    const percent = Math.floor((done * 100) / total);
    if (percent < reported + PROGRESS_STEP_PERCENT && done < total) return;
    reported = percent - (percent % PROGRESS_STEP_PERCENT);
    const filled = Math.round(percent / 5);
    context.console.err(
      `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${percent}% ${done.toLocaleString('en')} of ${total.toLocaleString('en')} events`,
    );
  };
}
