import { Inject, Injectable } from '@nestjs/common';

import { Logger, LOGGER, ScheduledCheck } from '@throughline/messaging-nest';

import { SlaMonitorService } from '../application/sla-monitor.service';
import { SLA_SETTINGS, SlaSettings } from '../application/tokens';

/**
 * Checks running SLA clocks on a timer. Each check is one transaction that skips rows another
 * instance or a handler has locked, so several instances are safe.
 */
@Injectable()
export class SlaCheckScheduler extends ScheduledCheck {
  constructor(
    private readonly monitor: SlaMonitorService,
    @Inject(SLA_SETTINGS) settings: SlaSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(settings.checkIntervalMs, logger, 'SLA check');
  }

  protected async check(): Promise<void> {
    const breached = await this.monitor.checkThresholds();
    if (breached > 0) this.logger.warn({ breached }, 'SLA breaches raised');
  }
}
