import { Inject, Injectable } from '@nestjs/common';

import { advisoryCheckLock, Logger, LOGGER, ScheduledCheck } from '@throughline/messaging-nest';

import { OUTBOUND_DB } from '../application/outbound-delivery';
import { RECONCILED_ENTITY_TYPES, Reconciliation } from '../application/reconciliation';
import { OutboundDb } from '../infrastructure/outbound-db';

/** OUTBOUND_RECONCILE_INTERVAL_MS (the schedule is only registered when it is set). */
export const RECONCILE_INTERVAL_MS = Symbol('RECONCILE_INTERVAL_MS');

/**
 * Runs the on-demand reconciliation with NetSuite (every record type) on a timer, on one replica at
 * a time. A failed run (e.g. NetSuite unreachable) is logged and tried again on the next tick.
 */
@Injectable()
export class ReconciliationSchedule extends ScheduledCheck {
  constructor(
    private readonly reconciliation: Reconciliation,
    @Inject(RECONCILE_INTERVAL_MS) intervalMs: number,
    @Inject(OUTBOUND_DB) db: OutboundDb,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(intervalMs, logger, 'NetSuite reconciliation', advisoryCheckLock(db));
  }

  protected async check(): Promise<void> {
    await this.reconciliation.run({ target: 'netsuite', entityTypes: RECONCILED_ENTITY_TYPES });
  }
}
