import { Inject, Injectable } from '@nestjs/common';

import { advisoryCheckLock, Logger, LOGGER, ScheduledCheck } from '@throughline/messaging-nest';

import { ProjectSetupService } from '../application/project-setup.service';
import { CONTRACT_DB, SETUP_CONFIG, SetupConfig } from '../application/tokens';
import { ContractDb } from '../infrastructure/contract-db';

/**
 * Checks setup deadlines on a timer, on one replica at a time (the others skip the tick). The
 * check's transaction also skips rows a handler has locked, and each overdue setup is declared once.
 */
@Injectable()
export class SetupDeadlineScheduler extends ScheduledCheck {
  constructor(
    private readonly setup: ProjectSetupService,
    @Inject(SETUP_CONFIG) config: SetupConfig,
    @Inject(CONTRACT_DB) db: ContractDb,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(config.deadlineCheckMs, logger, 'setup deadline check', advisoryCheckLock(db));
  }

  protected async check(): Promise<void> {
    const overdue = await this.setup.checkDeadlines();
    if (overdue > 0) this.logger.warn({ overdue }, 'project setups declared overdue');
  }
}
