import { Admin, ConfigResourceTypes, ConfigSource, ITopicConfig, Kafka } from 'kafkajs';

import { CONSUMER_TOPICS, ConsumerTopicDefinition, TOPICS, TopicDefinition } from '@throughline/contracts';

import { deadLetterTopic, retryTopic, TopicNaming } from './topic-naming';

const LEADER_WAIT_MS = 30_000;

/** A topic as the catalog wants it on the broker. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Topic-level settings the catalog owns (`retention.ms`, `cleanup.policy`). */
  config: Readonly<Record<string, string>>;
}

/** One difference between a topic on the broker and its catalog entry. */
export interface TopicDrift {
  topic: string;
  /** `partitions`, a config name such as `retention.ms`, or `exists`. */
  setting: string;
  expected: string;
  actual: string;
}

function configOf(topic: { retentionMs: number; cleanupPolicy: string }): Record<string, string> {
  return { 'cleanup.policy': topic.cleanupPolicy, 'retention.ms': String(topic.retentionMs) };
}

/** Catalog topics under `naming`'s prefix. */
export function catalogTopicSpecs(
  topics: readonly TopicDefinition[] = Object.values(TOPICS),
  naming = new TopicNaming(),
): TopicSpec[] {
  return topics.map((topic) => ({
    topic: `${naming.prefix}${topic.name}`,
    partitions: topic.partitions,
    config: configOf(topic),
  }));
}

export interface ConsumerTopicOptions {
  retryTiers: number;
  /** Whether the group dead-letters what it gives up on (it has a dead-letter publisher). */
  deadLetters: boolean;
}

/** The retry topics (one per tier) and the dead-letter topic of one consumer group per source topic. */
export function consumerTopicSpecs(
  sourceTopics: readonly string[],
  groupId: string,
  { retryTiers, deadLetters }: ConsumerTopicOptions,
): TopicSpec[] {
  const spec = (topic: string, definition: ConsumerTopicDefinition): TopicSpec => ({
    topic,
    partitions: definition.partitions,
    config: configOf(definition),
  });
  return sourceTopics.flatMap((source) => [
    ...Array.from({ length: retryTiers }, (_, index) =>
      spec(retryTopic(source, groupId, index + 1), CONSUMER_TOPICS.retry),
    ),
    ...(deadLetters ? [spec(deadLetterTopic(source, groupId), CONSUMER_TOPICS.deadLetter)] : []),
  ]);
}

/** A dead-letter topic as the catalog wants it. */
export function deadLetterTopicSpec(topic: string): TopicSpec {
  const definition = CONSUMER_TOPICS.deadLetter;
  return { topic, partitions: definition.partitions, config: configOf(definition) };
}

/**
 * The settings the catalog wants for a retry or dead-letter topic named `name` (e.g. one the ops
 * CLI creates to replay into), or undefined for any other name.
 */
export function consumerTopicConfig(name: string): Readonly<Record<string, string>> | undefined {
  const kind = consumerTopicKind(name);
  return kind === undefined ? undefined : configOf(CONSUMER_TOPICS[kind]);
}

/** The catalog entry a topic on the broker falls under by its name: retry tier, dead letters, or neither. */
export function consumerTopicKind(name: string): keyof typeof CONSUMER_TOPICS | undefined {
  return (Object.keys(CONSUMER_TOPICS) as Array<keyof typeof CONSUMER_TOPICS>).find((kind) =>
    patternRegExp(CONSUMER_TOPICS[kind].pattern).test(name),
  );
}

function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^${escaped
      .replace('\\{topic\\}', '.+')
      .replace('\\{group\\}', '.+')
      .replace('\\{tier\\}', '[1-9][0-9]*')}$`,
  );
}

/**
 * Creates the catalog's topics that do not exist yet (partitions, retention, cleanup policy) and
 * sets retention and cleanup policy back to the catalog's on those that drifted. Partition counts
 * are never changed here: adding partitions moves keys; `topicDrift` reports them.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicDefinition[],
  naming = new TopicNaming(),
): Promise<string[]> {
  return ensureTopicSpecs(kafka, catalogTopicSpecs(topics, naming));
}

/**
 * Creates (or aligns) a consumer group's retry and dead-letter topics for the topics it consumes,
 * with the catalog's `consumerTopics` configuration. Consumers call this before subscribing, so
 * nothing depends on the broker auto-creating topics.
 */
export async function ensureConsumerTopics(
  kafka: Kafka,
  sourceTopics: readonly string[],
  groupId: string,
  options: ConsumerTopicOptions,
): Promise<string[]> {
  return ensureTopicSpecs(kafka, consumerTopicSpecs(sourceTopics, groupId, options));
}

/** Creates plain topics (broker defaults) that do not exist yet; for tests' own scratch topics. */
export async function ensureTopicsByName(kafka: Kafka, names: readonly string[]): Promise<string[]> {
  return createMissing(
    kafka,
    names.map((topic) => ({ topic })),
  );
}

/** Creates the missing topics of `specs` and sets catalog-owned settings back where they drifted. */
export async function ensureTopicSpecs(kafka: Kafka, specs: readonly TopicSpec[]): Promise<string[]> {
  const created = await createMissing(
    kafka,
    specs.map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.partitions,
      replicationFactor: -1,
      configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
    })),
  );
  const fresh = new Set(created);
  await alignConfigs(
    kafka,
    specs.filter((spec) => !fresh.has(spec.topic)),
  );
  return created;
}

/**
 * What differs between the broker and `specs`: a missing topic, another partition count, or a
 * catalog-owned setting (retention, cleanup policy) with another value.
 */
export async function topicDrift(kafka: Kafka, specs: readonly TopicSpec[]): Promise<TopicDrift[]> {
  if (specs.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const drift: TopicDrift[] = specs
      .filter((spec) => !existing.has(spec.topic))
      .map((spec) => ({ topic: spec.topic, setting: 'exists', expected: 'yes', actual: 'no' }));
    const present = specs.filter((spec) => existing.has(spec.topic));
    if (present.length === 0) return drift;
    const { topics } = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
    const partitions = new Map(topics.map((topic) => [topic.name, topic.partitions.length]));
    const configs = await describeTopicConfigs(admin, present);
    for (const spec of present) {
      const actualPartitions = partitions.get(spec.topic) ?? 0;
      if (actualPartitions !== spec.partitions)
        drift.push({
          topic: spec.topic,
          setting: 'partitions',
          expected: String(spec.partitions),
          actual: String(actualPartitions),
        });
      const actual = configs.get(spec.topic) ?? {};
      for (const [name, expected] of Object.entries(spec.config)) {
        if (actual[name] !== expected)
          drift.push({ topic: spec.topic, setting: name, expected, actual: actual[name] ?? '(unset)' });
      }
    }
    return drift;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every topic the catalog describes that exists on the broker under `naming`'s prefix, plus every
 * catalog topic that should: business and tooling topics by name, retry and dead-letter topics by
 * their name patterns. The input of `topicDrift` for a whole environment.
 */
export async function expectedTopicSpecs(kafka: Kafka, naming = new TopicNaming()): Promise<TopicSpec[]> {
  const admin = kafka.admin();
  await admin.connect();
  const names = await admin.listTopics().finally(() => admin.disconnect());
  const catalog = catalogTopicSpecs(Object.values(TOPICS), naming);
  // Only groups' topics of this environment's catalog topics (not another prefix's).
  const sources = catalog.map((spec) => `${spec.topic}.`);
  const consumerTopics = names
    .filter((name) => sources.some((source) => name.startsWith(source)))
    .flatMap((name): TopicSpec[] => {
      const kind = consumerTopicKind(name);
      if (!kind) return [];
      const definition = CONSUMER_TOPICS[kind];
      return [{ topic: name, partitions: definition.partitions, config: configOf(definition) }];
    });
  return [...catalog, ...consumerTopics];
}

async function describeTopicConfigs(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<Map<string, Record<string, string>>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((spec) => ({
      type: ConfigResourceTypes.TOPIC,
      name: spec.topic,
      configNames: Object.keys(spec.config),
    })),
  });
  return new Map(
    resources.map((resource) => [
      resource.resourceName,
      Object.fromEntries(resource.configEntries.map((entry) => [entry.configName, entry.configValue])),
    ]),
  );
}

async function alignConfigs(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const configs = await describeTopicConfigs(admin, specs);
    const drifted = specs.filter((spec) =>
      Object.entries(spec.config).some(([name, value]) => configs.get(spec.topic)?.[name] !== value),
    );
    if (drifted.length === 0) return;
    // AlterConfigs (kafkajs has no incremental variant) replaces all of a topic's own settings, so
    // the ones the catalog does not own (e.g. tiered storage's remote.storage.enable) are sent again.
    const overrides = await topicOverrides(admin, drifted);
    await admin.alterConfigs({
      validateOnly: false,
      resources: drifted.map((spec) => ({
        type: ConfigResourceTypes.TOPIC,
        name: spec.topic,
        configEntries: Object.entries({ ...overrides.get(spec.topic), ...spec.config }).map(
          ([name, value]) => ({ name, value }),
        ),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Settings set on the topics themselves (not broker defaults). */
async function topicOverrides(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<Map<string, Record<string, string>>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.topic })),
  });
  return new Map(
    resources.map((resource) => [
      resource.resourceName,
      Object.fromEntries(
        resource.configEntries
          .filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG && !entry.isSensitive)
          .map((entry) => [entry.configName, entry.configValue]),
      ),
    ]),
  );
}

/**
 * Creates the topics that are missing and returns once every partition of every requested topic
 * has a leader. kafkajs' own `waitForLeaders` gives up when the broker answers "does not host
 * this topic-partition" while a new topic is still being set up (kafkajs#815), so we poll the
 * metadata ourselves; a concurrent creator winning the race is fine.
 */
async function createMissing(kafka: Kafka, topics: readonly ITopicConfig[]): Promise<string[]> {
  if (topics.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.topic));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: false, topics: [...missing] }).catch((error: Error) => {
        // Another process created some of them first.
        if (!/already exists/i.test(`${error.message} ${JSON.stringify(error)}`)) throw error;
      });
    }
    await waitForLeaders(
      admin,
      topics.map((topic) => topic.topic),
    );
    return missing.map((topic) => topic.topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Returns once every partition of the named topics has a leader that serves it. A single KRaft
 * node lists a new partition's leader before its broker hosts the log, and a produce or offset
 * lookup in between fails with "This server does not host this topic-partition", so readiness is
 * a successful offset lookup, not a leader id in the metadata.
 */
export async function waitForLeaders(
  admin: Admin,
  names: readonly string[],
  timeoutMs: number = LEADER_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
      const ready = topics.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready && topics.length === names.length) {
        for (const name of names) await admin.fetchTopicOffsets(name);
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`Topics had no serving leader within ${timeoutMs} ms: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
