import { exceptionRaised, exceptionResolved, ExceptionDescription, reconcileGaps } from './exceptions';

const gap = (exceptionId: string, overrides: Partial<ExceptionDescription> = {}): ExceptionDescription => ({
  exceptionId,
  code: 'MISSING_RATE_CARD',
  ownerRole: 'SALES_OPERATIONS',
  message: `message of ${exceptionId}`,
  remediation: 'PUT /erp/rate-cards/RC-1',
  details: { legalEntityId: 'LE-DE', currency: 'EUR' },
  ...overrides,
});

describe('reconcileGaps', () => {
  it('raises new gaps, resolves fixed ones and leaves unchanged ones alone', () => {
    const changes = reconcileGaps([gap('A'), gap('B')], [gap('B'), gap('C')]);
    expect(changes.raised.map((g) => g.exceptionId)).toEqual(['C']);
    expect(changes.resolved.map((g) => g.exceptionId)).toEqual(['A']);
  });

  it('raises an open gap again (same id) when what the owner must do changed', () => {
    const changes = reconcileGaps([gap('A')], [gap('A', { message: 'now something else' })]);
    expect(changes).toEqual({ raised: [gap('A', { message: 'now something else' })], resolved: [] });
  });

  it('ignores the order of detail keys', () => {
    const reordered = gap('A', { details: { currency: 'EUR', legalEntityId: 'LE-DE' } });
    expect(reconcileGaps([gap('A')], [reordered])).toEqual({ raised: [], resolved: [] });
  });

  it('resolves everything when the deal has no gaps left', () => {
    expect(reconcileGaps([gap('A'), gap('B')], []).resolved).toHaveLength(2);
  });
});

describe('exception events', () => {
  it('raises an exception about the deal', () => {
    expect(exceptionRaised('D-1', gap('D-1:MISSING_RATE_CARD:LE-DE/EUR'))).toEqual({
      type: 'BusinessExceptionRaised',
      data: {
        exceptionId: 'D-1:MISSING_RATE_CARD:LE-DE/EUR',
        ownerRole: 'SALES_OPERATIONS',
        entityType: 'Deal',
        entityId: 'D-1',
        dealId: 'D-1',
        code: 'MISSING_RATE_CARD',
        message: 'message of D-1:MISSING_RATE_CARD:LE-DE/EUR',
        remediation: 'PUT /erp/rate-cards/RC-1',
        details: { legalEntityId: 'LE-DE', currency: 'EUR' },
      },
    });
  });

  it('resolves it with a reason', () => {
    expect(exceptionResolved('D-1', 'X', 'fixed')).toEqual({
      type: 'BusinessExceptionResolved',
      data: { exceptionId: 'X', entityType: 'Deal', entityId: 'D-1', dealId: 'D-1', resolution: 'fixed' },
    });
  });
});
