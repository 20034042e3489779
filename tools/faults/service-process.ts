import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { RunningService, ServiceName, startServices } from '../demo/services';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ServiceProcessSettings {
  service: ServiceName;
  /** Each process lifetime logs to its own folder under this one. */
  logDir: string;
  env: NodeJS.ProcessEnv;
  /** How long `start()` keeps trying when the process exits during start (default 120 s). */
  startWithinMs?: number;
}

/**
 * A service (staffing, billing) as a supervised child process, as an orchestrator runs it: a process that
 * exits unexpectedly is recorded as a crash and started again; one that exits while starting
 * (e.g. its database is unreachable) is started again until `startWithinMs` passes.
 */
export class ServiceProcess {
  /** Unexpected exits, each with the reason found at the end of its log. */
  readonly crashes: string[] = [];
  /** Processes that exited while starting, each with the last line of its log. */
  readonly failedStarts: string[] = [];
  private current: RunningService | undefined;
  private lifetimes = 0;
  private attempts = 0;
  private stopping = false;
  private restarting: Promise<void> | undefined;
  private disposed = false;

  constructor(private readonly settings: ServiceProcessSettings) {}

  /** Process lifetimes that got ready (restarts included). */
  get runs(): number {
    return this.lifetimes;
  }

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  /** Starts a process and waits until it is ready, which includes joining its consumer group. */
  async start(): Promise<void> {
    const deadline = Date.now() + (this.settings.startWithinMs ?? 120_000);
    for (;;) {
      const { service: name } = this.settings;
      const logDir = join(this.settings.logDir, `${name}-${++this.attempts}`);
      try {
        const [service] = await startServices([name], {
          freePorts: true,
          logDir,
          readyTimeoutMs: 120_000,
          env: this.settings.env,
        });
        if (!service) throw new Error(`${name} did not start`);
        if (this.disposed) {
          await service.stop('SIGKILL');
          return;
        }
        this.current = service;
        this.lifetimes++;
        this.watch(service);
        return;
      } catch (error) {
        const message = (error as Error).message;
        if (this.disposed || !/exited with code/.test(message) || Date.now() > deadline) throw error;
        this.failedStarts.push(message.trimEnd().split('\n').slice(-1)[0] ?? message);
        await sleep(1_000);
      }
    }
  }

  /** Stops the process with `signal` (SIGKILL: kill -9) and waits until it is gone. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const service = this.current;
    if (!service) return;
    this.stopping = true;
    try {
      await service.stop(signal);
    } finally {
      this.current = undefined;
      this.stopping = false;
    }
  }

  /** Waits for a restart after a crash, if one is in progress. */
  async settled(): Promise<void> {
    await this.restarting;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.restarting;
    await this.stop('SIGKILL');
  }

  private watch(service: RunningService): void {
    service.process.once('exit', (code, signal) => {
      if (this.current !== service || this.stopping || this.disposed) return;
      this.current = undefined;
      this.crashes.push(`exit ${code ?? signal}: ${crashReason(service.logFile)}`);
      this.restarting = this.start()
        .catch(() => undefined)
        .finally(() => (this.restarting = undefined));
    });
  }
}

/** The error an exited Node process printed last (an uncaught exception or unhandled 'error' event). */
export function crashReason(logFile: string): string {
  let lines: string[];
  try {
    lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  } catch {
    return '(no log)';
  }
  const emitted = lines.find((line) => line.startsWith("Emitted 'error' event on"));
  const error = lines.find((line) => /^(<ref \*\d+> )?\w*Error\b/.test(line));
  if (error || emitted) {
    return [error?.replace(/^<ref \*\d+> /, ''), emitted?.replace(/ at:$/, '')].filter(Boolean).join('; ');
  }
  return (lines.at(-1) ?? '').slice(0, 300);
}
