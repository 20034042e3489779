import { consumerTopicConfig } from '@throughline/messaging';

import { parkedTopicFor } from '../domain/dlq-topics';
import { describeFilter, MessageFilter } from '../domain/filters';
import { selectDeadLetters } from './dead-letters';
import { dispatch, DispatchOutcome, plan } from './dispatch';
import { parkedCopy } from './outgoing';
import { OpsContext } from './ports';

export interface ParkRequest {
  topic: string;
  filter: MessageFilter;
  limit?: number;
  dryRun: boolean;
  force: boolean;
  actor: string;
  reason: string | null;
}

/**
 * `dlq park`: copies matching dead letters to `<dlq-topic>.parked` (unlimited retention) and records
 * them, so replays skip them and a purge can drop the originals.
 */
export async function parkDeadLetters(context: OpsContext, request: ParkRequest): Promise<DispatchOutcome> {
  const selection = await selectDeadLetters(context, request.topic, request.filter, {
    command: 'dlq park',
    limit: request.limit,
  });
  const parked = parkedTopicFor(request.topic);
  return dispatch(context, {
    action: 'park',
    verb: 'parked',
    dlqTopic: request.topic,
    dryRun: request.dryRun,
    force: request.force,
    actor: request.actor,
    reason: request.reason,
    filters: describeFilter(request.filter),
    planned: selection.matches.map((message) => plan(message, parked)),
    truncated: selection.truncated,
    prepareTargets: async (kafka) => {
      // As many partitions as the dead-letter topic (copies keep their partition); settings from the catalog.
      await kafka.ensureTopic({
        name: parked,
        partitions: selection.partitions.length,
        config: consumerTopicConfig(parked),
      });
    },
    outgoing: ({ message, target }, now) =>
      parkedCopy(message, target, { actor: request.actor, reason: request.reason, now }),
  });
}
