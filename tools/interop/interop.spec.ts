import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Type } from 'avsc';

import { EVENT_TYPES, EventType, eventDefinition, messageKeyOf, registeredSchema } from '@throughline/contracts';
import type { EventRecord } from '@throughline/contracts';
import { EventEncoder } from '@throughline/messaging';
import {
  createMessagingTestContext,
  deleteTrackedTestTopics,
  MessagingTestContext,
} from '@throughline/messaging/testing';

import { REPO_ROOT, STACK_DIR } from '../stack/config';
import { clientEnv, CLIENTS_DIR as CLIENTS, consumeWithPython, ConsumedLine, parseLines } from './clients';

jest.setTimeout(600_000);

const run = promisify(execFile);
const GUIDE = join(REPO_ROOT, 'docs', 'consuming-events.md');
const EVENTS_PER_TOPIC = 3;

/**
 * Issue #13 item 5: every business topic, written by Throughline's own codec, decoded by clients not
 * written here (Java with Apicurio's serde from Maven Central, Python with Debian's python3-avro,
 * Node with @kafkajs/confluent-schema-registry), running the snippets of docs/consuming-events.md
 * against the running Kafka and registry. Each must give back exactly the record that was written.
 */
describe('consuming Throughline events with standard clients (real stack)', () => {
  const businessTypes = EVENT_TYPES.filter((type) => !eventDefinition(type).topic.name.startsWith('throughline.tools.'));
  let context: MessagingTestContext;
  let topics: string[];
  const written = new Map<string, { key: string; record: EventRecord }>();

  beforeAll(async () => {
    context = await createMessagingTestContext(businessTypes);
    // On a young registry an Apicurio contentId and globalId are often the same number, and a client
    // that reads the id as the wrong one still decodes. Registering one schema under two subjects
    // uses a globalId without a new contentId, so the schemas registered after it get ids that differ.
    const marker = { type: 'record', name: 'InteropIdMarker', doc: randomUUID(), fields: [] };
    await context.registry.idFor(`${context.naming.prefix}interop-marker-a-value`, marker);
    await context.registry.idFor(`${context.naming.prefix}interop-marker-b-value`, marker);
    const producer = context.kafka.producer();
    await producer.connect();
    try {
      for (const eventType of businessTypes) {
        // The catalog's schema with a doc of its own, so it is new content registered after the marker.
        const schema = { ...registeredSchema(eventType), doc: `interop test ${context.naming.prefix}` };
        const schemaId = await context.registry.idFor(context.naming.subjectFor(eventType), schema);
        const encoder = new EventEncoder(schemaId, Type.forSchema(schema as never));
        const messages = [];
        for (let i = 0; i < EVENTS_PER_TOPIC; i += 1) {
          const record = sampleEvent(eventType);
          const key = record.envelope.key;
          written.set(record.envelope.eventId, { key, record: JSON.parse(JSON.stringify(record)) as EventRecord });
          messages.push({ key, value: encoder.encode(record) });
        }
        await producer.send({ topic: context.naming.topicFor(eventType), messages });
      }
    } finally {
      await producer.disconnect();
    }
    topics = businessTypes.map((type) => context.naming.topicFor(type));
  });

  afterAll(async () => {
    await deleteTrackedTestTopics();
  });

  const env = clientEnv();

  function expectEveryEventBack(lines: ConsumedLine[]): void {
    const decoded = new Map(lines.map((line) => [line.value.envelope.eventId, line]));
    expect(lines).toHaveLength(written.size);
    expect(new Set(lines.map((line) => line.topic))).toEqual(new Set(topics));
    for (const [eventId, { key, record }] of written) {
      const line = decoded.get(eventId);
      expect({ eventId, key: line?.key, value: line?.value }).toEqual({ eventId, key, value: record });
    }
  }

  it(`decodes every business topic (${businessTypes.length} topics) with Python and Debian's python3-avro`, async () => {
    expectEveryEventBack(await consumeWithPython(topics));
  });

  it('decodes every business topic with Java and Apicurio serde 3.1.7 from Maven Central (contentId)', async () => {
    const dir = join(STACK_DIR, 'interop');
    mkdirSync(dir, { recursive: true });
    const classpathFile = join(dir, 'java-classpath.txt');
    await run(
      'mvn',
      ['-B', '-q', '-f', join(CLIENTS, 'java', 'pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    expect(existsSync(classpathFile)).toBe(true);
    // Java 11+ runs a single source file directly, as an analyst would try the guide's snippet.
    const { stdout } = await run(
      'java',
      ['-cp', readFileSync(classpathFile, 'utf8').trim(), join(CLIENTS, 'java', 'Consume.java'), ...topics],
      { env, maxBuffer: 64 * 1024 * 1024 },
    );
    expectEveryEventBack(parseLines(stdout));
  });

  it('decodes every business topic with Node and @kafkajs/confluent-schema-registry', async () => {
    const { stdout } = await run(process.execPath, [join(CLIENTS, 'consume.mjs'), ...topics], {
      env,
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    expectEveryEventBack(parseLines(stdout));
  });

  it('shows in docs/consuming-events.md exactly the clients this test runs', () => {
    const guide = readFileSync(GUIDE, 'utf8');
    for (const [language, file] of [
      ['python', 'consume.py'],
      ['java', join('java', 'Consume.java')],
      ['js', 'consume.mjs'],
      ['xml', join('java', 'pom.xml')],
    ]) {
      const blocks = [...guide.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
      expect({ file, inGuide: blocks.includes(readFileSync(join(CLIENTS, file), 'utf8')) }).toEqual({
        file,
        inGuide: true,
      });
    }
  });
});

/**
 * A random but valid record of `eventType`'s latest schema (avsc's generator), with a real envelope:
 * its id, type, version and the message key the catalog derives from the payload.
 */
function sampleEvent(eventType: EventType): EventRecord {
  const definition = eventDefinition(eventType);
  const record = Type.forSchema(registeredSchema(eventType) as never).random() as unknown as EventRecord;
  const data = record.data as unknown as Record<string, unknown>;
  data[definition.topic.key] = `${definition.topic.key}-${randomUUID()}`;
  if (definition.topic.keyVersion) data[definition.topic.keyVersion] = '2026-12-05';
  const key = messageKeyOf(eventType, record.data as never);
  if (key === undefined) throw new Error(`no key for ${eventType}`);
  record.envelope = {
    ...record.envelope,
    eventId: randomUUID(),
    eventType,
    schemaVersion: definition.latestVersion,
    causationId: null,
    source: 'interop-test',
    key,
  };
  return record;
}
