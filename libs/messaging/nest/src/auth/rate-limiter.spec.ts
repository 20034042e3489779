import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('lets a burst through, then refuses with the seconds until the next token', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, clock);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    // Empty bucket at 2 tokens/s: the next token is 0.5 s away, answered as 1 s (whole seconds).
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('keeps one bucket per client', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('refills no higher than the burst, however long the client was quiet', () => {
    const limiter = new RateLimiter({ perSecond: 10, burst: 2 }, clock);
    limiter.take('a');
    now += 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, false]);
  });

  it('asks a slow-rate client to wait as long as its next token takes', () => {
    const limiter = new RateLimiter({ perSecond: 0.1, burst: 1 }, clock);
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('forgets the least recently seen clients beyond its bound', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c'); // evicts b, the least recently seen
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });
});
