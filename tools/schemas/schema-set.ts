import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import * as avro from 'avsc';
import { z } from 'zod';

/**
 * Loads `schemas/` (envelope, per-event payload versions, topic catalog), validates the house rules and
 * produces the registered form of every version. Shared by `generate.ts` and `check.ts`, so the code
 * generator and the compatibility check can never disagree about what a schema is.
 */

export const DEFAULT_SCHEMAS_DIR = resolve(__dirname, '..', '..', 'schemas');
export const ENVELOPE_FULLNAME = 'dev.throughline.Envelope';

/** A JSON Avro schema object as read from an .avsc file. */
export type AvroJson = { [key: string]: unknown };

export interface TopicDefinition {
  name: string;
  /** `business`: events of record (catalog `topics`); `tooling`: smoke and benchmark traffic (`toolingTopics`). */
  kind: 'business' | 'tooling';
  partitions: number;
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  key: string;
  /**
   * Set on compacted topics that keep every dated version of an entity (rate cards: `effectiveFrom`): the message
   * key is `<key>@<keyVersion>` so compaction keeps one record per version, and messages are partitioned by
   * `<key>` alone so every version of one entity stays in order on one partition.
   */
  keyVersion?: string;
  owner: string;
  description: string;
}

/** Topics every consumer group gets per source topic: its retry tiers and its dead-letter topic. */
export interface ConsumerTopicDefinition {
  /** Name pattern with `{topic}`, `{group}` and (retry) `{tier}` placeholders. */
  pattern: string;
  partitions: number;
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  description: string;
}

export interface SchemaVersion {
  version: number;
  /** Path relative to the schemas dir, e.g. `events/deal-won/v2.avsc`. */
  file: string;
  /** The payload record exactly as written in the file. */
  payload: AvroJson;
  /** The self-contained schema registered for the subject: `{ envelope, data }`. */
  registered: AvroJson;
  /** avsc type of `registered` (no logical types: timestamps are plain numbers). */
  type: avro.Type;
}

export interface EventSchemas {
  eventType: string;
  /** Folder under `events/`, the kebab-case event type. */
  folder: string;
  topicId: string;
  topic: TopicDefinition;
  /** Subject without any test prefix: `<topic>-value` (TopicNameStrategy). */
  subject: string;
  owner: string;
  /** Payload record fullname, e.g. `dev.throughline.deal.DealWon`. */
  payloadName: string;
  /** Ascending, contiguous from 1. */
  versions: SchemaVersion[];
  latest: SchemaVersion;
}

export interface SchemaSet {
  schemasDir: string;
  envelope: AvroJson;
  /** Catalog order: business topics, then tooling topics. */
  topics: Array<{ id: string; topic: TopicDefinition }>;
  consumerTopics: {
    retry: ConsumerTopicDefinition;
    deadLetter: ConsumerTopicDefinition;
    parked: ConsumerTopicDefinition;
  };
  /** Catalog order. */
  events: EventSchemas[];
}

export class SchemaSetError extends Error {
  constructor(
    readonly schemasDir: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid schema set in ${schemasDir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SchemaSetError';
  }
}

const TOPIC_ID = /^[a-z][a-zA-Z0-9]*$/;
const EVENT_TYPE = /^[A-Z][a-zA-Z0-9]*$/;
const PAYLOAD_NAMESPACE = /^dev\.throughline\.([a-z][a-z0-9]*)$/;
const VERSION_FILE = /^v([1-9][0-9]*)\.avsc$/;

const retentionSchema = z
  .number()
  .int()
  .refine((v) => v === -1 || v > 0, { message: 'must be -1 (infinite) or positive' });

const topicSchema = z
  .object({
    name: z.string().regex(/^throughline\.[a-z][a-z0-9]*\.[a-z0-9]+(-[a-z0-9]+)*(\.v[2-9][0-9]*)?$/, {
      message: 'must look like throughline.<domain>.<event-kebab>[.v<major>]',
    }),
    partitions: z.number().int().positive(),
    retentionMs: retentionSchema,
    cleanupPolicy: z.enum(['delete', 'compact']),
    key: z.string().min(1),
    keyVersion: z.string().min(1).optional(),
    owner: z.string().min(1),
    description: z.string().min(1),
  })
  .strict();

const consumerTopicSchema = (placeholders: readonly string[]) =>
  z
    .object({
      pattern: z.string().refine((pattern) => placeholders.every((p) => pattern.includes(`{${p}}`)), {
        message: `must contain ${placeholders.map((p) => `{${p}}`).join(', ')}`,
      }),
      partitions: z.number().int().positive(),
      retentionMs: retentionSchema,
      cleanupPolicy: z.enum(['delete', 'compact']),
      description: z.string().min(1),
    })
    .strict();

const topicIdSchema = z.string().regex(TOPIC_ID, { message: 'topic ids are camelCase' });

const catalogSchema = z
  .object({
    topics: z.record(topicIdSchema, topicSchema),
    toolingTopics: z.record(topicIdSchema, topicSchema).default({}),
    consumerTopics: z
      .object({
        retry: consumerTopicSchema(['topic', 'group', 'tier']),
        deadLetter: consumerTopicSchema(['topic', 'group']),
        parked: consumerTopicSchema(['topic', 'group']),
      })
      .strict(),
    events: z.record(
      z.string().regex(EVENT_TYPE, { message: 'event types are PascalCase' }),
      z.object({ topic: z.string().min(1), owner: z.string().min(1) }).strict(),
    ),
  })
  .strict();

export function kebabCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function subjectForTopic(topicName: string, subjectPrefix = ''): string {
  return `${subjectPrefix}${topicName}-value`;
}

/** avsc parse with the options every Throughline component uses: no logical types, `['null', T]` unwrapped. */
export function parseAvro(schema: unknown, registry: { [name: string]: avro.Type } = {}): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto', registry });
}

/** The registered form of a payload version: a record `<payload>Event` with the envelope and the payload inlined. */
export function wrapPayload(envelope: AvroJson, payload: AvroJson): AvroJson {
  const name = String(payload['name']);
  return {
    type: 'record',
    name: `${name}Event`,
    namespace: payload['namespace'],
    doc: `${name} event as written to Kafka: the shared envelope plus the ${name} payload.`,
    fields: [
      { name: 'envelope', type: structuredClone(envelope) },
      { name: 'data', type: structuredClone(payload) },
    ],
  };
}

export function loadSchemaSet(schemasDir: string = DEFAULT_SCHEMAS_DIR): SchemaSet {
  const dir = resolve(schemasDir);
  const problems: string[] = [];
  const fail = (): never => {
    throw new SchemaSetError(dir, problems);
  };

  const envelope = readJson(dir, 'envelope.avsc', problems);
  const rawCatalog = readJson(dir, 'catalog.json', problems);
  if (!envelope || !rawCatalog) fail();

  try {
    const envelopeType = parseAvro(envelope);
    if (envelopeType.name !== ENVELOPE_FULLNAME) {
      problems.push(`envelope.avsc: record must be ${ENVELOPE_FULLNAME}, found ${envelopeType.name}`);
    }
  } catch (err) {
    problems.push(`envelope.avsc: not a valid Avro schema: ${errorMessage(err)}`);
  }

  const parsedCatalog = catalogSchema.safeParse(rawCatalog);
  if (!parsedCatalog.success) {
    for (const issue of parsedCatalog.error.issues) {
      problems.push(`catalog.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    fail();
  }
  const catalog = parsedCatalog.success ? parsedCatalog.data : fail();

  const topics: SchemaSet['topics'] = [
    ...Object.entries(catalog.topics).map(([id, topic]) => ({
      id,
      topic: { ...topic, kind: 'business' as const },
    })),
    ...Object.entries(catalog.toolingTopics).map(([id, topic]) => ({
      id,
      topic: { ...topic, kind: 'tooling' as const },
    })),
  ];
  const topicIds = new Set<string>();
  const topicNames = new Map<string, string>();
  for (const { id, topic } of topics) {
    if (topicIds.has(id)) problems.push(`catalog.json: topic id ${id} is declared twice`);
    topicIds.add(id);
    const other = topicNames.get(topic.name);
    if (other) problems.push(`catalog.json: topics ${other} and ${id} share the name ${topic.name}`);
    topicNames.set(topic.name, id);
    if (topic.cleanupPolicy === 'compact' && topic.retentionMs !== -1) {
      problems.push(
        `catalog.json: topics.${id}: compacted topics keep the latest record forever (retentionMs -1)`,
      );
    }
    // Replay (reporting's rebuild, analysts) reads business topics from the beginning: the log is the
    // system of record, so nothing may age out of it (deploy/README.md describes archiving).
    if (topic.kind === 'business' && topic.retentionMs !== -1) {
      problems.push(`catalog.json: topics.${id}: business topics are kept indefinitely (retentionMs -1)`);
    }
  }

  const eventsDir = join(dir, 'events');
  const folders = existsSync(eventsDir)
    ? readdirSync(eventsDir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  const expectedFolders = new Set(Object.keys(catalog.events).map(kebabCase));
  for (const folder of folders) {
    if (!expectedFolders.has(folder))
      problems.push(`events/${folder}: no event type in catalog.json uses this folder`);
  }

  const topicUsers = new Map<string, string>();
  const events: EventSchemas[] = [];
  for (const [eventType, entry] of Object.entries(catalog.events)) {
    const topic = topics.find(({ id }) => id === entry.topic)?.topic;
    if (!topic) {
      problems.push(`catalog.json: events.${eventType}.topic: unknown topic id ${entry.topic}`);
      continue;
    }
    const previousUser = topicUsers.get(entry.topic);
    if (previousUser) {
      problems.push(
        `catalog.json: ${previousUser} and ${eventType} both use topic ${entry.topic} (one event type per topic)`,
      );
    }
    topicUsers.set(entry.topic, eventType);
    if (entry.owner !== topic.owner) {
      problems.push(
        `catalog.json: events.${eventType}.owner ${entry.owner} differs from its topic's owner ${topic.owner}`,
      );
    }
    const loaded = loadEvent(dir, envelope as AvroJson, eventType, entry, topic, problems);
    if (loaded) events.push(loaded);
  }
  for (const { id } of topics) {
    if (!topicUsers.has(id)) problems.push(`catalog.json: topics.${id} is not used by any event type`);
  }

  if (problems.length > 0) fail();
  return {
    schemasDir: dir,
    envelope: envelope as AvroJson,
    topics,
    consumerTopics: catalog.consumerTopics,
    events,
  };
}

function loadEvent(
  dir: string,
  envelope: AvroJson,
  eventType: string,
  entry: { topic: string; owner: string },
  topic: TopicDefinition,
  problems: string[],
): EventSchemas | undefined {
  const folder = kebabCase(eventType);
  const folderPath = join(dir, 'events', folder);
  if (!existsSync(folderPath)) {
    problems.push(`events/${folder}: missing (catalog.json declares ${eventType})`);
    return undefined;
  }
  const files = readdirSync(folderPath).filter((f) => !f.endsWith('.md'));
  const numbers: number[] = [];
  for (const file of files) {
    const match = VERSION_FILE.exec(file);
    if (match) numbers.push(Number(match[1]));
    else problems.push(`events/${folder}/${file}: version files are named v<N>.avsc`);
  }
  numbers.sort((a, b) => a - b);
  if (numbers.length === 0) problems.push(`events/${folder}: no v1.avsc`);
  numbers.forEach((n, i) => {
    if (n !== i + 1)
      problems.push(
        `events/${folder}: versions must be contiguous from v1, found v${n} at position ${i + 1}`,
      );
  });

  const versions: SchemaVersion[] = [];
  let payloadName: string | undefined;
  for (const version of numbers) {
    const file = `events/${folder}/v${version}.avsc`;
    const payload = readJson(dir, file, problems);
    if (!payload) continue;
    const before = problems.length;
    const name = checkPayloadHeader(file, eventType, topic, payload, problems);
    if (name && payloadName && name !== payloadName) {
      problems.push(
        `${file}: payload record renamed from ${payloadName} to ${name}; a new name needs a new event type`,
      );
    }
    payloadName = payloadName ?? name;
    const registered = wrapPayload(envelope, payload);
    let type: avro.Type;
    try {
      type = parseAvro(registered);
    } catch (err) {
      problems.push(`${file}: not a valid Avro schema: ${errorMessage(err)}`);
      continue;
    }
    checkConventions(file, (type as avro.types.RecordType).fields[1].type, payload, topic, problems);
    if (problems.length === before) versions.push({ version, file, payload, registered, type });
  }
  const latest = versions[versions.length - 1];
  if (!latest || !payloadName || versions.length !== numbers.length) return undefined;
  return {
    eventType,
    folder,
    topicId: entry.topic,
    topic,
    subject: subjectForTopic(topic.name),
    owner: entry.owner,
    payloadName,
    versions,
    latest,
  };
}

function checkPayloadHeader(
  file: string,
  eventType: string,
  topic: TopicDefinition,
  payload: AvroJson,
  problems: string[],
): string | undefined {
  if (payload['type'] !== 'record') {
    problems.push(`${file}: the payload must be an Avro record`);
    return undefined;
  }
  if (payload['name'] !== eventType) {
    problems.push(
      `${file}: record name must be the event type ${eventType}, found ${String(payload['name'])}`,
    );
  }
  const namespace = typeof payload['namespace'] === 'string' ? payload['namespace'] : '';
  const ns = PAYLOAD_NAMESPACE.exec(namespace);
  if (!ns) {
    problems.push(`${file}: namespace must be dev.throughline.<domain>, found ${namespace || '(none)'}`);
    return undefined;
  }
  const domain = ns[1];
  const plain = `throughline.${domain}.${kebabCase(eventType)}`;
  const major = new RegExp(`^throughline\\.${domain}\\.[a-z0-9-]+\\.v[2-9][0-9]*$`);
  if (topic.name !== plain && !major.test(topic.name)) {
    problems.push(`${file}: topic ${topic.name} must be ${plain} (or throughline.${domain}.<name>.v<major>)`);
  }
  return `${namespace}.${eventType}`;
}

/** House rules for payloads: money in integer minor units, ISO dates as strings, optional = ['null', T] default null. */
function checkConventions(
  file: string,
  payloadType: avro.Type,
  payload: AvroJson,
  topic: TopicDefinition,
  problems: string[],
): void {
  const record = payloadType as avro.types.RecordType;
  const keyField = record.fields.find((f) => f.name === topic.key);
  if (!keyField || keyField.type.typeName !== 'string') {
    problems.push(`${file}: the topic key ${topic.key} must be a top-level string field of the payload`);
  }
  if (topic.keyVersion !== undefined) {
    const versionField = record.fields.find((f) => f.name === topic.keyVersion);
    if (!versionField || versionField.type.typeName !== 'string') {
      problems.push(
        `${file}: the topic's keyVersion ${topic.keyVersion} must be a top-level string field of the payload`,
      );
    }
  }
  walkFields(payloadType, payload, 'data', (path, field, fieldJson) => {
    const t = field.type;
    const inner = nonNullBranch(t);
    if (t.typeName.startsWith('union')) {
      const branches = (t as avro.types.UnwrappedUnionType).types;
      if (branches.length !== 2 || branches[0].typeName !== 'null') {
        problems.push(`${file}: ${path}: only optional unions ["null", T] are allowed`);
      } else if (!('default' in fieldJson) || fieldJson['default'] !== null) {
        problems.push(`${file}: ${path}: optional fields need "default": null`);
      }
    }
    if (/Minor$/.test(field.name) && inner?.typeName !== 'long') {
      problems.push(`${file}: ${path}: money (…Minor) must be a long in minor units`);
    }
    if (/(^c|C)urrency$/.test(field.name) && inner?.typeName !== 'string') {
      problems.push(`${file}: ${path}: currencies are ISO-4217 strings`);
    }
    // ISO YYYY-MM-DD strings until #13; a date field a new version adds is an Avro `date` (see lint.ts).
    if (
      /(^d|D)ate$|^effective(From|To)$/.test(field.name) &&
      inner?.typeName !== 'string' &&
      !(inner?.typeName === 'int' && isDateLogical(fieldJson['type']))
    ) {
      problems.push(
        `${file}: ${path}: dates are ISO-8601 YYYY-MM-DD strings or Avro dates (int, logicalType date)`,
      );
    }
  });
  walkTypes(payloadType, (t) => {
    if (t.typeName === 'float' || t.typeName === 'double') {
      problems.push(
        `${file}: float/double are not allowed (money is a long of minor units, quantities are scaled longs)`,
      );
    }
  });
}

function isDateLogical(type: unknown): boolean {
  const branch = Array.isArray(type) ? type.find((b) => b !== 'null') : type;
  return typeof branch === 'object' && branch !== null && (branch as AvroJson)['logicalType'] === 'date';
}

function nonNullBranch(t: avro.Type): avro.Type | undefined {
  if (!t.typeName.startsWith('union')) return t;
  return (t as avro.types.UnwrappedUnionType).types.find((b) => b.typeName !== 'null');
}

type FieldVisitor = (path: string, field: avro.types.Field, fieldJson: AvroJson) => void;

/** Visits every record field, pairing the avsc field with its JSON (the JSON carries `default` as written). */
function walkFields(
  type: avro.Type,
  json: unknown,
  path: string,
  visit: FieldVisitor,
  seen = new Set<avro.Type>(),
): void {
  if (seen.has(type)) return;
  const obj = typeof json === 'object' && json !== null ? (json as AvroJson) : undefined;
  switch (type.typeName) {
    case 'record': {
      seen.add(type);
      const fieldsJson = Array.isArray(obj?.['fields']) ? (obj['fields'] as AvroJson[]) : [];
      for (const field of (type as avro.types.RecordType).fields) {
        const fieldJson = fieldsJson.find((f) => f['name'] === field.name) ?? {};
        const fieldPath = `${path}.${field.name}`;
        visit(fieldPath, field, fieldJson);
        walkFields(field.type, fieldJson['type'], fieldPath, visit, seen);
      }
      return;
    }
    case 'array':
      walkFields((type as avro.types.ArrayType).itemsType, obj?.['items'], `${path}[]`, visit, seen);
      return;
    case 'map':
      walkFields(
        (type as avro.types.MapType).valuesType as avro.Type,
        obj?.['values'],
        `${path}{}`,
        visit,
        seen,
      );
      return;
    default:
      if (type.typeName.startsWith('union')) {
        const branchesJson = Array.isArray(json) ? json : [];
        (type as avro.types.UnwrappedUnionType).types.forEach((branch, i) =>
          walkFields(branch, branchesJson[i], path, visit, seen),
        );
      }
  }
}

export function walkTypes(type: avro.Type, visit: (t: avro.Type) => void, seen = new Set<avro.Type>()): void {
  if (seen.has(type)) return;
  seen.add(type);
  visit(type);
  for (const child of childTypes(type)) walkTypes(child, visit, seen);
}

export function childTypes(type: avro.Type): avro.Type[] {
  switch (type.typeName) {
    case 'record':
    case 'error':
      return (type as avro.types.RecordType).fields.map((f) => f.type);
    case 'array':
      return [(type as avro.types.ArrayType).itemsType];
    case 'map':
      return [(type as avro.types.MapType).valuesType as avro.Type];
    default:
      return type.typeName.startsWith('union') ? (type as avro.types.UnwrappedUnionType).types : [];
  }
}

function readJson(dir: string, file: string, problems: string[]): AvroJson | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) {
    problems.push(`${file}: missing`);
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${file}: expected a JSON object`);
      return undefined;
    }
    return value as AvroJson;
  } catch (err) {
    problems.push(`${relative(dir, path)}: invalid JSON: ${errorMessage(err)}`);
    return undefined;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
