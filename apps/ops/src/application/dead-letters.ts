import { IHeaders } from 'kafkajs';

import { DLQ_HEADER, HEADER, headersToStrings } from '@throughline/messaging';

import { DeadLetter, envelopeFields, InspectedDeadLetter, keyString } from '../domain/dead-letter';
import { DlqOrigin, parseDlqTopic } from '../domain/dlq-topics';
import { UsageError } from '../domain/errors';
import {
  FilterableMessage,
  matchesFilter,
  MessageFilter,
  PartitionOffsets,
  readRanges,
} from '../domain/filters';
import { KafkaPort, OpsContext, ValueDecoder } from './ports';

/** The topic's partitions and offsets; an unknown topic is a usage error (exit code 2). */
export async function requireTopic(
  kafka: KafkaPort,
  topic: string,
  command: string,
): Promise<PartitionOffsets[]> {
  const topics = await kafka.listTopics();
  if (!topics.includes(topic)) {
    throw new UsageError(
      `unknown topic "${topic}" (run "throughline dlq list" to see the dead-letter topics)`,
      command,
    );
  }
  return kafka.partitionOffsets(topic);
}

export interface Selection {
  partitions: PartitionOffsets[];
  /** Matching dead letters in partition, then offset order. */
  matches: InspectedDeadLetter[];
  /** More messages matched than `limit`. */
  truncated: boolean;
}

/** Reads a dead-letter topic and keeps the messages matching `filter` (at most `limit`). */
export async function selectDeadLetters(
  context: OpsContext,
  topic: string,
  filter: MessageFilter,
  options: { command: string; limit?: number },
): Promise<Selection> {
  const kafka = await context.kafka();
  const partitions = await requireTopic(kafka, topic, options.command);
  const sinceOffsets =
    filter.since === undefined
      ? undefined
      : new Map((await kafka.offsetsAt(topic, filter.since)).map((p) => [p.partition, p.offset]));
  const ranges = readRanges(filter, partitions, sinceOffsets).map((range) => ({ ...range, topic }));
  const decoder = context.decoder();
  const matches: InspectedDeadLetter[] = [];
  let truncated = false;
  await kafka.read(ranges, async (message) => {
    const inspected = await inspect(message, decoder);
    if (!matchesFilter(filter, filterable(inspected))) return true;
    if (options.limit !== undefined && matches.length >= options.limit) {
      truncated = true;
      return false;
    }
    matches.push(inspected);
    return true;
  });
  matches.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return { partitions, matches, truncated };
}

export async function inspect(message: DeadLetter, decoder: ValueDecoder): Promise<InspectedDeadLetter> {
  return {
    ...message,
    headerStrings: headersToStrings(message.headers as IHeaders),
    decoded: await decoder.decode(message.value),
  };
}

function filterable(message: InspectedDeadLetter): FilterableMessage {
  const fromHeader = message.headerStrings[HEADER.correlationId];
  const fromEnvelope = envelopeFields(message.decoded).correlationId;
  return {
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: keyString(message.key),
    errorClass: message.headerStrings[DLQ_HEADER.errorClass],
    correlationIds: [fromHeader, fromEnvelope].filter((id): id is string => id !== undefined),
  };
}

/**
 * Where a dead letter came from: its provenance headers, falling back to the topic name for
 * messages without them.
 */
export function originOf(message: InspectedDeadLetter, context: OpsContext): Partial<DlqOrigin> {
  const parsed = parseDlqTopic(message.topic, {
    prefix: context.prefix,
    catalogTopics: context.catalogTopics,
  });
  return {
    sourceTopic: message.headerStrings[DLQ_HEADER.topic] || parsed?.sourceTopic,
    group: message.headerStrings[DLQ_HEADER.group] || parsed?.group,
  };
}
