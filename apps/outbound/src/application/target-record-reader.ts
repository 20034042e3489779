import { ExceptionOwnerRole } from '@throughline/contracts';

import { HeldRecord } from '../domain/reconciliation';

/**
 * Reads back what a target holds, for reconciliation (NetSuite implements it; a legacy system in a
 * dual-run migration would too). `read` throws a TransientError when the target cannot answer, so a
 * run never takes an unreachable target for a missing record.
 */
export interface TargetRecordReader {
  readonly target: string;
  /** Who must act on a difference. */
  readonly ownerRole: ExceptionOwnerRole;
  /** The record the target holds under Throughline's external id, or null when it holds none. */
  read(entityType: string, externalId: string): Promise<HeldRecord | null>;
}
