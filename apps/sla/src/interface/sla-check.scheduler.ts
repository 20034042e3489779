import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { Logger, LOGGER } from '@throughline/messaging-nest';
import { describeError } from '@throughline/platform';

import { SlaMonitorService } from '../application/sla-monitor.service';
import { SLA_SETTINGS, SlaSettings } from '../application/tokens';

/**
 * Checks running SLA clocks on a timer. Each check is one transaction that skips rows another
 * instance or a handler has locked, so several instances are safe. Stops (and waits for the running
 * check) on shutdown, before the database connection closes.
 */
@Injectable()
export class SlaCheckScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly monitor: SlaMonitorService,
    @Inject(SLA_SETTINGS) private readonly settings: SlaSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // A slow check is not run over by the next tick.
      this.running ??= this.check().finally(() => (this.running = undefined));
    }, this.settings.checkIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
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
