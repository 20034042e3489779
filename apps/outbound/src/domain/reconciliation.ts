/**
 * Reconciliation: what Throughline expects a system to hold against what it holds, record by
 * record (by external id), as a list of differences. Amounts are compared as exact decimal text,
 * never as floating-point numbers. Nothing here knows NetSuite: the same comparison serves a
 * dual-run migration (a legacy system's invoices against Throughline's).
 */

export const DIFFERENCE_KINDS = [
  'MISSING_IN_ERP',
  'AMOUNT_DIFFERS',
  'STATUS_DIFFERS',
  'UNKNOWN_IN_THROUGHLINE',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** What Throughline expects the other system to hold for one record. */
export interface ExpectedRecord {
  entityType: string;
  externalId: string;
  /** The record's id in the other system, as far as Throughline knows it. */
  targetRecordId: string;
  /** Decimal text (`1314.50`); absent when the record has no amount or it is not known. */
  amount?: string;
  /** The statuses that agree with Throughline (an issued invoice may be open or paid). */
  statuses?: readonly string[];
}

/** What the other system holds for one record. */
export interface HeldRecord {
  entityType: string;
  externalId: string;
  targetRecordId: string;
  amount?: string;
  status?: string;
}

export interface RecordDifference {
  kind: DifferenceKind;
  entityType: string;
  externalId: string;
  /** The other system's id, when it holds the record (else what Throughline knows of it). */
  targetRecordId: string;
  /** Throughline's side: decimal text, the accepted statuses (`OPEN|PAID_IN_FULL`), or null. */
  expected: string | null;
  /** The other system's side, or null when it does not hold the record. */
  actual: string | null;
}

const key = (record: { entityType: string; externalId: string }) =>
  `${record.entityType}\u0000${record.externalId}`;

/**
 * Compares record by record. `held` holds what the other system answered for the expected records
 * and, when it can list them, the records it holds under Throughline-style external ids: a held
 * record nobody expected is UNKNOWN_IN_THROUGHLINE. Differences come sorted by entity type,
 * external id and kind, so a report reads the same on every run.
 */
export function reconcile(
  expected: readonly ExpectedRecord[],
  held: readonly HeldRecord[],
): RecordDifference[] {
  const heldByKey = new Map(held.map((record) => [key(record), record]));
  const expectedKeys = new Set(expected.map(key));
  const differences: RecordDifference[] = [];
  for (const record of expected) {
    const actual = heldByKey.get(key(record));
    const base = { entityType: record.entityType, externalId: record.externalId };
    if (!actual) {
      differences.push({
        ...base,
        kind: 'MISSING_IN_ERP',
        targetRecordId: record.targetRecordId,
        expected: record.amount ?? null,
        actual: null,
      });
      continue;
    }
    if (
      record.amount !== undefined &&
      (actual.amount === undefined || !sameDecimal(record.amount, actual.amount))
    ) {
      differences.push({
        ...base,
        kind: 'AMOUNT_DIFFERS',
        targetRecordId: actual.targetRecordId,
        expected: record.amount,
        actual: actual.amount ?? null,
      });
    }
    if (record.statuses && !(actual.status !== undefined && record.statuses.includes(actual.status))) {
      differences.push({
        ...base,
        kind: 'STATUS_DIFFERS',
        targetRecordId: actual.targetRecordId,
        expected: record.statuses.join('|'),
        actual: actual.status ?? null,
      });
    }
  }
  for (const record of held) {
    if (expectedKeys.has(key(record))) continue;
    differences.push({
      kind: 'UNKNOWN_IN_THROUGHLINE',
      entityType: record.entityType,
      externalId: record.externalId,
      targetRecordId: record.targetRecordId,
      expected: null,
      actual: record.amount ?? record.status ?? null,
    });
  }
  return differences.sort(
    (a, b) =>
      a.entityType.localeCompare(b.entityType) ||
      a.externalId.localeCompare(b.externalId) ||
      DIFFERENCE_KINDS.indexOf(a.kind) - DIFFERENCE_KINDS.indexOf(b.kind),
  );
}

/** The business exception of one difference: the same id on every run while it lasts. */
export function reconciliationExceptionId(target: string, difference: RecordDifference): string {
  return `EXC-REC-${target}-${difference.entityType}-${difference.externalId}-${difference.kind}`;
}

/**
 * What a run changes in the open exceptions of the records it compared: a difference without an
 * open exception is raised; an open exception whose difference is gone is resolved; one still
 * there stays open and is not raised again.
 */
export function exceptionChanges<Open extends { exceptionId: string }>(
  target: string,
  open: readonly Open[],
  differences: readonly RecordDifference[],
): { raise: { exceptionId: string; difference: RecordDifference }[]; resolve: Open[] } {
  const current = new Map(
    differences.map((difference) => [reconciliationExceptionId(target, difference), difference]),
  );
  const openIds = new Set(open.map((row) => row.exceptionId));
  return {
    raise: [...current]
      .filter(([exceptionId]) => !openIds.has(exceptionId))
      .map(([exceptionId, difference]) => ({ exceptionId, difference })),
    resolve: open.filter((row) => !current.has(row.exceptionId)),
  };
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Whether two decimal texts are the same number (`1314.5` = `1314.50`), exactly. */
export function sameDecimal(a: string, b: string): boolean {
  const [left, right] = [decimalParts(a), decimalParts(b)];
  const scale = Math.max(left.scale, right.scale);
  return left.units * 10n ** BigInt(scale - left.scale) === right.units * 10n ** BigInt(scale - right.scale);
}

/** Sum of decimal texts, exactly, with as many fraction digits as the longest (`0.1` + `0.20` = `0.30`). */
export function sumDecimals(values: readonly string[]): string {
  const parts = values.map(decimalParts);
  const scale = Math.max(0, ...parts.map((part) => part.scale));
  const total = parts.reduce((sum, part) => sum + part.units * 10n ** BigInt(scale - part.scale), 0n);
  const sign = total < 0n ? '-' : '';
  const digits = (total < 0n ? -total : total).toString().padStart(scale + 1, '0');
  return scale === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function decimalParts(text: string): { units: bigint; scale: number } {
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a decimal number: "${text}"`);
  const [, sign, whole = '0', fraction = ''] = match;
  const units = BigInt(`${whole}${fraction}`);
  return { units: sign === '-' ? -units : units, scale: fraction.length };
}
