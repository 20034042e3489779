import { setTimeout as sleep } from 'node:timers/promises';

export interface Progress {
  done: boolean;
  /** What has been reached so far, for the progress line. */
  status: string;
}

export interface WaitOptions {
  timeoutMs: number;
  print: (line: string) => void;
  pollMs?: number;
  /** How often a progress line is printed while waiting. */
  reportEveryMs?: number;
}

/**
 * Polls `check` until it reports done, printing its status now and then; returns Date.now() at the
 * poll that saw it done. Fails with the last status at the timeout.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<Progress>,
  options: WaitOptions,
): Promise<number> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let lastReport = started;
  for (;;) {
    const progress = await check();
    const now = Date.now();
    if (progress.done) return now;
    if (now > deadline)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}: ${progress.status}`);
    if (now - lastReport >= (options.reportEveryMs ?? 5_000)) {
      options.print(`   … ${what}: ${progress.status} (${((now - started) / 1000).toFixed(0)} s)`);
      lastReport = now;
    }
    await sleep(options.pollMs ?? 250);
  }
}

/**
 * Repeats a request the service answered 503 ("temporarily unavailable, retry later", e.g. a lock or
 * transaction timeout on a loaded machine), as a client would, up to `attempts` times.
 */
export async function retryUnavailable<T extends { status: number }>(
  call: () => Promise<T>,
  attempts = 10,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const result = await call();
    if (result.status !== 503 || attempt >= attempts) return result;
    await sleep(250 * attempt);
  }
}
