import { sampleEventRecord } from '@throughline/contracts/testing';

import {
  applyRaised,
  applyResolved,
  exceptionStatus,
  ExceptionRecord,
  groupByOwner,
} from './business-exception';

const raised = sampleEventRecord('BusinessExceptionRaised').data;
const resolved = sampleEventRecord('BusinessExceptionResolved').data;
const T1 = Date.UTC(2026, 0, 1, 9);
const T2 = Date.UTC(2026, 0, 1, 10);
const T3 = Date.UTC(2026, 0, 1, 11);

describe('exceptionStatus', () => {
  it('is open while the latest raise is newer than the latest resolution; a tie resolves', () => {
    expect(exceptionStatus(T1, null)).toBe('OPEN');
    expect(exceptionStatus(T2, T1)).toBe('OPEN');
    expect(exceptionStatus(T1, T2)).toBe('RESOLVED');
    expect(exceptionStatus(T1, T1)).toBe('RESOLVED');
    expect(exceptionStatus(null, T1)).toBe('UNRAISED');
  });
});

describe('applyRaised / applyResolved', () => {
  it('opens on a raise and resolves on a later resolution, keeping the deal', () => {
    const open = applyRaised(null, raised, T1);
    expect(open).toMatchObject({
      exceptionId: 'exc-1',
      status: 'OPEN',
      ownerRole: 'MASTER_DATA',
      code: 'MISSING_RATE_CARD',
      dealId: 'deal-1001',
      details: { legalEntityId: 'LE-UK', currency: 'EUR' },
      raisedAt: T1,
      resolvedAt: null,
    });
    // The resolution names no deal: the one known from the raise stays.
    expect(applyResolved(open, resolved, T2)).toMatchObject({
      status: 'RESOLVED',
      dealId: 'deal-1001',
      resolution: 'Rate card RC-UK-2025 created',
      resolvedAt: T2,
    });
  });

  it('ends resolved when the resolution is delivered before its raise', () => {
    const early = applyResolved(null, resolved, T2);
    expect(early).toMatchObject({ status: 'UNRAISED', ownerRole: null, dealId: null, resolvedAt: T2 });
    expect(applyRaised(early, raised, T1)).toMatchObject({
      status: 'RESOLVED',
      ownerRole: 'MASTER_DATA',
      code: 'MISSING_RATE_CARD',
      dealId: 'deal-1001',
      raisedAt: T1,
      resolvedAt: T2,
    });
  });

  it('reopens when the same exception is raised again after its resolution', () => {
    const reopened = applyRaised(
      applyResolved(applyRaised(null, raised, T1), resolved, T2),
      {
        ...raised,
        message: 'Still no rate card',
      },
      T3,
    );
    expect(reopened).toMatchObject({
      status: 'OPEN',
      message: 'Still no rate card',
      raisedAt: T3,
      resolvedAt: T2,
    });
  });

  it('keeps the newest description when an older raise arrives late', () => {
    const newer = applyRaised(null, { ...raised, message: 'newer' }, T2);
    expect(applyRaised(newer, { ...raised, message: 'older' }, T1)).toMatchObject({
      message: 'newer',
      raisedAt: T2,
    });
    const resolvedLater = applyResolved(newer, { ...resolved, resolution: 'later' }, T3);
    expect(applyResolved(resolvedLater, { ...resolved, resolution: 'earlier' }, T2)).toMatchObject({
      resolution: 'later',
      resolvedAt: T3,
    });
  });
});

describe('groupByOwner', () => {
  const record = (
    exceptionId: string,
    ownerRole: ExceptionRecord['ownerRole'],
    raisedAt: number,
    resolvedAt: number | null,
  ) => ({
    ...applyRaised(null, { ...raised, exceptionId, ownerRole: ownerRole ?? 'DELIVERY' }, raisedAt),
    ownerRole,
    resolvedAt,
    status: exceptionStatus(raisedAt, resolvedAt),
  });
  const records = [
    record('x-3', 'MASTER_DATA', T2, null),
    record('x-1', 'FINANCE_OPERATIONS', T1, null),
    record('x-2', 'MASTER_DATA', T1, null),
    record('x-4', 'MASTER_DATA', T1, T3),
    applyResolved(null, { ...resolved, exceptionId: 'x-5' }, T1),
  ];

  it('groups open exceptions by owner role, oldest first', () => {
    const { owners } = groupByOwner(records, 'open');
    expect(owners.map((o) => [o.ownerRole, o.count, o.exceptions.map((e) => e.exceptionId)])).toEqual([
      ['FINANCE_OPERATIONS', 1, ['x-1']],
      ['MASTER_DATA', 2, ['x-2', 'x-3']],
    ]);
    expect(owners[0].exceptions[0]).toEqual({
      exceptionId: 'x-1',
      status: 'OPEN',
      dealId: 'deal-1001',
      entityType: 'Contract',
      entityId: 'ctr-1',
      code: 'MISSING_RATE_CARD',
      message: 'No rate card for LE-UK in EUR effective 2025-03-31',
      remediation: 'Create or extend a rate card for LE-UK in the ERP',
      details: { legalEntityId: 'LE-UK', currency: 'EUR' },
      raisedAt: '2026-01-01T09:00:00.000Z',
      resolvedAt: null,
      resolution: null,
    });
  });

  it('lists resolved ones or all; never an exception whose raise has not arrived', () => {
    const resolvedOnly = groupByOwner(records, 'resolved').owners;
    expect(resolvedOnly).toHaveLength(1);
    expect(resolvedOnly[0].exceptions[0]).toMatchObject({
      exceptionId: 'x-4',
      status: 'RESOLVED',
      resolvedAt: '2026-01-01T11:00:00.000Z',
    });
    expect(groupByOwner(records, 'all').owners.map((o) => [o.ownerRole, o.count])).toEqual([
      ['FINANCE_OPERATIONS', 1],
      ['MASTER_DATA', 3],
    ]);
    expect(groupByOwner([], 'all')).toEqual({ owners: [] });
  });
});
