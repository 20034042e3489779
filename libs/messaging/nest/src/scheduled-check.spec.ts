import { Logger } from '@throughline/platform';

import { ScheduledCheck } from './scheduled-check';

class FlakyCheck extends ScheduledCheck {
  readonly outcomes: (Error | undefined)[] = [new Error('database unreachable'), undefined];
  runs = 0;

  constructor(logger: Logger) {
    super(1_000, logger, 'flaky check');
  }

  protected async check(): Promise<void> {
    this.runs += 1;
    const failure = this.outcomes.shift();
    if (failure) throw failure;
  }
}

describe('ScheduledCheck', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs a failed check, runs again on the next tick, and stops with the module', async () => {
    const warn = jest.fn();
    const check = new FlakyCheck({ warn } as unknown as Logger);
    check.onApplicationBootstrap();

    await jest.advanceTimersByTimeAsync(1_000);
    expect(check.runs).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      { error: expect.objectContaining({ message: 'database unreachable' }) },
      'flaky check failed; retrying next tick',
    );

    await jest.advanceTimersByTimeAsync(1_000);
    expect(check.runs).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);

    await check.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(check.runs).toBe(2);
  });
});
