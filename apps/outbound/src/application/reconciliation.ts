import { Inject, Injectable } from '@nestjs/common';

import { EventRecord } from '@throughline/contracts';
import { commit, createEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';
import { prismaExecutor, takeAdvisoryLocks } from '@throughline/persistence';
import { ValidationError } from '@throughline/platform';

import { netSuiteExpected } from '../domain/netsuite-reconciliation';
import { NETSUITE_ENTITY } from '../domain/netsuite-records';
import {
  DIFFERENCE_KINDS,
  DifferenceKind,
  exceptionChanges,
  HeldRecord,
  reconcile,
  RecordDifference,
} from '../domain/reconciliation';
import { OutboundDb } from '../infrastructure/outbound-db';
import { OUTBOUND_DB } from './outbound-delivery';
import { TargetRecordReader } from './target-record-reader';

/** The reader of the ERP's records (the NetSuite connector), or null when NetSuite is not configured. */
export const ERP_RECORD_READER = Symbol('ERP_RECORD_READER');

export const RECONCILED_ENTITY_TYPES = [
  NETSUITE_ENTITY.customer,
  NETSUITE_ENTITY.project,
  NETSUITE_ENTITY.invoice,
] as const;
export type ReconciledEntityType = (typeof RECONCILED_ENTITY_TYPES)[number];

export interface ReconciliationRequest {
  target: 'netsuite';
  entityTypes: readonly ReconciledEntityType[];
}

export interface ReconciliationReport {
  target: string;
  entityTypes: readonly string[];
  ranAt: string;
  /** Records Throughline sent (status SENT) and compared. */
  compared: number;
  /** Of those, the records the target holds as sent. */
  agreeing: number;
  counts: Record<DifferenceKind, number>;
  differences: RecordDifference[];
  /** Business exceptions this run raised (new differences) and resolved (differences gone). */
  raised: string[];
  resolved: string[];
}

const SOURCE = 'outbound';
/** Records read from the target at once; the target's client limits the calls in flight further. */
const READ_BATCH = 20;

/**
 * Compares what Throughline sent to the ERP (the payload of each SENT outbound_call) with what the
 * ERP holds, raises a business exception per new difference for the target's owner and resolves
 * those a later run finds fixed. Runs on demand (POST /reconciliations) and on a schedule.
 */
@Injectable()
export class Reconciliation {
  constructor(
    @Inject(OUTBOUND_DB) private readonly db: OutboundDb,
    @Inject(ERP_RECORD_READER) private readonly reader: TargetRecordReader | null,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(request: ReconciliationRequest): Promise<ReconciliationReport> {
    const reader = this.reader;
    if (!reader || reader.target !== request.target) {
      throw new ValidationError(
        `${request.target} is not configured (NETSUITE_ACCOUNT_ID); nothing to reconcile`,
      );
    }
    const entityTypes = [...new Set(request.entityTypes)];
    const rows = await this.db.outboundCall.findMany({
      where: { target: reader.target, entityType: { in: entityTypes }, status: 'SENT' },
      orderBy: [{ entityType: 'asc' }, { externalId: 'asc' }],
    });
    const held: HeldRecord[] = [];
    for (let start = 0; start < rows.length; start += READ_BATCH) {
      const batch = rows.slice(start, start + READ_BATCH);
      const answers = await Promise.all(batch.map((row) => reader.read(row.entityType, row.externalId)));
      held.push(...answers.filter((answer): answer is HeldRecord => answer !== null));
    }
    const differences = reconcile(rows.map(netSuiteExpected), held);
    const ranAt = new Date();

    let raised: string[] = [];
    let resolved: string[] = [];
    await commit(this.db, async (tx) => {
      // Overlapping runs (scheduled and on demand) decide one after the other: no exception twice.
      await takeAdvisoryLocks(prismaExecutor(tx), [
        { rank: 0, key: `outbound:reconcile:${reader.target}`, mode: 'exclusive' },
      ]);
      const open = await tx.reconciliationException.findMany({
        where: { target: reader.target, entityType: { in: entityTypes }, resolvedAt: null },
      });
      const changes = exceptionChanges(reader.target, open, differences);
      for (const { exceptionId, difference } of changes.raise) {
        const row = {
          target: reader.target,
          entityType: difference.entityType,
          externalId: difference.externalId,
          kind: difference.kind,
          raisedAt: ranAt,
          resolvedAt: null,
        };
        await tx.reconciliationException.upsert({
          where: { exceptionId },
          create: { exceptionId, ...row },
          update: row,
        });
      }
      if (changes.resolve.length > 0) {
        await tx.reconciliationException.updateMany({
          where: { exceptionId: { in: changes.resolve.map((row) => row.exceptionId) } },
          data: { resolvedAt: ranAt },
        });
      }
      raised = changes.raise.map((change) => change.exceptionId);
      resolved = changes.resolve.map((row) => row.exceptionId);
      return [
        ...changes.raise.map(({ exceptionId, difference }) => raisedEvent(reader, exceptionId, difference)),
        ...changes.resolve.map((row) => resolvedEvent(reader.target, row)),
      ];
    });

    const counts = Object.fromEntries(
      DIFFERENCE_KINDS.map((kind) => [
        kind,
        differences.filter((difference) => difference.kind === kind).length,
      ]),
    ) as Record<DifferenceKind, number>;
    const differing = new Set(
      differences.map((difference) => `${difference.entityType}/${difference.externalId}`),
    );
    const report: ReconciliationReport = {
      target: reader.target,
      entityTypes,
      ranAt: ranAt.toISOString(),
      compared: rows.length,
      agreeing: rows.filter((row) => !differing.has(`${row.entityType}/${row.externalId}`)).length,
      counts,
      differences,
      raised,
      resolved,
    };
    this.logger.info(
      {
        target: report.target,
        compared: report.compared,
        counts,
        raised: raised.length,
        resolved: resolved.length,
      },
      'reconciliation run',
    );
    return report;
  }
}

const REMEDIATION: Record<DifferenceKind, string> = {
  MISSING_IN_ERP:
    'Find out why the ERP no longer holds the record (deleted or never created); recreate it by replaying the source event with the ops CLI, or correct it in Throughline',
  AMOUNT_DIFFERS:
    'Compare the ERP record with Throughline; correct an issued invoice with a credit note in Throughline, not by editing the ERP invoice',
  STATUS_DIFFERS:
    'Check who changed the record in the ERP (e.g. voided an invoice or made a customer inactive) and align both sides',
  UNKNOWN_IN_THROUGHLINE:
    'The ERP holds a record under a Throughline external id that Throughline never sent; check where it came from',
};

function raisedEvent(
  reader: TargetRecordReader,
  exceptionId: string,
  difference: RecordDifference,
): EventRecord<'BusinessExceptionRaised'> {
  const sides = `Throughline ${difference.expected ?? 'none'}, ${reader.target} ${difference.actual ?? 'none'}`;
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId,
      ownerRole: reader.ownerRole,
      entityType: difference.entityType,
      entityId: difference.externalId,
      dealId: null,
      code: difference.kind,
      message: `Reconciliation with ${reader.target}: ${difference.entityType} ${difference.externalId} ${describe(difference.kind)} (${sides})`,
      remediation: REMEDIATION[difference.kind],
      details: {
        target: reader.target,
        targetRecordId: difference.targetRecordId,
        expected: difference.expected ?? '',
        actual: difference.actual ?? '',
      },
    },
    { source: SOURCE },
  );
}

function resolvedEvent(
  target: string,
  row: { exceptionId: string; entityType: string; externalId: string; kind: string },
): EventRecord<'BusinessExceptionResolved'> {
  return createEvent(
    'BusinessExceptionResolved',
    {
      exceptionId: row.exceptionId,
      entityType: row.entityType,
      entityId: row.externalId,
      dealId: null,
      resolution: `Reconciliation with ${target} no longer finds ${row.kind}`,
    },
    { source: SOURCE },
  );
}

function describe(kind: DifferenceKind): string {
  switch (kind) {
    case 'MISSING_IN_ERP':
      return 'is missing in the ERP';
    case 'AMOUNT_DIFFERS':
      return 'has a different amount';
    case 'STATUS_DIFFERS':
      return 'has a different status';
    case 'UNKNOWN_IN_THROUGHLINE':
      return 'is unknown in Throughline';
  }
}
