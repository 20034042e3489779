export interface CircuitBreakerSettings {
  /** Transient failures in a row (timeouts, network errors, 5xx) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before it lets one trial call through. */
  openMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * The circuit of one target. Closed: calls go through and consecutive transient failures are
 * counted. Open (after `failureThreshold` of them): calls are refused at once for `openMs`, so a
 * target that is down is not hammered and events go to the retry tiers without waiting for
 * timeouts. Then half-open: one trial call goes through; its success closes the circuit, its
 * failure opens it again. An answer with a verdict on the data (2xx, 4xx) counts as success: the
 * target is up.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.settings.openMs ? 'half-open' : 'open';
  }

  /** Whether a call may go out now; undefined, or the milliseconds until the circuit lets one through. */
  refusal(): number | undefined {
    const state = this.state;
    if (state === 'closed') return undefined;
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return undefined;
    }
    const openedAt = this.openedAt as number;
    return Math.max(1, openedAt + this.settings.openMs - this.now());
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  failed(): void {
    this.failures += 1;
    if (this.trialInFlight || this.failures >= this.settings.failureThreshold) {
      this.openedAt = this.now();
      this.trialInFlight = false;
    }
  }
}
