import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadSchemaSet, SchemaSetError, wrapPayload, type AvroJson } from './schema-set';
import { copySchemas, readVersion, removeVersion, withField, writeVersion } from './test-helpers';

function problemsOf(dir: string): readonly string[] {
  try {
    loadSchemaSet(dir);
  } catch (err) {
    if (err instanceof SchemaSetError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadSchemaSet', () => {
  let schemas: ReturnType<typeof copySchemas>;

  beforeEach(() => {
    schemas = copySchemas();
  });

  afterEach(() => schemas.cleanup());

  it('loads the committed schemas in catalog order', () => {
    const set = loadSchemaSet(schemas.dir);
    expect(set.events.map((e) => e.eventType)[0]).toBe('DealWon');
    const dealWon = set.events[0];
    expect(dealWon).toMatchObject({
      folder: 'deal-won',
      topicId: 'dealWon',
      subject: 'throughline.deal.deal-won-value',
      owner: 'ingress',
      payloadName: 'dev.throughline.deal.DealWon',
    });
    expect(dealWon.versions.map((v) => v.file)).toEqual([
      'events/deal-won/v1.avsc',
      'events/deal-won/v2.avsc',
    ]);
    expect(dealWon.latest.version).toBe(2);
  });

  it('wraps a payload as <Payload>Event { envelope, data } with both records inlined', () => {
    const set = loadSchemaSet(schemas.dir);
    const payload = readVersion(schemas.dir, 'DealWon', 2);
    const wrapped = wrapPayload(set.envelope, payload);
    expect(wrapped).toMatchObject({
      type: 'record',
      name: 'DealWonEvent',
      namespace: 'dev.throughline.deal',
    });
    expect(wrapped['fields']).toEqual([
      { name: 'envelope', type: set.envelope },
      { name: 'data', type: payload },
    ]);
    expect(set.events[0].latest.registered).toEqual(wrapped);
  });

  const rejects: Array<[string, (dir: string) => void, RegExp]> = [
    [
      'float/double',
      (dir) =>
        writeVersion(
          dir,
          'SmokeTested',
          1,
          withField(readVersion(dir, 'SmokeTested', 1), { name: 'ratio', type: 'double' }),
        ),
      /float\/double are not allowed/,
    ],
    [
      'money that is not a long',
      (dir) =>
        writeVersion(
          dir,
          'SmokeTested',
          1,
          withField(readVersion(dir, 'SmokeTested', 1), { name: 'feeMinor', type: 'int' }),
        ),
      /data\.feeMinor: money .* must be a long/,
    ],
    [
      'an optional field without default null',
      (dir) =>
        writeVersion(
          dir,
          'SmokeTested',
          1,
          withField(readVersion(dir, 'SmokeTested', 1), { name: 'note', type: ['null', 'string'] }),
        ),
      /data\.note: optional fields need "default": null/,
    ],
    [
      'a union other than ["null", T]',
      (dir) =>
        writeVersion(
          dir,
          'SmokeTested',
          1,
          withField(readVersion(dir, 'SmokeTested', 1), { name: 'either', type: ['string', 'long'] }),
        ),
      /data\.either: only optional unions/,
    ],
    [
      'a payload without the topic key',
      (dir) => {
        const v1 = readVersion(dir, 'SmokeTested', 1);
        writeVersion(dir, 'SmokeTested', 1, { ...v1, fields: (v1['fields'] as AvroJson[]).slice(1) });
      },
      /topic key runId must be a top-level string field/,
    ],
    [
      'a record name other than the event type',
      (dir) => writeVersion(dir, 'SmokeTested', 1, { ...readVersion(dir, 'SmokeTested', 1), name: 'Smoke' }),
      /record name must be the event type SmokeTested/,
    ],
    [
      'a topic outside the payload domain',
      (dir) =>
        writeVersion(dir, 'SmokeTested', 1, {
          ...readVersion(dir, 'SmokeTested', 1),
          namespace: 'dev.throughline.ops',
        }),
      /topic throughline\.tools\.smoke-tested must be throughline\.ops\.smoke-tested/,
    ],
    ['a gap in versions', (dir) => removeVersion(dir, 'DealWon', 1), /versions must be contiguous from v1/],
    [
      'an event folder missing from the catalog',
      (dir) => writeVersion(dir, 'Orphan', 1, readVersion(dir, 'SmokeTested', 1)),
      /events\/orphan: no event type in catalog\.json uses this folder/,
    ],
    [
      'a duplicate topic name',
      (dir) => {
        const path = join(dir, 'catalog.json');
        const catalog = JSON.parse(readFileSync(path, 'utf8')) as {
          topics: Record<string, { name: string }>;
        };
        catalog.topics['contractApproved'].name = catalog.topics['dealWon'].name;
        writeFileSync(path, JSON.stringify(catalog));
      },
      /share the name throughline\.deal\.deal-won/,
    ],
    [
      'a compacted topic with finite retention',
      (dir) => {
        const path = join(dir, 'catalog.json');
        const catalog = JSON.parse(readFileSync(path, 'utf8')) as {
          topics: Record<string, { retentionMs: number }>;
        };
        catalog.topics['customerUpserted'].retentionMs = 1000;
        writeFileSync(path, JSON.stringify(catalog));
      },
      /topics\.customerUpserted: compacted topics keep the latest record forever/,
    ],
    [
      'a business topic with finite retention',
      (dir) => {
        const path = join(dir, 'catalog.json');
        const catalog = JSON.parse(readFileSync(path, 'utf8')) as {
          topics: Record<string, { retentionMs: number }>;
        };
        catalog.topics['dealWon'].retentionMs = 604800000;
        writeFileSync(path, JSON.stringify(catalog));
      },
      /topics\.dealWon: business topics are kept indefinitely/,
    ],
    [
      'a retry topic pattern without its tier',
      (dir) => {
        const path = join(dir, 'catalog.json');
        const catalog = JSON.parse(readFileSync(path, 'utf8')) as {
          consumerTopics: { retry: { pattern: string } };
        };
        catalog.consumerTopics.retry.pattern = '{topic}.{group}.retry';
        writeFileSync(path, JSON.stringify(catalog));
      },
      /consumerTopics\.retry\.pattern: must contain \{topic\}, \{group\}, \{tier\}/,
    ],
  ];

  it.each(rejects)('rejects %s', (_name, breakIt, problem) => {
    breakIt(schemas.dir);
    expect(problemsOf(schemas.dir).join('\n')).toMatch(problem);
  });
});
