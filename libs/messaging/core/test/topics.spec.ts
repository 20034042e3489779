import { ConfigResourceTypes } from 'kafkajs';

import { CONSUMER_TOPICS, EVENTS, TOPICS } from '@throughline/contracts';

import {
  catalogTopicSpecs,
  consumerTopicKind,
  deadLetterTopic,
  ensureConsumerTopics,
  ensureTopics,
  expectedTopicSpecs,
  retryTopic,
  topicDrift,
} from '../src';
import { createMessagingTestContext, MessagingTestContext } from '../src/testing';

describe('topics against the catalog (real broker)', () => {
  let ctx: MessagingTestContext;

  beforeAll(async () => {
    ctx = await createMessagingTestContext(['DealWon', 'RateCardUpserted']);
  });

  it('creates business topics kept indefinitely, as the catalog says', async () => {
    const specs = catalogTopicSpecs([TOPICS.dealWon, TOPICS.rateCardUpserted], ctx.naming);
    expect(specs.map((spec) => spec.config['retention.ms'])).toEqual(['-1', '-1']);
    expect(await topicDrift(ctx.kafka, specs)).toEqual([]);
  });

  it('reports a topic whose retention drifted from the catalog, and ensureTopics puts it back', async () => {
    const [spec] = catalogTopicSpecs([TOPICS.dealWon], ctx.naming);
    const admin = ctx.kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: spec.topic,
            configEntries: [
              { name: 'retention.ms', value: '604800000' },
              { name: 'cleanup.policy', value: 'delete' },
              // A setting the catalog does not own survives the alignment.
              { name: 'max.message.bytes', value: '2000000' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }

    expect(await topicDrift(ctx.kafka, [spec])).toEqual([
      { topic: spec.topic, setting: 'retention.ms', expected: '-1', actual: '604800000' },
    ]);
    await ensureTopics(ctx.kafka, [TOPICS.dealWon], ctx.naming);
    expect(await topicDrift(ctx.kafka, [spec])).toEqual([]);
    expect(await topicDrift(ctx.kafka, [{ ...spec, config: { 'max.message.bytes': '2000000' } }])).toEqual(
      [],
    );
  });

  it('reports a missing topic and another partition count', async () => {
    const [spec] = catalogTopicSpecs([TOPICS.dealWon], ctx.naming);
    const missing = { ...spec, topic: `${ctx.naming.prefix}not-created` };
    expect(await topicDrift(ctx.kafka, [missing, { ...spec, partitions: spec.partitions + 1 }])).toEqual([
      { topic: missing.topic, setting: 'exists', expected: 'yes', actual: 'no' },
      {
        topic: spec.topic,
        setting: 'partitions',
        expected: String(spec.partitions + 1),
        actual: String(spec.partitions),
      },
    ]);
  });

  it("creates a consumer group's retry and dead-letter topics with their own configuration", async () => {
    const source = ctx.naming.topicFor('DealWon');
    const group = ctx.groupId('topics');
    await ensureConsumerTopics(ctx.kafka, [source], group, { retryTiers: 2, deadLetters: true });

    const specs = await expectedTopicSpecs(ctx.kafka, ctx.naming);
    const byName = new Map(specs.map((spec) => [spec.topic, spec]));
    expect(byName.get(retryTopic(source, group, 2))?.config).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': String(CONSUMER_TOPICS.retry.retentionMs),
    });
    expect(byName.get(deadLetterTopic(source, group))?.config['retention.ms']).toBe('-1');
    expect(byName.has(retryTopic(source, group, 3))).toBe(false);
    // Catalog topics this run never created show up as missing, nothing else differs.
    const drift = await topicDrift(ctx.kafka, specs);
    expect(drift.filter((d) => d.setting !== 'exists')).toEqual([]);
    expect(drift.map((d) => d.topic)).not.toContain(ctx.naming.topicFor('DealWon'));
    expect(drift.map((d) => d.topic)).toContain(ctx.naming.topicFor('InvoiceIssued'));
  });

  it('tells retry, dead-letter and parked topics from catalog topics by name', () => {
    const source = EVENTS.DealWon.topic.name;
    expect(consumerTopicKind(retryTopic(source, 'throughline.contract', 3))).toBe('retry');
    expect(consumerTopicKind(deadLetterTopic(source, 'throughline.contract'))).toBe('deadLetter');
    expect(consumerTopicKind(`${deadLetterTopic(source, 'throughline.contract')}.parked`)).toBe('parked');
    expect(consumerTopicKind(`${deadLetterTopic(source, 'throughline.contract')}.archived`)).toBeUndefined();
    expect(consumerTopicKind(source)).toBeUndefined();
  });
});
