import { Inject, Injectable } from '@nestjs/common';

import { Logger, LOGGER, ScheduledCheck } from '@throughline/messaging-nest';

import { ProjectSetupService } from '../application/project-setup.service';
import { SETUP_CONFIG, SetupConfig } from '../application/tokens';

/**
 * Checks setup deadlines on a timer. Each check is one transaction that skips rows another
 * instance has locked, so running several instances is safe.
 */
@Injectable()
export class SetupDeadlineScheduler extends ScheduledCheck {
  constructor(
    private readonly setup: ProjectSetupService,
    @Inject(SETUP_CONFIG) config: SetupConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(config.deadlineCheckMs, logger, 'setup deadline check');
  }

  protected async check(): Promise<void> {
    const overdue = await this.setup.checkDeadlines();
    if (overdue > 0) this.logger.warn({ overdue }, 'project setups declared overdue');
  }
}
