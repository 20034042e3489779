import { TokenBucket } from './rate-limiter';

describe('TokenBucket', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows a full burst at once, then makes callers wait for refills', () => {
    const bucket = new TokenBucket(10, clock);
    expect(bucket.capacity).toBe(10);
    for (let i = 0; i < 10; i++) expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(100);
    expect(bucket.reserve()).toBe(200);
  });

  it('refills with elapsed time, never beyond capacity', () => {
    const bucket = new TokenBucket(10, clock);
    expect(bucket.reserve(10)).toBe(0);
    now += 500;
    expect(bucket.reserve(5)).toBe(0);
    expect(bucket.reserve(1)).toBe(100);
    now += 60_000;
    expect(bucket.reserve(10)).toBe(0);
    expect(bucket.reserve(1)).toBe(100);
  });

  it('sustains the rate: 500 messages at 50/s take 9 s after the first second’s burst', () => {
    const bucket = new TokenBucket(50, clock);
    for (let sent = 0; sent < 500; sent += 5) {
      const wait = bucket.reserve(5);
      now += wait;
    }
    expect(now - 1_000_000).toBe(9_000);
  });

  it('handles rates below one per second', () => {
    const bucket = new TokenBucket(0.5, clock);
    expect(bucket.capacity).toBe(1);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(2_000);
  });

  it('rejects nonsense', () => {
    expect(() => new TokenBucket(0, clock)).toThrow('rate must be positive');
    expect(() => new TokenBucket(10, clock).reserve(11)).toThrow('capacity 10');
  });
});
