import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { Registry } from 'prom-client';

import { eventually } from '@throughline/messaging/testing';
import { createLogger, isRetriable, TransientError } from '@throughline/platform';

import { OutboundMetrics } from './outbound-metrics';
import { TargetHttpClient, TargetHttpOptions } from './target-http-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('TargetHttpClient', () => {
  let server: Server;
  let url: string;
  let handler: Handler;
  let arrivals: number[];
  let metrics: OutboundMetrics;

  beforeEach(async () => {
    arrivals = [];
    metrics = new OutboundMetrics(new Registry());
    server = createServer((req, res) => {
      arrivals.push(Date.now());
      req.resume();
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deals/1`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (options: Partial<TargetHttpOptions> = {}) =>
    new TargetHttpClient({
      target: 'test',
      concurrency: 4,
      timeoutMs: 5_000,
      maxRetryAfterMs: 5_000,
      maxThrottledRetries: 2,
      // Out of the way of the other tests; the circuit's own test sets it.
      breaker: { failureThreshold: 1_000, openMs: 60_000 },
      metrics,
      logger: createLogger('test', 'silent'),
      ...options,
    });
  const send = (c: TargetHttpClient) => c.send({ method: 'PATCH', url, headers: {}, body: '{}' });
  const answer =
    (status: number, headers: Record<string, string> = {}): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ status }));
    };
  const counted = async (name: 'calls' | 'errors' | 'throttled') =>
    (await metrics[name].get()).values.map(({ labels, value }) => ({ ...labels, value }));

  it('returns 2xx as delivered and a data 4xx as rejected, with its body', async () => {
    handler = answer(200);
    await expect(send(client())).resolves.toMatchObject({ status: 200, outcome: 'delivered' });
    handler = answer(400);
    await expect(send(client())).resolves.toMatchObject({
      status: 400,
      outcome: 'rejected',
      text: '{"status":400}',
    });
    expect(await counted('calls')).toEqual(
      expect.arrayContaining([
        { target: 'test', outcome: 'delivered', value: 1 },
        { target: 'test', outcome: 'rejected', value: 1 },
      ]),
    );
  });

  it('throws a retriable error for 5xx', async () => {
    handler = answer(503);
    const failure = await send(client()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientError);
    expect(isRetriable(failure)).toBe(true);
    expect(await counted('errors')).toEqual([{ target: 'test', kind: 'unavailable', value: 1 }]);
  });

  it('gives up on a call after its timeout with a retriable error', async () => {
    handler = () => undefined;
    const failure = await send(client({ timeoutMs: 200 })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toMatch(/timeout/);
    expect(await counted('errors')).toEqual([{ target: 'test', kind: 'timeout', value: 1 }]);
  });

  it('waits out a 429 for its Retry-After, then calls again', async () => {
    let calls = 0;
    handler = (req, res) => (++calls === 1 ? answer(429, { 'retry-after': '1' }) : answer(200))(req, res);
    await expect(send(client())).resolves.toMatchObject({ outcome: 'delivered' });
    expect(arrivals).toHaveLength(2);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(await counted('throttled')).toEqual([{ target: 'test', value: 1 }]);
  });

  it('leaves throttling longer than it may wait to the retry tiers', async () => {
    handler = answer(429, { 'retry-after': '60' });
    const failure = await send(client({ maxRetryAfterMs: 10_000 })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as TransientError).context).toMatchObject({ status: 429, retryAfterMs: 60_000 });
    expect(arrivals).toHaveLength(1);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    const pending: ServerResponse[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    handler = (_req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      pending.push(res);
    };
    const c = client({ concurrency: 2 });
    const all = Promise.all(Array.from({ length: 5 }, () => send(c)));
    for (let answered = 0; answered < 5;) {
      await eventually(() => pending.length > 0, 5_000);
      for (const res of pending.splice(0)) {
        inFlight -= 1;
        answered += 1;
        res.writeHead(200).end('{}');
      }
    }
    await all;
    expect(maxInFlight).toBe(2);
  });

  it('opens the circuit after failures in a row: refuses without calling, then a trial call closes it', async () => {
    let status = 503;
    handler = (_req, res) => answer(status)(_req, res);
    const circuit = client({ breaker: { failureThreshold: 3, openMs: 300 } });
    for (let i = 0; i < 3; i += 1) await expect(send(circuit)).rejects.toThrow(/answered 503/);
    expect(arrivals).toHaveLength(3);

    const refused = await send(circuit).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransientError);
    expect(isRetriable(refused)).toBe(true);
    expect(String(refused)).toMatch(/circuit open/);
    expect(arrivals).toHaveLength(3);
    expect(await counted('calls')).toContainEqual({ target: 'test', outcome: 'circuit-open', value: 1 });

    status = 200;
    await eventually(async () =>
      (await send(circuit).catch(() => undefined))?.outcome === 'delivered' ? true : undefined,
    );
    // One trial call went out once the circuit had been open for 300 ms, and closed it.
    expect(arrivals).toHaveLength(4);
    await expect(send(circuit)).resolves.toMatchObject({ outcome: 'delivered' });
    expect(arrivals).toHaveLength(5);
  });
});
