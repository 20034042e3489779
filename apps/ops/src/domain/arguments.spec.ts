import { parseCommandLine } from './arguments';
import { Command } from './commands';
import { UsageError } from './errors';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DLQ = 'throughline.deal.deal-won.throughline.contract.dlq';
const parse = (line: string, prefix = '') =>
  parseCommandLine(line.split(' ').filter(Boolean), { now: NOW, prefix });

function usageError(line: string, prefix = ''): UsageError {
  try {
    parse(line, prefix);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`"${line}" parsed without error`);
}

describe('parseCommandLine', () => {
  it('parses list and audit', () => {
    expect(parse('dlq list')).toEqual({ kind: 'list', json: false });
    expect(parse('dlq list --json')).toEqual({ kind: 'list', json: true });
    expect(parse('dlq audit')).toEqual({ kind: 'audit', limit: 100, json: false });
    expect(parse(`dlq audit --topic ${DLQ} --limit 5 --json`)).toEqual({
      kind: 'audit',
      topic: DLQ,
      limit: 5,
      json: true,
    });
  });

  it('parses show with every filter, in both --name value and --name=value forms', () => {
    const command = parse(
      `dlq show ${DLQ} --error-class=PoisonMessageError --since 2h --until 2026-03-01T11:30:00Z --key deal-1 ` +
        '--correlation-id corr-9 --partition 2 --from-offset 10 --to-offset=20 --limit 3 --json',
    );
    expect(command).toEqual<Command>({
      kind: 'show',
      topic: DLQ,
      filter: {
        errorClass: 'PoisonMessageError',
        since: NOW - 2 * 3_600_000,
        until: Date.parse('2026-03-01T11:30:00Z'),
        key: 'deal-1',
        correlationId: 'corr-9',
        partition: 2,
        fromOffset: 10,
        toOffset: 20,
      },
      limit: 3,
      json: true,
    });
  });

  it('defaults show to 50 messages and no filter', () => {
    expect(parse(`dlq show ${DLQ}`)).toEqual({
      kind: 'show',
      topic: DLQ,
      filter: {},
      limit: 50,
      json: false,
    });
  });

  it('parses replay with defaults: 50/s, no force, no actor', () => {
    expect(parse(`dlq replay ${DLQ} --to group`)).toEqual({
      kind: 'replay',
      topic: DLQ,
      filter: {},
      to: 'group',
      dryRun: false,
      ratePerSecond: 50,
      force: false,
      attribution: {},
    });
  });

  it('parses replay options', () => {
    const command = parse(
      `dlq replay ${DLQ} --to original --dry-run --rate 5/s --actor alice --reason fixed --force --limit 7`,
    );
    expect(command).toMatchObject({
      to: 'original',
      dryRun: true,
      ratePerSecond: 5,
      force: true,
      limit: 7,
      attribution: { actor: 'alice', reason: 'fixed' },
    });
    expect(parse(`dlq replay ${DLQ} --to original --rate 0.5`)).toMatchObject({ ratePerSecond: 0.5 });
  });

  it('parses park and accepts .parked topics only where they make sense', () => {
    expect(parse(`dlq park ${DLQ} --key k --dry-run`)).toEqual({
      kind: 'park',
      topic: DLQ,
      filter: { key: 'k' },
      dryRun: true,
      force: false,
      attribution: {},
    });
    expect(parse(`dlq show ${DLQ}.parked`)).toMatchObject({ topic: `${DLQ}.parked` });
    expect(usageError(`dlq park ${DLQ}.parked`).message).toMatch(/must end with "\.dlq"\)$/);
  });

  it('parses the three purge selections', () => {
    expect(parse(`dlq purge ${DLQ} --up-to-offset 0:42 --up-to-offset 2:7 --yes`)).toEqual({
      kind: 'purge',
      topic: DLQ,
      selection: {
        kind: 'offsets',
        offsets: [
          { partition: 0, offset: 42 },
          { partition: 2, offset: 7 },
        ],
      },
      dryRun: false,
      attribution: {},
    });
    expect(parse(`dlq purge ${DLQ} --all --partition 1 --yes --reason cleanup`)).toMatchObject({
      selection: { kind: 'all', partition: 1 },
      attribution: { reason: 'cleanup' },
    });
    expect(parse(`dlq purge ${DLQ} --until 1d --dry-run`)).toMatchObject({
      selection: { kind: 'until', until: NOW - 86_400_000 },
      dryRun: true,
    });
  });

  it('returns help for --help anywhere, and for the bare group', () => {
    expect(parse('--help')).toMatchObject({ kind: 'help', text: expect.stringContaining('dlq replay') });
    expect(parse('dlq --help')).toMatchObject({ kind: 'help' });
    expect(parse(`dlq replay ${DLQ} --bogus --help`)).toMatchObject({
      kind: 'help',
      text: expect.stringContaining('Usage: throughline dlq replay'),
    });
    expect(parse('dlq purge -h')).toMatchObject({
      text: expect.stringContaining('Kafka cannot delete single records'),
    });
  });

  it.each([
    ['', /missing command/],
    ['kafka list', /unknown command "kafka"/],
    ['dlq', /missing dlq command/],
    ['dlq drop', /unknown dlq command "drop"/],
    ['dlq list extra', /unexpected argument "extra"/],
    ['dlq list --verbose', /unknown option "--verbose" for "dlq list"/],
    ['dlq list -v', /unknown option "-v"/],
    ['dlq list --json=yes', /--json takes no value/],
    ['dlq show', /missing <dlq-topic>/],
    [`dlq show ${DLQ} other.dlq`, /unexpected argument "other.dlq"/],
    ['dlq show throughline.deal.deal-won', /is not a dead-letter topic/],
    [`dlq show ${DLQ} --key`, /--key needs a value/],
    [`dlq show ${DLQ} --key --json`, /--key needs a value/],
    [`dlq show ${DLQ} --key=`, /--key needs a non-empty value/],
    [`dlq show ${DLQ} --key a --key b`, /--key given more than once/],
    [`dlq show ${DLQ} --partition one`, /invalid --partition "one"/],
    [`dlq show ${DLQ} --partition -1`, /invalid --partition "-1"/],
    [`dlq show ${DLQ} --from-offset 3`, /need --partition/],
    [`dlq show ${DLQ} --partition 0 --from-offset 9 --to-offset 3`, /--from-offset 9 is after --to-offset 3/],
    [`dlq show ${DLQ} --since yesterday`, /invalid --since "yesterday"/],
    [`dlq show ${DLQ} --until 2026-13-45`, /invalid --until/],
    [`dlq show ${DLQ} --since 1h --until 2h`, /--since must be before --until/],
    [`dlq show ${DLQ} --limit 0`, /--limit must be at least 1/],
    [`dlq replay ${DLQ}`, /missing --to original\|group/],
    [`dlq replay ${DLQ} --to elsewhere`, /invalid --to "elsewhere"/],
    [`dlq replay ${DLQ} --to group --rate fast`, /invalid --rate "fast"/],
    [`dlq replay ${DLQ} --to group --rate 0`, /invalid --rate "0"/],
    [`dlq park ${DLQ} --to group`, /unknown option "--to" for "dlq park"/],
    [`dlq purge ${DLQ} --all`, /add --yes to confirm/],
    [`dlq purge ${DLQ} --yes`, /exactly one of --up-to-offset, --all or --until/],
    [`dlq purge ${DLQ} --all --until 1h --yes`, /exactly one of/],
    [
      `dlq purge ${DLQ} --up-to-offset 42 --yes`,
      /invalid --up-to-offset "42": expected <partition>:<offset>/,
    ],
    [`dlq purge ${DLQ} --up-to-offset 0:x --yes`, /invalid --up-to-offset "0:x"/],
    [`dlq purge ${DLQ} --up-to-offset 0:1 --up-to-offset 0:2 --yes`, /partition 0 more than once/],
    [`dlq purge ${DLQ} --up-to-offset 0:1 --partition 0 --yes`, /cannot be combined/],
    [
      `dlq purge ${DLQ} --all --key k --yes`,
      /purge cannot select messages by --key: Kafka can only truncate/,
    ],
  ])('rejects "%s"', (line, message) => {
    expect(usageError(line).message).toMatch(message);
  });

  it('names the command whose usage to show', () => {
    expect(usageError(`dlq replay ${DLQ}`).command).toBe('dlq replay');
    expect(usageError('dlq drop').command).toBeUndefined();
  });

  it('keeps topics under TOPIC_PREFIX', () => {
    expect(parse(`dlq show test.ab12.${DLQ}`, 'test.ab12.')).toMatchObject({ topic: `test.ab12.${DLQ}` });
    expect(usageError(`dlq show ${DLQ}`, 'test.ab12.').message).toBe(
      `"${DLQ}" is not under TOPIC_PREFIX "test.ab12."`,
    );
  });
});
