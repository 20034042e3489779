import { Admin, KafkaMessage } from 'kafkajs';
import { Client } from 'pg';

import { CONSUMER_TOPICS, EventRecord } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import {
  AvroEventCodec,
  createEvent,
  DeadLetterPublisher,
  deadLetterTopic,
  DLQ_HEADER,
  RETRY_HEADER,
  retryTopic,
} from '@throughline/messaging';
import { createMessagingTestContext, eventually, MessagingTestContext } from '@throughline/messaging/testing';
import { DEFAULT_DATABASE_URL, dropDatabase } from '@throughline/persistence';
import { randomSuffix } from '@throughline/persistence/testing';
import { PoisonMessageError } from '@throughline/platform';

import { MessageView } from '../src/domain/dead-letter';
import { run } from '../src/interface/cli';

jest.setTimeout(120_000);

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('throughline dlq against the real stack', () => {
  let ctx: MessagingTestContext;
  let admin: Admin;
  let codec: AvroEventCodec;
  let source: string;
  let group: string;
  let dlq: string;
  let databaseName: string;
  let startedAt: number;
  const events: Record<'a' | 'b' | 'c', EventRecord<'DealWon'>> = {} as never;
  const encoded: Record<'a' | 'b' | 'c', Buffer> = {} as never;
  const garbage = Buffer.from('not avro at all');
  const garbageKey = `garbage-${randomSuffix()}`;

  async function cli(...argv: string[]): Promise<CliResult> {
    return cliWith({}, ...argv);
  }

  async function cliWith(env: Record<string, string>, ...argv: string[]): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    const code = await run(
      argv,
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      {
        env: {
          ...process.env,
          TOPIC_PREFIX: ctx.naming.prefix,
          DATABASE_NAME: databaseName,
          USER: 'jest',
          ...env,
        },
      },
    );
    return { code, stdout, stderr };
  }

  async function json<T>(...argv: string[]): Promise<T> {
    const result = await cli(...argv, '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as T;
  }

  async function offsets(topic: string) {
    const partitions = await admin.fetchTopicOffsets(topic);
    return new Map(partitions.map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
  }

  async function depth(topic: string): Promise<number> {
    return [...(await offsets(topic)).values()].reduce((sum, p) => sum + p.high - p.low, 0);
  }

  async function readTopic(topic: string, count: number): Promise<KafkaMessage[]> {
    const consumer = ctx.kafka.consumer({
      groupId: ctx.groupId(`reader-${randomSuffix()}`),
      maxWaitTimeInMs: 100,
    });
    const messages: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
    try {
      await eventually(() => (messages.length >= count ? true : undefined), 30_000);
    } finally {
      await consumer.disconnect();
    }
    return messages;
  }

  async function databaseExists(name: string): Promise<boolean> {
    const client = new Client({ connectionString: DEFAULT_DATABASE_URL });
    await client.connect();
    try {
      return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    } finally {
      await client.end();
    }
  }

  function headerStrings(message: KafkaMessage): Record<string, string> {
    return Object.fromEntries(
      Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
  }

  beforeAll(async () => {
    startedAt = Date.now();
    ctx = await createMessagingTestContext(['DealWon']);
    admin = ctx.kafka.admin();
    await admin.connect();
    databaseName = `tl_test_ops_${randomSuffix()}`;
    codec = ctx.codec();
    source = ctx.naming.topicFor('DealWon');
    group = `${ctx.naming.prefix}throughline.contract`;
    dlq = deadLetterTopic(source, group);

    for (const name of ['a', 'b', 'c'] as const) {
      const dealId = `deal-${name}-${randomSuffix()}`;
      events[name] = createEvent(
        'DealWon',
        { ...sampleEventRecord('DealWon').data, dealId },
        { source: 'ingress' },
      );
      encoded[name] = await codec.encode(events[name]);
    }
    const deadLetters = new DeadLetterPublisher(ctx.kafka);
    await deadLetters.connect();
    const failed = (key: string, value: Buffer, offset: number): KafkaMessage => ({
      key: Buffer.from(key),
      value,
      timestamp: String(Date.now() - 60_000),
      attributes: 0,
      offset: String(offset),
      headers: { traceparent: Buffer.from(traceparent) },
    });
    const failure = {
      topic: source,
      partition: 0,
      groupId: group,
      attempt: 1,
      firstFailureAt: Date.now() - 5_000,
    };
    await deadLetters.publish({
      ...failure,
      message: failed(events.a.envelope.key, encoded.a, 11),
      error: new PoisonMessageError('customer C-100 unknown'),
      correlationId: events.a.envelope.correlationId,
    });
    await deadLetters.publish({
      ...failure,
      message: failed(events.b.envelope.key, encoded.b, 12),
      error: new TypeError('Cannot read properties of undefined'),
    });
    await deadLetters.publish({
      ...failure,
      message: failed(events.c.envelope.key, encoded.c, 13),
      error: new PoisonMessageError('rate card missing'),
    });
    await deadLetters.publish({
      ...failure,
      message: failed(garbageKey, garbage, 14),
      error: new PoisonMessageError('Not a schema-registry Avro message (15 bytes)'),
    });
    await deadLetters.disconnect();
  });

  afterAll(async () => {
    const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(ctx.naming.prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    await dropDatabase(databaseName);
  });

  it('lists the dead-letter topics under the prefix with depth, oldest message age, source and group', async () => {
    const listed = await json<Record<string, unknown>[]>('dlq', 'list');
    expect(listed.map((entry) => entry['topic'])).toEqual([dlq]);
    const [entry] = listed;
    expect(entry).toMatchObject({ topic: dlq, sourceTopic: source, group, depth: 4, parked: 0 });
    const oldest = Date.parse(entry?.['oldestTimestamp'] as string);
    expect(oldest).toBeGreaterThanOrEqual(startedAt - 1_000);
    expect(oldest).toBeLessThanOrEqual(Date.now());
    expect(entry?.['oldestAgeMs']).toBeGreaterThanOrEqual(0);

    const table = await cli('dlq', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^DLQ TOPIC +DEPTH +OLDEST +PARKED +SOURCE TOPIC +GROUP\n/);
    expect(table.stdout).toContain(`${dlq}      4`);
  });

  it('shows dead letters decoded with their writer schema, every header, and undecodable ones as base64', async () => {
    const shown = await json<MessageView[]>('dlq', 'show', dlq);
    expect(shown).toHaveLength(4);
    const byKey = new Map(shown.map((message) => [message.key, message]));
    const a = byKey.get(events.a.envelope.key);
    expect(a?.schemaId).toBe(encoded.a.readInt32BE(1));
    expect(a?.value).toEqual(JSON.parse(JSON.stringify(events.a)));
    expect(a?.headers).toMatchObject({
      traceparent,
      'tl-correlation-id': events.a.envelope.correlationId,
      [DLQ_HEADER.topic]: source,
      [DLQ_HEADER.partition]: '0',
      [DLQ_HEADER.offset]: '11',
      [DLQ_HEADER.key]: events.a.envelope.key,
      [DLQ_HEADER.group]: group,
      [DLQ_HEADER.errorClass]: 'PoisonMessageError',
      [DLQ_HEADER.errorMessage]: 'customer C-100 unknown',
      [DLQ_HEADER.attempts]: '1',
    });
    expect(a?.headers[DLQ_HEADER.errorStack]).toMatch(/^PoisonMessageError: customer C-100 unknown\n/);
    expect(typeof a?.partition).toBe('number');
    expect(Date.parse(a?.timestamp as string)).toBeGreaterThanOrEqual(startedAt - 1_000);

    const junk = byKey.get(garbageKey);
    expect(junk).toMatchObject({
      value: null,
      schemaId: null,
      undecodable: {
        base64: garbage.toString('base64'),
        reason: expect.stringMatching(/not schema-registry Avro/),
      },
    });

    const human = await cli('dlq', 'show', dlq, '--key', garbageKey);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`value: undecodable (not schema-registry Avro`);
    expect(human.stdout).toContain(`base64: ${garbage.toString('base64')}`);
  });

  it('filters by error class, key, correlation id, time and offset range', async () => {
    const keys = async (...filters: string[]) =>
      (await json<{ key: string }[]>('dlq', 'show', dlq, ...filters)).map((message) => message.key).sort();
    expect(await keys('--error-class', 'TypeError')).toEqual([events.b.envelope.key]);
    expect(await keys('--key', events.c.envelope.key)).toEqual([events.c.envelope.key]);
    // From the tl-correlation-id header (a) and from the decoded envelope only (b has no header).
    expect(await keys('--correlation-id', events.a.envelope.correlationId)).toEqual([events.a.envelope.key]);
    expect(await keys('--correlation-id', events.b.envelope.correlationId)).toEqual([events.b.envelope.key]);
    expect(await keys('--since', '10m')).toHaveLength(4);
    expect(await keys('--until', new Date(startedAt - 60_000).toISOString())).toEqual([]);

    const [c] = await json<{ partition: number; offset: number }[]>(
      'dlq',
      'show',
      dlq,
      '--key',
      events.c.envelope.key,
    );
    const range = [
      '--partition',
      String(c?.partition),
      '--from-offset',
      String(c?.offset),
      '--to-offset',
      String(c?.offset),
    ];
    expect(await keys(...range)).toEqual([events.c.envelope.key]);

    const limited = await cli('dlq', 'show', dlq, '--limit', '2', '--json');
    expect(JSON.parse(limited.stdout)).toHaveLength(2);
    expect(limited.stderr).toContain('More messages match; showing the first 2');
  });

  it('replays nothing on a dry run, and does not even create the audit database', async () => {
    const before = await depth(source);
    const result = await cli('dlq', 'replay', dlq, '--to', 'original', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^would replay \d+@\d+ → /gm)).toHaveLength(4);
    expect(result.stdout).toContain(`→ ${source} (event ${events.a.envelope.eventId})`);
    expect(result.stdout).toContain(
      'dry run: 4 of 4 matching message(s) would be replayed to the original topic',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await depth(source)).toBe(before);
    expect(await databaseExists(databaseName)).toBe(false);
    expect(await json('dlq', 'audit')).toEqual([]);
  });

  it('replays to the original topic with the original key, value and headers, and audits it', async () => {
    const result = await cli(
      'dlq',
      'replay',
      dlq,
      '--to',
      'original',
      '--key',
      events.a.envelope.key,
      '--actor',
      'tester',
      '--reason',
      'customer C-100 created',
    );
    expect(result).toMatchObject({ code: 0, stderr: 'replayed 1/1\n' });
    expect(result.stdout).toBe('replayed 1 of 1 matching message(s) to the original topic.\n');
    expect(await databaseExists(databaseName)).toBe(true);

    const [replayed] = await readTopic(source, 1);
    expect(replayed?.key?.toString()).toBe(events.a.envelope.key);
    expect(replayed?.value?.equals(encoded.a)).toBe(true);
    expect(headerStrings(replayed as KafkaMessage)).toEqual({ traceparent });
    expect(await depth(source)).toBe(1);
  });

  it('replays to the failing group only, through its first retry topic, due now', async () => {
    const before = Date.now();
    const result = await cli(
      'dlq',
      'replay',
      dlq,
      '--to',
      'group',
      '--key',
      events.b.envelope.key,
      '--actor',
      'tester',
    );
    expect(result).toEqual({
      code: 0,
      stdout: 'replayed 1 of 1 matching message(s) to the retry topic.\n',
      stderr: 'replayed 1/1\n',
    });

    const [retried] = await readTopic(retryTopic(source, group, 1), 1);
    expect(retried?.key?.toString()).toBe(events.b.envelope.key);
    expect(retried?.value?.equals(encoded.b)).toBe(true);
    const headers = headerStrings(retried as KafkaMessage);
    expect(headers).toMatchObject({
      traceparent,
      [RETRY_HEADER.attempt]: '0',
      [RETRY_HEADER.originalTopic]: source,
      [RETRY_HEADER.originalOffset]: '12',
    });
    expect(Number(headers[RETRY_HEADER.notBefore])).toBeGreaterThanOrEqual(before);
    expect(Number(headers[RETRY_HEADER.notBefore])).toBeLessThanOrEqual(Date.now());
    expect(Object.keys(headers).filter((name) => name.startsWith('tl-dlq-'))).toEqual([]);
    expect(await depth(source)).toBe(1);
    // Created by the replay with the catalog's retry-topic settings, not the broker's defaults.
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: retryTopic(source, group, 1), configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]?.configEntries[0]).toMatchObject({
      configValue: String(CONSUMER_TOPICS.retry.retentionMs),
      isDefault: false,
    });
  });

  it('refuses a second replay of the same message unless forced', async () => {
    const refused = await cli('dlq', 'replay', dlq, '--to', 'original', '--key', events.a.envelope.key);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^refused \d+@\d+: already replayed at \d{4}-\d\d-\d\dT[\d:.]+Z by tester \(use --force to replay it again\)\n$/,
    );
    expect(refused.stdout).toBe('replayed 0 of 1 matching message(s) to the original topic; 1 refused.\n');
    expect(await depth(source)).toBe(1);

    const forced = await cli(
      'dlq',
      'replay',
      dlq,
      '--to',
      'original',
      '--key',
      events.a.envelope.key,
      '--force',
    );
    expect(forced.code).toBe(0);
    expect(await depth(source)).toBe(2);
  });

  it('keeps an audit record of every replay', async () => {
    const records = await json<Record<string, unknown>[]>('dlq', 'audit', '--topic', dlq);
    expect(
      records.map((record) => [record['action'], record['eventId'], record['actor'], record['forced']]),
    ).toEqual([
      ['replay', events.a.envelope.eventId, 'jest', true],
      ['replay', events.b.envelope.eventId, 'tester', false],
      ['replay', events.a.envelope.eventId, 'tester', false],
    ]);
    expect(records[2]).toMatchObject({
      dlqTopic: dlq,
      targetTopic: source,
      reason: 'customer C-100 created',
      filters: { key: events.a.envelope.key, to: 'original' },
    });
    expect(records[1]).toMatchObject({ targetTopic: retryTopic(source, group, 1), reason: null });
    expect(Date.parse(records[0]?.['performedAt'] as string)).toBeGreaterThanOrEqual(startedAt);

    const table = await cli('dlq', 'audit');
    expect(table.stdout).toMatch(/^AT +ACTOR +ACTION +DLQ TOPIC/);
    expect(table.stdout).toContain('replay (forced)');
  });

  it('parks messages to <dlq>.parked and keeps later replays away from them', async () => {
    const result = await cli(
      'dlq',
      'park',
      dlq,
      '--error-class',
      'PoisonMessageError',
      '--key',
      garbageKey,
      '--reason',
      'junk',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('parked 1 of 1 matching message(s) to the parked topic.\n');

    const [parked] = await readTopic(`${dlq}.parked`, 1);
    expect(parked?.value?.equals(garbage)).toBe(true);
    expect(headerStrings(parked as KafkaMessage)).toMatchObject({
      traceparent,
      [DLQ_HEADER.errorClass]: 'PoisonMessageError',
      'tl-parked-by': 'jest',
      'tl-parked-reason': 'junk',
      'tl-parked-from-topic': dlq,
    });
    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: `${dlq}.parked`, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('-1');

    const [listed] = await json<{ parked: number }[]>('dlq', 'list');
    expect(listed?.parked).toBe(1);
    const parkedShown = await json<{ key: string }[]>('dlq', 'show', `${dlq}.parked`);
    expect(parkedShown.map((message) => message.key)).toEqual([garbageKey]);

    const everything = await cli('dlq', 'replay', dlq, '--to', 'original', '--dry-run');
    expect(everything.code).toBe(3);
    // a: replayed (last by jest, forced), b: replayed by tester, garbage: parked; only c is left.
    const refusals = everything.stderr.trimEnd().split('\n');
    expect(refusals).toHaveLength(3);
    expect(refusals).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^refused \d+@\d+: already parked at .* by jest \(use --force to replay it again\)$/,
        ),
        expect.stringMatching(/^refused \d+@\d+: already replayed at .* by jest /),
        expect.stringMatching(/^refused \d+@\d+: already replayed at .* by tester /),
      ]),
    );
    expect(everything.stdout).toContain(`(event ${events.c.envelope.eventId})`);
    expect(everything.stdout).toContain(
      'dry run: 1 of 4 matching message(s) would be replayed to the original topic, 3 refused;',
    );
    const audit = await json<{ action: string }[]>('dlq', 'audit', '--topic', dlq, '--limit', '1');
    expect(audit.map((record) => record.action)).toEqual(['park']);
  });

  it('purges by moving the log start, only with --yes, and audits it', async () => {
    const refused = await cli('dlq', 'purge', dlq, '--all');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes to confirm');

    const [a] = await json<{ partition: number; offset: number }[]>(
      'dlq',
      'show',
      dlq,
      '--key',
      events.a.envelope.key,
    );
    const partition = a?.partition as number;
    const upTo = (a?.offset as number) + 1;
    const purged = await cli(
      'dlq',
      'purge',
      dlq,
      '--up-to-offset',
      `${partition}:${upTo}`,
      '--yes',
      '--reason',
      'handled',
    );
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain(`purged partition ${partition}: log start 0 → ${upTo}`);
    expect((await offsets(dlq)).get(partition)?.low).toBe(upTo);
    expect(await json<unknown[]>('dlq', 'show', dlq, '--key', events.a.envelope.key)).toEqual([]);

    const remaining = await depth(dlq);
    const older = await cli('dlq', 'purge', dlq, '--until', '0s', '--dry-run');
    expect(older.stdout).toContain(`dry run: ${remaining} message(s) would be deleted; nothing was changed.`);
    expect(
      (await cli('dlq', 'purge', dlq, '--until', new Date(startedAt - 60_000).toISOString(), '--dry-run'))
        .stdout,
    ).toBe(`Nothing to purge in ${dlq}.\n`);
    const preview = await cli('dlq', 'purge', dlq, '--all', '--dry-run');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain(
      `dry run: ${remaining} message(s) would be deleted; nothing was changed.`,
    );
    expect(await depth(dlq)).toBe(remaining);

    expect((await cli('dlq', 'purge', dlq, '--all', '--yes')).code).toBe(0);
    const [listed] = await json<{ depth: number; oldestTimestamp: string | null }[]>('dlq', 'list');
    expect(listed).toMatchObject({ depth: 0, oldestTimestamp: null });
    const audit = await json<{ action: string; partition: number; offset: number; reason: string | null }[]>(
      'dlq',
      'audit',
      '--topic',
      dlq,
    );
    expect(audit.filter((record) => record.action === 'purge')).toContainEqual(
      expect.objectContaining({ partition, offset: upTo, reason: 'handled' }),
    );
    expect(await cli('dlq', 'purge', dlq, '--all', '--yes')).toMatchObject({
      code: 0,
      stdout: `Nothing to purge in ${dlq}.\n`,
    });
  });

  it.each([
    [['dlq', 'explode'], /unknown dlq command "explode"/],
    [['dlq', 'list', '--verbose'], /unknown option "--verbose" for "dlq list"/],
    [['dlq', 'show'], /missing <dlq-topic> for "dlq show"/],
    [['dlq', 'show', 'orders'], /"orders" is not a dead-letter topic/],
    [
      ['dlq', 'replay', '{dlq}', '--to', 'original', '--partition', '0', '--from-offset', 'x'],
      /invalid --from-offset "x"/,
    ],
    [['dlq', 'show', '{dlq}', '--since', 'last tuesday'], /invalid --since "last tuesday"/],
    [['dlq', 'purge', '{dlq}', '--up-to-offset', '0-5', '--yes'], /invalid --up-to-offset "0-5"/],
    [['dlq', 'show', '{prefix}nope.dlq'], /unknown topic ".*nope\.dlq"/],
    [
      ['dlq', 'show', '{dlq}', '--partition', '9'],
      /partition 9 does not exist \(the topic has partitions 0, 1, 2\)/,
    ],
    [
      ['dlq', 'purge', '{dlq}', '--up-to-offset', '0:999', '--yes'],
      /offset 999 is past the end of partition 0/,
    ],
  ])('rejects bad arguments %j with exit code 2, one line and a usage hint', async (argv, message) => {
    const resolved = argv.map((arg) => arg.replace('{dlq}', dlq).replace('{prefix}', ctx.naming.prefix));
    const result = await cli(...resolved);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [line, hint, ...rest] = result.stderr.split('\n');
    expect(line).toMatch(message);
    expect(hint).toMatch(/^Run "throughline (dlq \w+ )?--help" for usage\.$/);
    expect(rest).toEqual(['']);
  });

  it('says clearly when Kafka is unreachable (exit code 1)', async () => {
    const result = await cliWith({ KAFKA_BROKERS: '127.0.0.1:1' }, 'dlq', 'list');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'throughline: error: cannot reach Kafka at 127.0.0.1:1 (ECONNREFUSED); is the stack up? (npm run stack -- up)\n',
    });
  });
});
