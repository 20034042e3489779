import { AuditRecord, refusalReason } from './audit';

const record = (action: AuditRecord['action'], performedAt: string, actor: string): AuditRecord => ({
  id: 1,
  action,
  actor,
  performedAt: Date.parse(performedAt),
  dlqTopic: 'x.dlq',
  partition: 0,
  offset: 1,
  targetTopic: null,
  eventId: null,
  filters: {},
  reason: null,
  forced: false,
});

describe('refusalReason', () => {
  it('is undefined for a message never replayed or parked', () => {
    expect(refusalReason([])).toBeUndefined();
    expect(refusalReason([record('purge', '2026-03-01T10:00:00Z', 'bob')])).toBeUndefined();
  });

  it('names the latest replay or park', () => {
    expect(
      refusalReason([
        record('replay', '2026-03-01T10:00:00Z', 'alice'),
        record('park', '2026-03-01T11:00:00Z', 'bob'),
      ]),
    ).toBe('already parked at 2026-03-01T11:00:00.000Z by bob');
    expect(refusalReason([record('replay', '2026-03-01T10:00:00Z', 'alice')])).toBe(
      'already replayed at 2026-03-01T10:00:00.000Z by alice',
    );
  });
});
