import { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { describeError, Logger, PeriodicTask } from '@throughline/platform';

/**
 * A check run on a timer from application bootstrap until module destroy, which stops the timer and
 * waits for a running check, so the check never outlives the database client (closed on shutdown).
 * A failed check is logged and tried again on the next tick. Subclasses are Nest providers.
 */
export abstract class ScheduledCheck implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: PeriodicTask;

  protected constructor(
    intervalMs: number,
    protected readonly logger: Logger,
    /** Names the check in the failure log line, e.g. "SLA check". */
    private readonly checkName: string,
  ) {
    this.task = new PeriodicTask(intervalMs, () => this.runCheck());
  }

  protected abstract check(): Promise<void>;

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  private async runCheck(): Promise<void> {
    try {
      await this.check();
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, `${this.checkName} failed; retrying next tick`);
    }
  }
}
