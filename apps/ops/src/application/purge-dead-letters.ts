import { PartitionOffset, PurgeSelection } from '../domain/commands';
import { UsageError } from '../domain/errors';
import { PartitionOffsets } from '../domain/filters';
import { requireTopic } from './dead-letters';
import { KafkaPort, OpsContext } from './ports';

export interface PurgeRequest {
  topic: string;
  selection: PurgeSelection;
  dryRun: boolean;
  actor: string;
  reason: string | null;
}

export interface PartitionPurge {
  partition: number;
  /** Log start before the purge. */
  from: number;
  /** New log start: offsets before it are deleted. */
  upTo: number;
  /** Log start after the purge (read back from Kafka); equals `from` on a dry run. */
  logStartAfter: number;
}

export interface PurgeOutcome {
  dryRun: boolean;
  partitions: PartitionPurge[];
}

const COMMAND = 'dlq purge';

/**
 * `dlq purge`: Kafka cannot delete single records, so this moves partitions' log start forward
 * (DeleteRecords) and records one audit entry per truncated partition.
 */
export async function purgeDeadLetters(context: OpsContext, request: PurgeRequest): Promise<PurgeOutcome> {
  const kafka = await context.kafka();
  const partitions = await requireTopic(kafka, request.topic, COMMAND);
  const targets = await truncationPoints(kafka, request.topic, partitions, request.selection);
  const purges = targets
    .map(({ partition, offset }) => {
      const current = partitions.find((p) => p.partition === partition) as PartitionOffsets;
      return { partition, from: current.low, upTo: offset, logStartAfter: current.low };
    })
    .filter((purge) => purge.upTo > purge.from);
  if (request.dryRun || purges.length === 0) return { dryRun: request.dryRun, partitions: purges };

  const audit = await context.audit('write');
  await audit.record(
    purges.map(({ partition, upTo }) => ({
      action: 'purge' as const,
      actor: request.actor,
      dlqTopic: request.topic,
      partition,
      offset: upTo,
      targetTopic: null,
      eventId: null,
      filters: selectionFilters(request.selection),
      reason: request.reason,
      forced: false,
    })),
    () =>
      kafka.deleteRecordsBefore(
        request.topic,
        purges.map(({ partition, upTo }) => ({ partition, offset: upTo })),
      ),
  );
  const after = await kafka.partitionOffsets(request.topic);
  for (const purge of purges) {
    purge.logStartAfter = after.find((p) => p.partition === purge.partition)?.low ?? purge.upTo;
  }
  return { dryRun: false, partitions: purges };
}

async function truncationPoints(
  kafka: KafkaPort,
  topic: string,
  partitions: readonly PartitionOffsets[],
  selection: PurgeSelection,
): Promise<PartitionOffset[]> {
  const byId = new Map(partitions.map((p) => [p.partition, p]));
  const known = (id: number): PartitionOffsets => {
    const partition = byId.get(id);
    if (!partition) {
      const ids = [...byId.keys()].sort((a, b) => a - b).join(', ');
      throw new UsageError(`partition ${id} does not exist (the topic has partitions ${ids})`, COMMAND);
    }
    return partition;
  };
  switch (selection.kind) {
    case 'offsets':
      return selection.offsets.map(({ partition, offset }) => {
        const { high } = known(partition);
        if (offset > high) {
          throw new UsageError(
            `offset ${offset} is past the end of partition ${partition} (its next offset is ${high})`,
            COMMAND,
          );
        }
        return { partition, offset };
      });
    case 'all':
      return (selection.partition === undefined ? partitions : [known(selection.partition)]).map((p) => ({
        partition: p.partition,
        offset: p.high,
      }));
    case 'until': {
      if (selection.partition !== undefined) known(selection.partition);
      const offsets = await kafka.offsetsAt(topic, selection.until);
      return offsets.filter((p) => selection.partition === undefined || p.partition === selection.partition);
    }
  }
}

function selectionFilters(selection: PurgeSelection): Record<string, unknown> {
  switch (selection.kind) {
    case 'offsets':
      return { upToOffsets: selection.offsets.map(({ partition, offset }) => `${partition}:${offset}`) };
    case 'all':
      return selection.partition === undefined
        ? { all: true }
        : { all: true, partition: selection.partition };
    case 'until': {
      const until = new Date(selection.until).toISOString();
      return selection.partition === undefined ? { until } : { until, partition: selection.partition };
    }
  }
}
