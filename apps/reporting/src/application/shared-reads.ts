/**
 * Request coalescing: concurrent requests for the same answer share one read instead of each
 * running the same queries (100 dashboards asking for this month's summary at once cost one
 * snapshot). A request that arrives while the read runs gets that read's answer, which is at most
 * as old as the read's duration; nothing is kept once it settles, so the next request reads again.
 */
export class SharedReads {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  share<T>(key: string, read: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const started = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}
