import { userInfo } from 'node:os';

import { TOPICS } from '@throughline/contracts';
import { DLQ_HEADER, SchemaRegistryGateway } from '@throughline/messaging';
import { ConfigurationError } from '@throughline/platform';

import { DispatchOutcome } from '../application/dispatch';
import { exportEvents } from '../application/export-events';
import { listAuditRecords } from '../application/list-audit-records';
import { lookupFlow } from '../application/lookup-flow';
import { listDeadLetterTopics } from '../application/list-dead-letter-topics';
import { parkDeadLetters } from '../application/park-dead-letters';
import { AuditLog, Clock, OpsContext } from '../application/ports';
import { purgeDeadLetters, PurgeOutcome } from '../application/purge-dead-letters';
import { replayDeadLetters } from '../application/replay-dead-letters';
import { showDeadLetters } from '../application/show-dead-letters';
import { parseCommandLine } from '../domain/arguments';
import { Attribution, Command } from '../domain/commands';
import { UsageError } from '../domain/errors';
import {
  auditRecordJson,
  dlqSummaryJson,
  formatAuditTable,
  formatDlqTable,
  formatMessage,
  position,
} from '../domain/format';
import { formatFlow } from '../domain/flow';
import { PgAuditLog } from '../infrastructure/audit-store';
import { DuckDbTableWriter } from '../infrastructure/duckdb-table-writer';
import { loadOpsConfig, OpsConfig } from '../infrastructure/config';
import { KafkaGateway } from '../infrastructure/kafka-gateway';
import { RegistryValueDecoder } from '../infrastructure/registry-decoder';
import { HttpServiceStates, serviceUrlsFrom } from '../infrastructure/service-states';
import { authorizationFrom } from '../infrastructure/service-token';

/** Where the CLI writes; each call gets whole lines. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Aborting stops a replay or park after its current batch. */
  signal?: AbortSignal;
}

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** Finished, but some messages were refused (already replayed or parked) or could not be sent. */
  partial: 3,
  interrupted: 130,
} as const;

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs one `throughline ...` invocation and returns its exit code. Never throws: bad arguments
 * give a one-line error and a usage hint (exit 2), failures a one-line error (exit 1).
 */
export async function run(argv: readonly string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const resources = new Resources();
  try {
    const command = parseCommandLine(argv, { now: clock.now(), prefix: env['TOPIC_PREFIX'] ?? '' });
    if (command.kind === 'help') {
      io.stdout(command.text);
      return EXIT.ok;
    }
    const config = loadOpsConfig(env);
    const context = resources.context(config, io, clock, options.signal);
    if (command.kind === 'lookup')
      return await lookup(
        command,
        context,
        new HttpServiceStates(serviceUrlsFrom(env), authorizationFrom(env)),
      );
    if (command.kind === 'export') return await exportTable(command, context);
    return await execute(command, context, actorFrom(env));
  } catch (error) {
    return report(error, io);
  } finally {
    await resources.close();
  }
}

async function lookup(
  command: Extract<Command, { kind: 'lookup' }>,
  context: OpsContext,
  states: HttpServiceStates,
): Promise<number> {
  const { console } = context;
  const found = await lookupFlow(context, states, command);
  if (command.json) {
    console.out(JSON.stringify(found, null, 2));
    return found.events.length > 0 ? EXIT.ok : EXIT.failure;
  }
  if (found.events.length === 0) {
    console.err(`Nothing found for "${command.id}" in ${found.scanned} event(s) read.`);
    return EXIT.failure;
  }
  console.out(
    `${found.events.length} event(s) for "${command.id}" (of ${found.scanned} read):\n${formatFlow(found.events)}`,
  );
  for (const state of found.states) {
    const text = typeof state.state === 'string' ? state.state : JSON.stringify(state.state);
    console.out(`\n${state.service} — ${state.entity}${state.available ? '' : ' (no state)'}:\n${text}`);
  }
  return EXIT.ok;
}

async function exportTable(command: Extract<Command, { kind: 'export' }>, context: OpsContext): Promise<number> {
  const outcome = await exportEvents(context, new DuckDbTableWriter(), command);
  const what = command.current ? 'entities (last event per key)' : 'events';
  context.console.out(
    `exported ${outcome.rows} ${what} of ${command.eventType} from ${outcome.topic} ` +
      `(${outcome.read} message(s) read) to ${command.file} (${command.format}).`,
  );
  if (outcome.undecodable === 0) return EXIT.ok;
  context.console.err(
    `${outcome.undecodable} message(s) could not be decoded and are not in the file: ${outcome.reasons.join('; ')}`,
  );
  return EXIT.partial;
}

async function execute(
  command: Exclude<Command, { kind: 'help' | 'lookup' | 'export' }>,
  context: OpsContext,
  defaultActor: string,
) {
  const { console } = context;
  const actor = (attribution: Attribution) => attribution.actor ?? defaultActor;
  switch (command.kind) {
    case 'list': {
      const summaries = await listDeadLetterTopics(context);
      const now = context.clock.now();
      console.out(
        command.json
          ? JSON.stringify(
              summaries.map((summary) => dlqSummaryJson(summary, now)),
              null,
              2,
            )
          : formatDlqTable(summaries, now),
      );
      return EXIT.ok;
    }
    case 'show': {
      const shown = await showDeadLetters(context, command);
      if (command.json) console.out(JSON.stringify(shown.messages, null, 2));
      else if (shown.messages.length === 0) console.out('No matching messages.');
      else {
        const format = { longHeaders: [DLQ_HEADER.errorStack] };
        console.out(shown.messages.map((message) => formatMessage(message, format)).join('\n\n'));
      }
      if (shown.truncated)
        console.err(`More messages match; showing the first ${command.limit} (raise --limit).`);
      return EXIT.ok;
    }
    case 'replay': {
      const outcome = await replayDeadLetters(context, {
        ...command,
        actor: actor(command.attribution),
        reason: command.attribution.reason ?? null,
      });
      return reportDispatch(outcome, context, command.to === 'original' ? 'original topic' : 'retry topic');
    }
    case 'park': {
      const outcome = await parkDeadLetters(context, {
        ...command,
        actor: actor(command.attribution),
        reason: command.attribution.reason ?? null,
      });
      return reportDispatch(outcome, context, 'parked topic');
    }
    case 'purge': {
      const outcome = await purgeDeadLetters(context, {
        ...command,
        actor: actor(command.attribution),
        reason: command.attribution.reason ?? null,
      });
      reportPurge(outcome, command.topic, context);
      return EXIT.ok;
    }
    case 'audit': {
      const records = await listAuditRecords(context, { dlqTopic: command.topic, limit: command.limit });
      console.out(
        command.json ? JSON.stringify(records.map(auditRecordJson), null, 2) : formatAuditTable(records),
      );
      return EXIT.ok;
    }
  }
}

function reportDispatch(outcome: DispatchOutcome, context: OpsContext, targetKind: string): number {
  const { console } = context;
  const verb = outcome.action === 'replay' ? 'replay' : 'park';
  const past = outcome.action === 'replay' ? 'replayed' : 'parked';
  const again = outcome.action === 'replay' ? 'replay' : 'park';
  for (const { planned, reason } of outcome.refused) {
    console.err(
      `refused ${position(planned.message.partition, planned.message.offset)}: ${reason} (use --force to ${again} it again)`,
    );
  }
  for (const planned of outcome.skipped) {
    console.err(`skipped ${position(planned.message.partition, planned.message.offset)}: ${planned.problem}`);
  }
  if (outcome.truncated) console.err('More messages match than --limit; the rest were left alone.');
  const matched = outcome.sendable.length + outcome.refused.length + outcome.skipped.length;
  if (outcome.dryRun) {
    for (const planned of outcome.sendable) {
      const event = planned.eventId ? ` (event ${planned.eventId})` : ' (undecodable)';
      console.out(
        `would ${verb} ${position(planned.message.partition, planned.message.offset)} → ${planned.target}${event}`,
      );
    }
    console.out(
      `dry run: ${outcome.sendable.length} of ${matched} matching message(s) would be ${past} to the ${targetKind}` +
        `${outcome.refused.length ? `, ${outcome.refused.length} refused` : ''}` +
        `${outcome.skipped.length ? `, ${outcome.skipped.length} skipped` : ''}; nothing was published or recorded.`,
    );
  } else if (matched === 0) {
    console.out('No matching messages.');
  } else {
    console.out(
      `${past} ${outcome.sent} of ${matched} matching message(s) to the ${targetKind}` +
        `${outcome.refused.length ? `; ${outcome.refused.length} refused` : ''}` +
        `${outcome.skipped.length ? `; ${outcome.skipped.length} skipped` : ''}.`,
    );
  }
  if (outcome.aborted) {
    console.err(`interrupted after ${outcome.sent} message(s); the rest were not ${past}.`);
    return EXIT.interrupted;
  }
  return outcome.refused.length > 0 || outcome.skipped.length > 0 ? EXIT.partial : EXIT.ok;
}

function reportPurge(outcome: PurgeOutcome, topic: string, context: OpsContext): void {
  const { console } = context;
  if (outcome.partitions.length === 0) {
    console.out(`Nothing to purge in ${topic}.`);
    return;
  }
  let total = 0;
  for (const purge of outcome.partitions) {
    const count = purge.upTo - purge.from;
    total += count;
    console.out(
      outcome.dryRun
        ? `would delete partition ${purge.partition} offsets ${purge.from}..${purge.upTo - 1} (${count} message(s))`
        : `purged partition ${purge.partition}: log start ${purge.from} → ${purge.logStartAfter} (${count} message(s) deleted)`,
    );
  }
  console.out(
    outcome.dryRun
      ? `dry run: ${total} message(s) would be deleted; nothing was changed.`
      : `purged ${total} message(s) from ${topic}.`,
  );
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    const help = error.command ? `throughline ${error.command} --help` : 'throughline --help';
    io.stderr(`throughline: ${error.message}\nRun "${help}" for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof ConfigurationError) {
    io.stderr(`throughline: ${error.message.replace(/\n\s*/g, ' ')}\n`);
    return EXIT.usage;
  }
  io.stderr(`throughline: error: ${oneLine(error)}\n`);
  return EXIT.failure;
}

/** The error's message and its causes', on one line (no stack: the operator needs the reason). */
function oneLine(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    // Duck-typed: errors from other realms (driver internals, test sandboxes) fail `instanceof Error`.
    const { message, cause } =
      typeof current === 'object' ? (current as { message?: unknown; cause?: unknown }) : {};
    const text = typeof message === 'string' ? message : String(current);
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    current = cause;
  }
  return (parts.join(': ') || 'unknown error').replace(/\s*\n\s*/g, ' ');
}

function actorFrom(env: NodeJS.ProcessEnv): string {
  const fromEnv = env['USER'] || env['USERNAME'] || env['LOGNAME'];
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Connections opened on first use and closed when the command ends. */
class Resources {
  private kafka: Promise<KafkaGateway> | undefined;
  private readonly audits = new Map<'read' | 'write', Promise<AuditLog & { close(): Promise<void> }>>();

  context(config: OpsConfig, io: CliIo, clock: Clock, signal?: AbortSignal): OpsContext {
    const decoder = new RegistryValueDecoder(SchemaRegistryGateway.for(config.registry));
    return {
      prefix: config.topicPrefix,
      catalogTopics: Object.values(TOPICS).map((topic) => topic.name),
      kafka: () =>
        (this.kafka ??= KafkaGateway.connect({ connection: config.kafka, prefix: config.topicPrefix })),
      decoder: () => decoder,
      audit: (mode) => {
        let audit = this.audits.get(mode);
        if (!audit) {
          audit = PgAuditLog.open(config, mode);
          this.audits.set(mode, audit);
        }
        return audit;
      },
      clock,
      console: { out: (text) => io.stdout(`${text}\n`), err: (text) => io.stderr(`${text}\n`) },
      signal,
    };
  }

  async close(): Promise<void> {
    const closing: Promise<void>[] = [];
    if (this.kafka) closing.push(this.kafka.then((kafka) => kafka.close()));
    for (const audit of this.audits.values()) closing.push(audit.then((log) => log.close()));
    await Promise.allSettled(closing);
  }
}
