import { AuditRecord } from './audit';
import { MessageView } from './dead-letter';
import {
  auditRecordJson,
  DlqSummary,
  dlqSummaryJson,
  formatAuditTable,
  formatDlqTable,
  formatMessage,
  progressLine,
  renderTable,
  sortByDepth,
} from './format';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function summary(topic: string, depth: number, oldestTimestamp: number | null): DlqSummary {
  return {
    topic,
    sourceTopic: 'src',
    group: 'grp',
    depth,
    partitions: [{ partition: 0, low: 2, high: 2 + depth }],
    oldestTimestamp,
    parked: 1,
  };
}

describe('renderTable', () => {
  it('pads columns to the widest cell and right-aligns numbers', () => {
    expect(
      renderTable(
        [{ title: 'NAME' }, { title: 'N', align: 'right' }],
        [
          ['a', '7'],
          ['longer', '1234'],
        ],
      ),
    ).toBe(['NAME       N', 'a          7', 'longer  1234'].join('\n'));
  });
});

describe('dlq list output', () => {
  it('sorts deepest first, then by name', () => {
    const sorted = sortByDepth([summary('b', 1, null), summary('c', 5, null), summary('a', 1, null)]);
    expect(sorted.map((s) => s.topic)).toEqual(['c', 'a', 'b']);
  });

  it('renders a table with ages', () => {
    expect(formatDlqTable([summary('x.dlq', 12, NOW - 3_720_000), summary('y.dlq', 0, null)], NOW)).toBe(
      [
        'DLQ TOPIC  DEPTH  OLDEST  PARKED  SOURCE TOPIC  GROUP',
        'x.dlq         12   1h 2m       1  src           grp',
        'y.dlq          0       -       1  src           grp',
      ].join('\n'),
    );
    expect(formatDlqTable([], NOW)).toBe('No dead-letter topics.');
  });

  it('renders JSON with ISO timestamps, ages and per-partition depth', () => {
    expect(dlqSummaryJson(summary('x.dlq', 3, NOW - 5_000), NOW)).toEqual({
      topic: 'x.dlq',
      sourceTopic: 'src',
      group: 'grp',
      depth: 3,
      oldestTimestamp: '2026-03-01T11:59:55.000Z',
      oldestAgeMs: 5_000,
      parked: 1,
      partitions: [{ partition: 0, low: 2, high: 5, depth: 3 }],
    });
  });
});

describe('formatMessage', () => {
  const base: MessageView = {
    topic: 'x.dlq',
    partition: 1,
    offset: 4,
    timestamp: '2026-03-01T11:00:00.000Z',
    key: 'deal-1',
    headers: { 'tl-dlq-error-class': 'PoisonMessageError', 'tl-dlq-error-stack': 'Error: x\n    at y' },
    schemaId: 7,
    value: { envelope: { eventId: 'e-1' } },
  };

  it('shows position, headers (sorted, multi-line indented) and the decoded value', () => {
    expect(formatMessage(base)).toBe(
      [
        '── x.dlq 1@4  2026-03-01T11:00:00.000Z  key=deal-1',
        'headers:',
        '  tl-dlq-error-class: PoisonMessageError',
        '  tl-dlq-error-stack: Error: x',
        '        at y',
        'value (schema 7):',
        '  {',
        '    "envelope": {',
        '      "eventId": "e-1"',
        '    }',
        '  }',
      ].join('\n'),
    );
  });

  it('cuts long headers to a few lines when asked', () => {
    const stack = ['Error: x', ...Array.from({ length: 5 }, (_, i) => `    at f${i}`)].join('\n');
    const text = formatMessage(
      { ...base, headers: { 'tl-dlq-error-stack': stack, other: stack } },
      { longHeaders: ['tl-dlq-error-stack'], maxLines: 2 },
    );
    expect(text).toContain(
      '  tl-dlq-error-stack: Error: x\n        at f0\n    (4 more line(s); --json shows all)\n',
    );
    expect(text).toContain(
      '  other: Error: x\n        at f0\n        at f1\n        at f2\n        at f3\n        at f4\n',
    );
  });

  it('shows base64 and the reason for undecodable values', () => {
    const text = formatMessage({
      ...base,
      key: null,
      headers: {},
      schemaId: null,
      value: null,
      undecodable: { reason: 'not schema-registry Avro', base64: 'Z2FyYmFnZQ==' },
    });
    expect(text).toContain('key=(none)');
    expect(text).toContain('value: undecodable (not schema-registry Avro)\n  base64: Z2FyYmFnZQ==');
  });
});

describe('audit output', () => {
  const record: AuditRecord = {
    id: 3,
    action: 'replay',
    actor: 'alice',
    performedAt: NOW,
    dlqTopic: 'x.dlq',
    partition: 0,
    offset: 9,
    targetTopic: 'src',
    eventId: 'e-1',
    filters: { key: 'k' },
    reason: null,
    forced: true,
  };

  it('renders a table', () => {
    expect(
      formatAuditTable([
        record,
        { ...record, action: 'purge', forced: false, targetTopic: null, eventId: null },
      ]),
    ).toBe(
      [
        'AT                        ACTOR  ACTION           DLQ TOPIC  POSITION  TARGET  EVENT ID  REASON',
        '2026-03-01T12:00:00.000Z  alice  replay (forced)  x.dlq      0@9       src     e-1       -',
        '2026-03-01T12:00:00.000Z  alice  purge            x.dlq      0@<9      -       -         -',
      ].join('\n'),
    );
    expect(formatAuditTable([])).toBe('No audit records.');
  });

  it('renders JSON with ISO times', () => {
    expect(auditRecordJson(record)).toMatchObject({ performedAt: '2026-03-01T12:00:00.000Z', forced: true });
  });
});

describe('progressLine', () => {
  it('ends with an ellipsis until done', () => {
    expect(progressLine('replayed', 120, 500)).toBe('replayed 120/500…');
    expect(progressLine('replayed', 500, 500)).toBe('replayed 500/500');
  });
});
