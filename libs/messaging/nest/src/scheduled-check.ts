import { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { PrismaRawClient } from '@throughline/persistence';
import { describeError, Logger, PeriodicTask } from '@throughline/platform';

/** Runs a check on one replica at a time. */
export interface CheckLock {
  /** Runs `work` unless another replica is running the check named `checkName`; false when skipped. */
  runAlone(checkName: string, work: () => Promise<void>): Promise<boolean>;
}

/** Structural type of a Prisma client: an interactive transaction that runs raw SQL. */
export interface CheckLockClient {
  $transaction<R>(
    work: (tx: PrismaRawClient) => Promise<R>,
    options?: { timeout?: number; maxWait?: number },
  ): Promise<R>;
}

/** Longer than any check should take; past it the lock is released and another replica may start. */
const CHECK_LOCK_TIMEOUT_MS = 10 * 60_000;

/**
 * A check lock shared by every replica on the service's database: a transaction-level
 * `pg_try_advisory_xact_lock` on a key derived from the check's name, held in a transaction that
 * stays open while the check runs (on its own connections). A replica that ticks meanwhile skips
 * its tick instead of queueing behind it; a replica that dies mid-check releases the lock with its
 * connection.
 */
export function advisoryCheckLock(db: CheckLockClient, timeoutMs = CHECK_LOCK_TIMEOUT_MS): CheckLock {
  return {
    runAlone: (checkName, work) =>
      db.$transaction(
        async (tx) => {
          const [{ locked }] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
            'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
            `scheduled_check:${checkName}`,
          );
          if (!locked) return false;
          await work();
          return true;
        },
        { timeout: timeoutMs },
      ),
  };
}

/**
 * A check run on a timer from application bootstrap until module destroy, which stops the timer and
 * waits for a running check, so the check never outlives the database client (closed on shutdown).
 * Each tick runs the check on one replica only: through `lock`, a replica that ticks while another
 * runs the check skips that tick. A failed check is logged and tried again on the next tick.
 * Subclasses are Nest providers.
 */
export abstract class ScheduledCheck implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: PeriodicTask;

  protected constructor(
    intervalMs: number,
    protected readonly logger: Logger,
    /** Names the check in the failure log line, e.g. "SLA check", and keys its lock. */
    private readonly checkName: string,
    private readonly lock: CheckLock,
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
      await this.lock.runAlone(this.checkName, () => this.check());
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, `${this.checkName} failed; retrying next tick`);
    }
  }
}
