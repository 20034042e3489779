/**
 * Token bucket: `ratePerSecond` tokens a second, bursting up to `capacity`. `reserve(n)` takes n
 * tokens (going into debt if need be) and says how long to wait before using them, so callers
 * sleep exactly as long as the rate requires and the clock stays injectable.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
    readonly capacity = Math.max(1, ratePerSecond),
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`rate must be positive, got ${ratePerSecond}`);
    if (!(capacity >= 1)) throw new Error(`capacity must be at least 1, got ${capacity}`);
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Reserves `count` tokens; returns the milliseconds to wait before they may be spent (0 = now). */
  reserve(count = 1): number {
    if (count > this.capacity)
      throw new Error(`cannot reserve ${count} tokens at once (capacity ${this.capacity})`);
    this.refill();
    this.tokens -= count;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1_000);
  }

  private refill(): void {
    const now = this.now();
    const elapsedMs = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1_000) * this.ratePerSecond);
    this.updatedAt = now;
  }
}
