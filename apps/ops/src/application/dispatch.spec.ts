import { AuditEntry, AuditRecord } from '../domain/audit';
import { InspectedDeadLetter } from '../domain/dead-letter';
import { dispatch, DispatchSpec, plan } from './dispatch';
import { AuditLog, KafkaPort, OpsContext, OutgoingMessage } from './ports';

function deadLetter(offset: number): InspectedDeadLetter {
  return {
    topic: 'x.dlq',
    partition: 0,
    offset,
    timestamp: 0,
    key: Buffer.from(`k${offset}`),
    value: Buffer.from(`v${offset}`),
    headers: {},
    headerStrings: {},
    decoded: { ok: true, schemaId: 1, json: { envelope: { eventId: `e${offset}` } } },
  };
}

class FakeAudit implements AuditLog {
  readonly records: AuditRecord[] = [];
  failNextSend = false;

  async history(dlqTopic: string): Promise<AuditRecord[]> {
    return this.records.filter((record) => record.dlqTopic === dlqTopic);
  }

  async record(entries: readonly AuditEntry[], alongside?: () => Promise<void>): Promise<void> {
    await alongside?.();
    for (const entry of entries) {
      this.records.push({
        ...entry,
        id: this.records.length + 1,
        performedAt: Date.parse('2026-03-01T10:00:00Z'),
      });
    }
  }

  async list(): Promise<AuditRecord[]> {
    return this.records;
  }
}

function setup() {
  let now = 0;
  const sleeps: number[] = [];
  const sent: { at: number; messages: readonly OutgoingMessage[] }[] = [];
  const stderr: string[] = [];
  const audit = new FakeAudit();
  const auditModes: string[] = [];
  let failSend = false;
  const kafka = {
    send: async (messages: readonly OutgoingMessage[]) => {
      if (failSend) throw new Error('broker down');
      sent.push({ at: now, messages });
    },
  } as unknown as KafkaPort;
  const controller = new AbortController();
  const context: OpsContext = {
    prefix: '',
    catalogTopics: [],
    kafka: async () => kafka,
    decoder: () => ({ decode: async () => ({ ok: false, reason: 'unused' }) }),
    audit: async (mode) => {
      auditModes.push(mode);
      return audit;
    },
    clock: {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    },
    console: { out: () => undefined, err: (text) => stderr.push(text) },
    signal: controller.signal,
  };
  const prepared: string[][] = [];
  const spec = (overrides: Partial<DispatchSpec> = {}): DispatchSpec => ({
    action: 'replay',
    verb: 'replayed',
    dlqTopic: 'x.dlq',
    dryRun: false,
    force: false,
    ratePerSecond: 10,
    actor: 'alice',
    reason: 'fixed',
    filters: { key: 'k' },
    planned: [0, 1, 2].map((offset) => plan(deadLetter(offset), 'src')),
    truncated: false,
    prepareTargets: async (_kafka, targets) => {
      prepared.push([...targets]);
    },
    outgoing: ({ message, target }, at) => ({
      topic: target,
      key: message.key,
      value: message.value,
      headers: { at: String(at) },
    }),
    ...overrides,
  });
  return {
    context,
    spec,
    sent,
    sleeps,
    stderr,
    audit,
    auditModes,
    prepared,
    controller,
    failSends: () => (failSend = true),
  };
}

describe('dispatch', () => {
  it('sends in rate-limited batches and records each message with who, why and the event id', async () => {
    const { context, spec, sent, sleeps, audit, prepared, stderr } = setup();
    const planned = Array.from({ length: 25 }, (_, offset) => plan(deadLetter(offset), 'src'));
    const outcome = await dispatch(context, spec({ planned }));
    expect(outcome).toMatchObject({ sent: 25, refused: [], skipped: [], aborted: false });
    expect(prepared).toEqual([['src']]);
    // 10/s: one message per batch; the first 10 go at once, then one every 100 ms.
    expect(sent).toHaveLength(25);
    expect(sleeps).toEqual(Array(15).fill(100));
    expect(sent[24]?.at).toBe(1_500);
    expect(sent[24]?.messages[0]?.headers).toEqual({ at: '1500' });
    expect(audit.records).toHaveLength(25);
    expect(audit.records[3]).toMatchObject({
      action: 'replay',
      actor: 'alice',
      reason: 'fixed',
      dlqTopic: 'x.dlq',
      partition: 0,
      offset: 3,
      targetTopic: 'src',
      eventId: 'e3',
      filters: { key: 'k' },
      forced: false,
    });
    // Progress at most once a second, and at the end.
    expect(stderr).toEqual(['replayed 20/25…', 'replayed 25/25']);
  });

  it('refuses messages replayed or parked before, unless forced', async () => {
    const { context, spec, sent, audit } = setup();
    await dispatch(context, spec({ planned: [plan(deadLetter(1), 'src')] }));
    const again = await dispatch(context, spec());
    expect(again.sent).toBe(2);
    expect(again.refused.map(({ planned, reason }) => [planned.message.offset, reason])).toEqual([
      [1, 'already replayed at 2026-03-01T10:00:00.000Z by alice'],
    ]);
    const forced = await dispatch(context, spec({ force: true }));
    expect(forced).toMatchObject({ sent: 3, refused: [] });
    expect(sent.flatMap((batch) => batch.messages)).toHaveLength(6);
    expect(audit.records.filter((record) => record.offset === 1).map((record) => record.forced)).toEqual([
      false,
      true,
    ]);
  });

  it('changes nothing on a dry run and reads the audit log read-only', async () => {
    const { context, spec, sent, audit, auditModes, prepared } = setup();
    const outcome = await dispatch(context, spec({ dryRun: true }));
    expect(outcome).toMatchObject({ dryRun: true, sent: 0 });
    expect(outcome.sendable.map((planned) => planned.message.offset)).toEqual([0, 1, 2]);
    expect(sent).toEqual([]);
    expect(prepared).toEqual([]);
    expect(audit.records).toEqual([]);
    expect(auditModes).toEqual(['read']);
  });

  it('skips messages without a target and records nothing for them', async () => {
    const { context, spec, audit } = setup();
    const outcome = await dispatch(
      context,
      spec({ planned: [plan(deadLetter(0), 'src'), plan(deadLetter(1), undefined, 'no original topic')] }),
    );
    expect(outcome.sent).toBe(1);
    expect(outcome.skipped.map((planned) => planned.problem)).toEqual(['no original topic']);
    expect(audit.records.map((record) => record.offset)).toEqual([0]);
  });

  it('records nothing when Kafka rejects a batch', async () => {
    const { context, spec, audit, failSends } = setup();
    failSends();
    await expect(dispatch(context, spec())).rejects.toThrow('broker down');
    expect(audit.records).toEqual([]);
  });

  it('stops between batches when interrupted', async () => {
    const { context, spec, controller } = setup();
    controller.abort();
    expect(await dispatch(context, spec())).toMatchObject({ sent: 0, aborted: true });
  });
});
