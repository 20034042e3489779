import { AuditAction, AuditEntry, refusalReason } from '../domain/audit';
import { envelopeFields, InspectedDeadLetter } from '../domain/dead-letter';
import { progressLine } from '../domain/format';
import { TokenBucket } from '../domain/rate-limiter';
import { AuditLog, KafkaPort, OpsContext, OutgoingMessage } from './ports';

/** One selected dead letter and where it would go. */
export interface PlannedMessage {
  message: InspectedDeadLetter;
  eventId: string | null;
  /** Undefined when the message cannot be sent (see `problem`). */
  target?: string;
  problem?: string;
}

export interface DispatchOutcome {
  action: AuditAction;
  dryRun: boolean;
  /** Messages that will be (dry run) or were sent. */
  sendable: PlannedMessage[];
  sent: number;
  /** Replayed or parked before; not sent again without --force. */
  refused: { planned: PlannedMessage; reason: string }[];
  /** Could not be sent at all (e.g. no original topic known). */
  skipped: PlannedMessage[];
  /** Stopped early by Ctrl-C. */
  aborted: boolean;
  truncated: boolean;
}

export interface DispatchSpec {
  action: 'replay' | 'park';
  /** "replayed", "parked": for progress lines. */
  verb: string;
  dlqTopic: string;
  dryRun: boolean;
  force: boolean;
  /** Messages per second; unlimited when undefined. */
  ratePerSecond?: number;
  actor: string;
  reason: string | null;
  filters: Record<string, unknown>;
  planned: PlannedMessage[];
  truncated: boolean;
  /** Creates or checks the target topics before anything is sent. */
  prepareTargets(kafka: KafkaPort, targets: ReadonlySet<string>): Promise<void>;
  /** The message to publish for one planned dead letter, built just before sending. */
  outgoing(planned: PlannedMessage & { target: string }, now: number): OutgoingMessage;
}

const MAX_BATCH = 100;
const PROGRESS_INTERVAL_MS = 1_000;

export function plan(
  message: InspectedDeadLetter,
  target: string | undefined,
  problem?: string,
): PlannedMessage {
  const planned: PlannedMessage = { message, eventId: envelopeFields(message.decoded).eventId ?? null };
  if (target !== undefined) planned.target = target;
  if (problem !== undefined) planned.problem = problem;
  return planned;
}

/**
 * Sends planned dead letters in small rate-limited batches, each recorded in the audit log in a
 * transaction that commits once Kafka acknowledged the batch. A message replayed or parked before is refused unless forced.
 * A dry run only reads (the audit log too) and changes nothing.
 */
export async function dispatch(context: OpsContext, spec: DispatchSpec): Promise<DispatchOutcome> {
  const skipped = spec.planned.filter((planned) => planned.target === undefined);
  const candidates = spec.planned.filter((planned) => planned.target !== undefined);
  const audit = await context.audit(spec.dryRun ? 'read' : 'write');
  const refused = spec.force ? [] : await refusals(audit, spec.dlqTopic, candidates);
  const refusedSet = new Set(refused.map((entry) => entry.planned));
  const sendable = candidates.filter((planned) => !refusedSet.has(planned));
  const outcome: DispatchOutcome = {
    action: spec.action,
    dryRun: spec.dryRun,
    sendable,
    sent: 0,
    refused,
    skipped,
    aborted: false,
    truncated: spec.truncated,
  };
  if (spec.dryRun || sendable.length === 0) return outcome;

  const kafka = await context.kafka();
  await spec.prepareTargets(kafka, new Set(sendable.map((planned) => planned.target as string)));
  const { clock } = context;
  const rate = spec.ratePerSecond;
  const bucket = rate === undefined ? undefined : new TokenBucket(rate, () => clock.now());
  const batchSize = rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.ceil(rate / 10)));
  let lastProgress = clock.now();
  for (let index = 0; index < sendable.length; index += batchSize) {
    if (context.signal?.aborted) {
      outcome.aborted = true;
      break;
    }
    const batch = sendable.slice(index, index + batchSize) as (PlannedMessage & { target: string })[];
    const wait = bucket?.reserve(batch.length) ?? 0;
    if (wait > 0) await clock.sleep(wait);
    const now = clock.now();
    await audit.record(
      batch.map((planned) => auditEntry(spec, planned)),
      () => kafka.send(batch.map((planned) => spec.outgoing(planned, now))),
    );
    outcome.sent += batch.length;
    if (outcome.sent === sendable.length || clock.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = clock.now();
      context.console.err(progressLine(spec.verb, outcome.sent, sendable.length));
    }
  }
  return outcome;
}

async function refusals(
  audit: AuditLog,
  dlqTopic: string,
  candidates: readonly PlannedMessage[],
): Promise<{ planned: PlannedMessage; reason: string }[]> {
  if (candidates.length === 0) return [];
  const history = await audit.history(
    dlqTopic,
    candidates.map(({ message }) => ({ partition: message.partition, offset: message.offset })),
  );
  const refused: { planned: PlannedMessage; reason: string }[] = [];
  for (const planned of candidates) {
    const reason = refusalReason(
      history.filter(
        (record) =>
          record.partition === planned.message.partition && record.offset === planned.message.offset,
      ),
    );
    if (reason !== undefined) refused.push({ planned, reason });
  }
  return refused;
}

function auditEntry(spec: DispatchSpec, planned: PlannedMessage & { target: string }): AuditEntry {
  return {
    action: spec.action,
    actor: spec.actor,
    dlqTopic: spec.dlqTopic,
    partition: planned.message.partition,
    offset: planned.message.offset,
    targetTopic: planned.target,
    eventId: planned.eventId,
    filters: spec.filters,
    reason: spec.reason,
    forced: spec.force,
  };
}
