export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
/** Kafka headers as the client hands them over: kept as bytes so replays copy them exactly. */
export type RawHeaders = Record<string, HeaderValue>;

/** One message of a dead-letter (or parked) topic, as stored. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  /** Epoch ms: when it was dead-lettered (the record timestamp). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RawHeaders;
}

/** The value decoded with its writer schema, or why it could not be. */
export type DecodedValue = { ok: true; schemaId: number; json: unknown } | { ok: false; reason: string };

export interface InspectedDeadLetter extends DeadLetter {
  /** Every header as a string (first value of repeated headers). */
  headerStrings: Record<string, string>;
  decoded: DecodedValue;
}

export interface EnvelopeFields {
  eventId?: string;
  eventType?: string;
  correlationId?: string;
}

/** The envelope fields of a decoded Throughline event (`{ envelope, data }`), when present. */
export function envelopeFields(decoded: DecodedValue): EnvelopeFields {
  if (!decoded.ok || typeof decoded.json !== 'object' || decoded.json === null) return {};
  const envelope = (decoded.json as { envelope?: unknown }).envelope;
  if (typeof envelope !== 'object' || envelope === null) return {};
  const fields: EnvelopeFields = {};
  for (const name of ['eventId', 'eventType', 'correlationId'] as const) {
    const value = (envelope as Record<string, unknown>)[name];
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}

export function keyString(key: Buffer | null): string | null {
  return key === null ? null : key.toString('utf8');
}

/** How `show --json` presents one dead letter. */
export interface MessageView {
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  schemaId: number | null;
  value: unknown;
  undecodable?: { reason: string; base64: string };
}

export function toMessageView(message: InspectedDeadLetter): MessageView {
  const view: MessageView = {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: new Date(message.timestamp).toISOString(),
    key: keyString(message.key),
    headers: message.headerStrings,
    schemaId: message.decoded.ok ? message.decoded.schemaId : null,
    value: message.decoded.ok ? message.decoded.json : null,
  };
  if (!message.decoded.ok) {
    view.undecodable = { reason: message.decoded.reason, base64: message.value?.toString('base64') ?? '' };
  }
  return view;
}
