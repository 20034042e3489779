import { SharedReads } from './shared-reads';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedReads', () => {
  it('runs one read for concurrent requests of the same key and a new one once it settled', async () => {
    const reads = new SharedReads();
    const first = deferred<string>();
    const read = jest.fn().mockReturnValueOnce(first.promise).mockResolvedValueOnce('second');
    const answers = Promise.all([reads.share('summary:2026-11', read), reads.share('summary:2026-11', read)]);
    first.resolve('first');
    expect(await answers).toEqual(['first', 'first']);
    expect(await reads.share('summary:2026-11', read)).toBe('second');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps different keys apart', async () => {
    const reads = new SharedReads();
    const answers = await Promise.all([reads.share('a', async () => 'A'), reads.share('b', async () => 'B')]);
    expect(answers).toEqual(['A', 'B']);
  });

  it('gives every waiting request the failure, and reads again afterwards', async () => {
    const reads = new SharedReads();
    const failing = deferred<string>();
    const waiting = [reads.share('k', () => failing.promise), reads.share('k', () => failing.promise)];
    failing.reject(new Error('database down'));
    for (const answer of waiting) await expect(answer).rejects.toThrow('database down');
    expect(await reads.share('k', async () => 'recovered')).toBe('recovered');
  });
});
