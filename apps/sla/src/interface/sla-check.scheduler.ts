import { Inject, Injectable } from '@nestjs/common';

import { advisoryCheckLock, Logger, LOGGER, ScheduledCheck } from '@throughline/messaging-nest';

import { SlaMonitorService } from '../application/sla-monitor.service';
import { SLA_DB, SLA_SETTINGS, SlaSettings } from '../application/tokens';
import { SlaDb } from '../infrastructure/sla-db';

/**
 * Checks running SLA clocks on a timer, on one replica at a time (the others skip the tick). The
 * check's transaction also skips clocks a handler has locked, and each breach is raised once.
 */
@Injectable()
export class SlaCheckScheduler extends ScheduledCheck {
  constructor(
    private readonly monitor: SlaMonitorService,
    @Inject(SLA_SETTINGS) settings: SlaSettings,
    @Inject(SLA_DB) db: SlaDb,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(settings.checkIntervalMs, logger, 'SLA check', advisoryCheckLock(db));
  }

  protected async check(): Promise<void> {
    const breached = await this.monitor.checkThresholds();
    if (breached > 0) this.logger.warn({ breached }, 'SLA breaches raised');
  }
}
