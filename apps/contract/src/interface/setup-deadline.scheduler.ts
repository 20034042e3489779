import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { Logger, LOGGER } from '@throughline/messaging-nest';
import { describeError, PeriodicTask } from '@throughline/platform';

import { ProjectSetupService } from '../application/project-setup.service';
import { SETUP_CONFIG, SetupConfig } from '../application/tokens';

/**
 * Checks setup deadlines on a timer. Each check is one transaction that skips rows another
 * instance has locked, so running several instances is safe. Stops (and waits for the running
 * check) on shutdown, before the database connection closes.
 */
@Injectable()
export class SetupDeadlineScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: PeriodicTask;

  constructor(
    private readonly setup: ProjectSetupService,
    @Inject(SETUP_CONFIG) private readonly config: SetupConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.task = new PeriodicTask(this.config.deadlineCheckMs, () => this.check());
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  private async check(): Promise<void> {
    try {
      const overdue = await this.setup.checkDeadlines();
      if (overdue > 0) this.logger.warn({ overdue }, 'project setups declared overdue');
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, 'setup deadline check failed; retrying next tick');
    }
  }
}
