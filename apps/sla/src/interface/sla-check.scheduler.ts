import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { Logger, LOGGER } from '@throughline/messaging-nest';
import { describeError, PeriodicTask } from '@throughline/platform';

import { SlaMonitorService } from '../application/sla-monitor.service';
import { SLA_SETTINGS, SlaSettings } from '../application/tokens';

/**
 * Checks running SLA clocks on a timer. Each check is one transaction that skips rows another
 * instance or a handler has locked, so several instances are safe. Stops (and waits for the running
 * check) on shutdown, before the database connection closes.
 */
@Injectable()
export class SlaCheckScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: PeriodicTask;

  constructor(
    private readonly monitor: SlaMonitorService,
    @Inject(SLA_SETTINGS) private readonly settings: SlaSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.task = new PeriodicTask(this.settings.checkIntervalMs, () => this.check());
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  private async check(): Promise<void> {
    try {
      const breached = await this.monitor.checkThresholds();
      if (breached > 0) this.logger.warn({ breached }, 'SLA breaches raised');
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, 'SLA check failed; retrying next tick');
    }
  }
}
