import {
  Attribution,
  Command,
  CommandKind,
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_REPLAY_RATE,
  DEFAULT_SHOW_LIMIT,
  ExportFormat,
  PartitionOffset,
  PurgeSelection,
  ReplayTarget,
} from './commands';
import { assertDlqTopic } from './dlq-topics';
import { parseInstant } from './duration';
import { UsageError } from './errors';
import { MessageFilter } from './filters';
import { COMMAND_HELP, EXPORT_HELP, GLOBAL_HELP, LOOKUP_HELP } from './help';

export interface ParseContext {
  /** Epoch ms, for durations such as `--since 2h`. */
  now: number;
  /** TOPIC_PREFIX; topic arguments must be under it. */
  prefix: string;
}

type OptionKind = 'flag' | 'value' | 'repeated';

const FILTER_OPTIONS = {
  'error-class': 'value',
  since: 'value',
  until: 'value',
  key: 'value',
  'correlation-id': 'value',
  partition: 'value',
  'from-offset': 'value',
  'to-offset': 'value',
} as const satisfies Record<string, OptionKind>;

const ATTRIBUTION_OPTIONS = { actor: 'value', reason: 'value' } as const satisfies Record<string, OptionKind>;

const OPTIONS: Readonly<Record<CommandKind, Readonly<Record<string, OptionKind>>>> = {
  list: { json: 'flag' },
  show: { ...FILTER_OPTIONS, limit: 'value', json: 'flag' },
  replay: {
    ...FILTER_OPTIONS,
    ...ATTRIBUTION_OPTIONS,
    limit: 'value',
    to: 'value',
    'dry-run': 'flag',
    rate: 'value',
    force: 'flag',
  },
  park: { ...FILTER_OPTIONS, ...ATTRIBUTION_OPTIONS, limit: 'value', 'dry-run': 'flag', force: 'flag' },
  purge: {
    ...ATTRIBUTION_OPTIONS,
    'up-to-offset': 'repeated',
    all: 'flag',
    until: 'value',
    partition: 'value',
    'dry-run': 'flag',
    yes: 'flag',
  },
  audit: { topic: 'value', limit: 'value', json: 'flag' },
};

const COMMANDS = Object.keys(OPTIONS) as CommandKind[];

interface Tokens {
  positionals: string[];
  values: Map<string, string[]>;
}

/**
 * Parses `throughline ...` arguments (without the node and script paths) into a validated command.
 * Throws `UsageError` for anything malformed, before any connection is made.
 */
export function parseCommandLine(argv: readonly string[], context: ParseContext): Command {
  const [group, name, ...rest] = argv;
  if (group === undefined) throw new UsageError('missing command');
  if (group === '--help' || group === '-h' || group === 'help') return { kind: 'help', text: GLOBAL_HELP };
  if (group === 'lookup')
    return parseLookup(
      [name, ...rest].filter((arg): arg is string => arg !== undefined),
      context,
    );
  if (group === 'export')
    return parseExport(
      [name, ...rest].filter((arg): arg is string => arg !== undefined),
      context,
    );
  if (group !== 'dlq')
    throw new UsageError(`unknown command "${group}" (expected "dlq", "lookup" or "export")`);
  if (name === undefined)
    throw new UsageError('missing dlq command (list, show, replay, park, purge, audit)');
  if (name === '--help' || name === '-h' || name === 'help') return { kind: 'help', text: GLOBAL_HELP };
  if (!(COMMANDS as string[]).includes(name)) {
    throw new UsageError(`unknown dlq command "${name}" (expected one of ${COMMANDS.join(', ')})`);
  }
  const kind = name as CommandKind;
  const usage = `dlq ${kind}`;
  // Help wins over everything else on the line, so a half-typed command still shows its usage.
  if (rest.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help', text: COMMAND_HELP[kind] };
  const tokens = tokenize(rest, OPTIONS[kind], usage);
  const options = new Options(tokens.values, usage);
  switch (kind) {
    case 'list':
      noPositionals(tokens, usage);
      return { kind, json: options.flag('json') };
    case 'audit':
      noPositionals(tokens, usage);
      return {
        kind,
        topic: options.value('topic'),
        limit: options.positiveInt('limit') ?? DEFAULT_AUDIT_LIMIT,
        json: options.flag('json'),
      };
    case 'show':
      return {
        kind,
        topic: topicArgument(tokens, usage, context, true),
        filter: messageFilter(options, context),
        limit: options.positiveInt('limit') ?? DEFAULT_SHOW_LIMIT,
        json: options.flag('json'),
      };
    case 'replay':
      return {
        kind,
        topic: topicArgument(tokens, usage, context, true),
        filter: messageFilter(options, context),
        limit: options.positiveInt('limit'),
        to: replayTarget(options.value('to'), usage),
        dryRun: options.flag('dry-run'),
        ratePerSecond: rate(options.value('rate'), usage),
        force: options.flag('force'),
        attribution: attribution(options),
      };
    case 'park':
      return {
        kind,
        topic: topicArgument(tokens, usage, context, false),
        filter: messageFilter(options, context),
        limit: options.positiveInt('limit'),
        dryRun: options.flag('dry-run'),
        force: options.flag('force'),
        attribution: attribution(options),
      };
    case 'purge': {
      const topic = topicArgument(tokens, usage, context, true);
      const dryRun = options.flag('dry-run');
      const selection = purgeSelection(options, context, usage);
      if (!dryRun && !options.flag('yes')) {
        throw new UsageError(
          'purge deletes messages for good: add --yes to confirm (or --dry-run to preview)',
          usage,
        );
      }
      return { kind, topic, selection, dryRun, attribution: attribution(options) };
    }
  }
}

function tokenize(
  args: readonly string[],
  specs: Readonly<Record<string, OptionKind>>,
  usage: string,
): Tokens {
  const tokens: Tokens = { positionals: [], values: new Map() };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--') {
      tokens.positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      tokens.positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option "${arg}"`, usage);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const kind = specs[name];
    if (kind === undefined) {
      throw new UsageError(
        usage === 'dlq purge' && name in FILTER_OPTIONS
          ? `purge cannot select messages by --${name}: Kafka can only truncate a partition up to an offset (park or replay single messages instead)`
          : `unknown option "--${name}" for "${usage}"`,
        usage,
      );
    }
    let value: string;
    if (kind === 'flag') {
      if (equals !== -1) throw new UsageError(`option --${name} takes no value`, usage);
      value = 'true';
    } else if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = args[index + 1];
      if (next === undefined || next.startsWith('--'))
        throw new UsageError(`option --${name} needs a value`, usage);
      value = next;
      index++;
    }
    const existing = tokens.values.get(name);
    if (existing && kind !== 'repeated') throw new UsageError(`option --${name} given more than once`, usage);
    tokens.values.set(name, [...(existing ?? []), value]);
  }
  return tokens;
}

const LOOKUP_OPTIONS = { since: 'value', json: 'flag' } as const satisfies Record<string, OptionKind>;

function parseLookup(args: readonly string[], context: ParseContext): Command {
  if (args.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help', text: LOOKUP_HELP };
  const tokens = tokenize(args, LOOKUP_OPTIONS, 'lookup');
  const options = new Options(tokens.values, 'lookup');
  const [id, ...extra] = tokens.positionals;
  if (id === undefined || id.trim() === '') throw new UsageError('missing the id to look up', 'lookup');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'lookup');
  const since = options.value('since');
  return {
    kind: 'lookup',
    id,
    since: since === undefined ? undefined : parseInstant(since, context.now, '--since'),
    json: options.flag('json'),
  };
}

const EXPORT_OPTIONS = {
  out: 'value',
  format: 'value',
  since: 'value',
  until: 'value',
  current: 'flag',
  by: 'value',
} as const satisfies Record<string, OptionKind>;

function parseExport(args: readonly string[], context: ParseContext): Command {
  if (args.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help', text: EXPORT_HELP };
  const tokens = tokenize(args, EXPORT_OPTIONS, 'export');
  const options = new Options(tokens.values, 'export');
  const [eventType, ...extra] = tokens.positionals;
  if (eventType === undefined) throw new UsageError('missing the event type to export, e.g. InvoiceIssued', 'export');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'export');
  const file = options.value('out');
  if (file === undefined) throw new UsageError('missing --out FILE (.parquet or .csv)', 'export');
  const format = exportFormat(options.value('format'), file);
  const since = options.value('since');
  const until = options.value('until');
  const command = {
    kind: 'export' as const,
    eventType,
    file,
    format,
    since: since === undefined ? undefined : parseInstant(since, context.now, '--since'),
    until: until === undefined ? undefined : parseInstant(until, context.now, '--until'),
    current: options.flag('current'),
    by: options.value('by'),
  };
  if (command.by !== undefined && !command.current) throw new UsageError('--by needs --current', 'export');
  if (command.since !== undefined && command.until !== undefined && command.since >= command.until)
    throw new UsageError('--since must be before --until', 'export');
  return command;
}

function exportFormat(given: string | undefined, file: string): ExportFormat {
  const format = given ?? (/\.csv$/i.test(file) ? 'csv' : /\.parquet$/i.test(file) ? 'parquet' : undefined);
  if (format === undefined)
    throw new UsageError(`cannot tell the format from "${file}": name it .parquet or .csv, or give --format`, 'export');
  if (format !== 'parquet' && format !== 'csv')
    throw new UsageError(`--format must be parquet or csv, not "${format}"`, 'export');
  return format;
}

class Options {
  constructor(
    private readonly values: ReadonlyMap<string, readonly string[]>,
    readonly usage: string,
  ) {}

  flag(name: string): boolean {
    return this.values.has(name);
  }

  value(name: string): string | undefined {
    const value = this.values.get(name)?.[0];
    if (value === '') throw new UsageError(`option --${name} needs a non-empty value`, this.usage);
    return value;
  }

  all(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }

  nonNegativeInt(name: string): number | undefined {
    const value = this.value(name);
    return value === undefined ? undefined : parseNonNegativeInt(value, `--${name}`, this.usage);
  }

  positiveInt(name: string): number | undefined {
    const parsed = this.nonNegativeInt(name);
    if (parsed === 0) throw new UsageError(`--${name} must be at least 1`, this.usage);
    return parsed;
  }

  instant(name: string, now: number): number | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    try {
      return parseInstant(value, now, `--${name}`);
    } catch (error) {
      throw error instanceof UsageError ? new UsageError(error.message, this.usage) : error;
    }
  }
}

function parseNonNegativeInt(text: string, what: string, usage: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new UsageError(`invalid ${what} "${text}": expected a whole number (0, 1, 2, ...)`, usage);
  }
  return value;
}

function noPositionals(tokens: Tokens, usage: string): void {
  if (tokens.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${tokens.positionals[0]}" for "${usage}"`, usage);
  }
}

function topicArgument(tokens: Tokens, usage: string, context: ParseContext, allowParked: boolean): string {
  const [topic, extra] = tokens.positionals;
  if (topic === undefined) throw new UsageError(`missing <dlq-topic> for "${usage}"`, usage);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" for "${usage}"`, usage);
  assertDlqTopic(topic, { prefix: context.prefix, allowParked }, usage);
  return topic;
}

function messageFilter(options: Options, context: ParseContext): MessageFilter {
  const { usage } = options;
  const filter: MessageFilter = {
    errorClass: options.value('error-class'),
    since: options.instant('since', context.now),
    until: options.instant('until', context.now),
    key: options.value('key'),
    correlationId: options.value('correlation-id'),
    partition: options.nonNegativeInt('partition'),
    fromOffset: options.nonNegativeInt('from-offset'),
    toOffset: options.nonNegativeInt('to-offset'),
  };
  if ((filter.fromOffset !== undefined || filter.toOffset !== undefined) && filter.partition === undefined) {
    throw new UsageError('--from-offset and --to-offset need --partition (offsets are per partition)', usage);
  }
  if (
    filter.fromOffset !== undefined &&
    filter.toOffset !== undefined &&
    filter.fromOffset > filter.toOffset
  ) {
    throw new UsageError(`--from-offset ${filter.fromOffset} is after --to-offset ${filter.toOffset}`, usage);
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw new UsageError('--since must be before --until', usage);
  }
  return Object.fromEntries(
    Object.entries(filter).filter(([, value]) => value !== undefined),
  ) as MessageFilter;
}

function replayTarget(value: string | undefined, usage: string): ReplayTarget {
  if (value === undefined) throw new UsageError('missing --to original|group', usage);
  if (value !== 'original' && value !== 'group') {
    throw new UsageError(`invalid --to "${value}": expected "original" or "group"`, usage);
  }
  return value;
}

function rate(value: string | undefined, usage: string): number {
  if (value === undefined) return DEFAULT_REPLAY_RATE;
  const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(value);
  const perSecond = match ? Number(match[1]) : Number.NaN;
  if (!(perSecond > 0))
    throw new UsageError(`invalid --rate "${value}": expected messages per second, e.g. 50/s`, usage);
  return perSecond;
}

function attribution(options: Options): Attribution {
  const result: Attribution = {};
  const actor = options.value('actor');
  const reason = options.value('reason');
  if (actor !== undefined) result.actor = actor;
  if (reason !== undefined) result.reason = reason;
  return result;
}

function purgeSelection(options: Options, context: ParseContext, usage: string): PurgeSelection {
  const upTo = options.all('up-to-offset');
  const all = options.flag('all');
  const until = options.instant('until', context.now);
  const chosen = [upTo.length > 0, all, until !== undefined].filter(Boolean).length;
  if (chosen !== 1)
    throw new UsageError('purge needs exactly one of --up-to-offset, --all or --until', usage);
  const partition = options.nonNegativeInt('partition');
  if (upTo.length > 0) {
    if (partition !== undefined)
      throw new UsageError('--partition cannot be combined with --up-to-offset', usage);
    const offsets = upTo.map((text) => partitionOffset(text, usage));
    const seen = new Set<number>();
    for (const { partition: id } of offsets) {
      if (seen.has(id)) throw new UsageError(`--up-to-offset names partition ${id} more than once`, usage);
      seen.add(id);
    }
    return { kind: 'offsets', offsets };
  }
  if (until !== undefined)
    return partition === undefined ? { kind: 'until', until } : { kind: 'until', until, partition };
  return partition === undefined ? { kind: 'all' } : { kind: 'all', partition };
}

function partitionOffset(text: string, usage: string): PartitionOffset {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) {
    throw new UsageError(`invalid --up-to-offset "${text}": expected <partition>:<offset>, e.g. 0:42`, usage);
  }
  return {
    partition: parseNonNegativeInt(match[1] as string, '--up-to-offset partition', usage),
    offset: parseNonNegativeInt(match[2] as string, '--up-to-offset offset', usage),
  };
}
