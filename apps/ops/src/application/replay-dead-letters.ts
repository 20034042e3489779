import { consumerTopicConfig, retryTopic } from '@throughline/messaging';

import { ReplayTarget } from '../domain/commands';
import { describeFilter, MessageFilter } from '../domain/filters';
import { originOf, selectDeadLetters } from './dead-letters';
import { dispatch, DispatchOutcome, plan, PlannedMessage } from './dispatch';
import { replayToGroup, replayToOriginal } from './outgoing';
import { KafkaPort, OpsContext } from './ports';

export interface ReplayRequest {
  topic: string;
  filter: MessageFilter;
  limit?: number;
  to: ReplayTarget;
  dryRun: boolean;
  ratePerSecond: number;
  force: boolean;
  actor: string;
  reason: string | null;
}

/**
 * `dlq replay`: to the original topic (every consuming group sees the event again; inboxes drop
 * what was handled) or to the failing group's first retry tier (only that group handles it).
 */
export async function replayDeadLetters(
  context: OpsContext,
  request: ReplayRequest,
): Promise<DispatchOutcome> {
  const selection = await selectDeadLetters(context, request.topic, request.filter, {
    command: 'dlq replay',
    limit: request.limit,
  });
  const planned = selection.matches.map((message): PlannedMessage => {
    const { sourceTopic, group } = originOf(message, context);
    if (!sourceTopic)
      return plan(message, undefined, 'no original topic (header tl-dlq-original-topic missing)');
    if (request.to === 'original') return plan(message, sourceTopic);
    if (!group) return plan(message, undefined, 'no consumer group (header tl-dlq-consumer-group missing)');
    return plan(message, retryTopic(sourceTopic, group, 1));
  });
  const retryTargets = new Map<string, string>();
  for (const { message, target } of planned) {
    const source = originOf(message, context).sourceTopic;
    if (target && source) retryTargets.set(target, source);
  }
  return dispatch(context, {
    action: 'replay',
    verb: 'replayed',
    dlqTopic: request.topic,
    dryRun: request.dryRun,
    force: request.force,
    ratePerSecond: request.ratePerSecond,
    actor: request.actor,
    reason: request.reason,
    filters: { ...describeFilter(request.filter), to: request.to },
    planned,
    truncated: selection.truncated,
    prepareTargets: (kafka, targets) =>
      request.to === 'original'
        ? requireOriginalTopics(kafka, targets)
        : ensureRetryTopics(kafka, targets, retryTargets),
    outgoing: ({ message, target }, now) =>
      request.to === 'original' ? replayToOriginal(message, target) : replayToGroup(message, target, now),
  });
}

/** Original topics are never created here: a missing one means the dead letters point elsewhere. */
async function requireOriginalTopics(kafka: KafkaPort, targets: ReadonlySet<string>): Promise<void> {
  const existing = new Set(await kafka.listTopics());
  const missing = [...targets].filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    throw new Error(`original topic ${missing.join(', ')} does not exist; nothing was replayed`);
  }
}

/** Retry topics may not exist yet (no failure went through them); they get the source's partitions. */
async function ensureRetryTopics(
  kafka: KafkaPort,
  targets: ReadonlySet<string>,
  sources: ReadonlyMap<string, string>,
): Promise<void> {
  const existing = new Set(await kafka.listTopics());
  for (const target of targets) {
    if (existing.has(target)) continue;
    const source = sources.get(target) as string;
    if (!existing.has(source)) {
      throw new Error(`original topic ${source} does not exist; nothing was replayed`);
    }
    const partitions = (await kafka.partitionOffsets(source)).length;
    await kafka.ensureTopic({ name: target, partitions, config: consumerTopicConfig(target) });
  }
}
