import { Clock, TokenBucket } from './token-bucket';

function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('lets a burst through, then paces callers at the rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 10, clock);
    for (let i = 0; i < 10; i++) await bucket.take();
    expect(clock.slept).toEqual([]);
    await bucket.take();
    await bucket.take();
    expect(clock.slept).toEqual([100, 100]);
    expect(clock.now()).toBe(200);
  });

  it('refills with idle time but never beyond its capacity', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, 2, clock);
    await bucket.take();
    await bucket.take();
    await clock.sleep(10_000);
    clock.slept.length = 0;
    await bucket.take();
    await bucket.take();
    expect(clock.slept).toEqual([]);
    await bucket.take();
    expect(clock.slept).toEqual([500]);
  });

  it('keeps 25 requests at 10/s with a burst of 10 to at least 1.5 s', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 10, clock);
    for (let i = 0; i < 25; i++) await bucket.take();
    expect(clock.now()).toBe(1_500);
  });
});
