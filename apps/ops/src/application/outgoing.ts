import { DLQ_HEADER, HEADER, RETRY_HEADER } from '@throughline/messaging';

import { InspectedDeadLetter, RawHeaders } from '../domain/dead-letter';
import { OutgoingMessage } from './ports';

/** Headers `park` adds to the copies it writes to `<dlq-topic>.parked`. */
export const PARKED_HEADER = {
  at: 'tl-parked-at',
  by: 'tl-parked-by',
  reason: 'tl-parked-reason',
  fromTopic: 'tl-parked-from-topic',
  fromPartition: 'tl-parked-from-partition',
  fromOffset: 'tl-parked-from-offset',
} as const;

/**
 * Headers added on the way to and through the dead-letter topic: provenance, retry bookkeeping,
 * the correlation id copied for filtering, parking. A replay drops them so the handlers see the
 * message as first published.
 */
const DELIVERY_HEADERS: ReadonlySet<string> = new Set([
  ...Object.values(DLQ_HEADER),
  ...Object.values(RETRY_HEADER),
  ...Object.values(PARKED_HEADER),
  HEADER.correlationId,
]);

export function originalHeaders(headers: RawHeaders): RawHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !DELIVERY_HEADERS.has(name)));
}

/** The original message again, for its original topic: same key, value bytes and original headers. */
export function replayToOriginal(message: InspectedDeadLetter, topic: string): OutgoingMessage {
  return { topic, key: message.key, value: message.value, headers: originalHeaders(message.headers) };
}

/**
 * The original message for one group's first retry topic, due now and counted as not yet retried,
 * so that group alone handles it again promptly.
 */
export function replayToGroup(message: InspectedDeadLetter, topic: string, now: number): OutgoingMessage {
  const provenance: RawHeaders = {};
  for (const [from, to] of [
    [DLQ_HEADER.topic, RETRY_HEADER.originalTopic],
    [DLQ_HEADER.partition, RETRY_HEADER.originalPartition],
    [DLQ_HEADER.offset, RETRY_HEADER.originalOffset],
  ] as const) {
    const value = message.headerStrings[from];
    if (value !== undefined) provenance[to] = value;
  }
  return {
    topic,
    key: message.key,
    value: message.value,
    headers: {
      ...originalHeaders(message.headers),
      ...provenance,
      [RETRY_HEADER.attempt]: '0',
      [RETRY_HEADER.notBefore]: String(now),
    },
  };
}

/** A byte-for-byte copy with every header kept, plus who parked it, when, why and from where. */
export function parkedCopy(
  message: InspectedDeadLetter,
  topic: string,
  park: { actor: string; reason: string | null; now: number },
): OutgoingMessage {
  const headers: RawHeaders = {
    ...message.headers,
    [PARKED_HEADER.at]: new Date(park.now).toISOString(),
    [PARKED_HEADER.by]: park.actor,
    [PARKED_HEADER.fromTopic]: message.topic,
    [PARKED_HEADER.fromPartition]: String(message.partition),
    [PARKED_HEADER.fromOffset]: String(message.offset),
  };
  if (park.reason !== null) headers[PARKED_HEADER.reason] = park.reason;
  return { topic, key: message.key, value: message.value, headers };
}
