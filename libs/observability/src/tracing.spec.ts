import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ExportedSpan } from './file-span-exporter';
import {
  contextFromHeaders,
  flushTraces,
  httpTracingMiddleware,
  initTracing,
  inSpan,
  shutdownTracing,
  SpanKind,
  traceHeaders,
} from './tracing';

describe('tracing with the file exporter', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tl-traces-')), 'spans.jsonl');

  beforeAll(() =>
    initTracing('tracing-spec', { OTEL_TRACES_EXPORTER: 'file', THROUGHLINE_TRACES_FILE: file }),
  );
  afterAll(() => shutdownTracing());

  const readSpans = (): ExportedSpan[] =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportedSpan);

  it('continues a remote trace across a message boundary and nests spans', async () => {
    let outgoing: Record<string, string> = {};
    await inSpan('POST /webhooks', { kind: SpanKind.SERVER }, async () => {
      outgoing = traceHeaders();
    });
    expect(outgoing['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    await inSpan('process DealWon', { kind: SpanKind.CONSUMER, parent: contextFromHeaders(outgoing) }, () =>
      inSpan('db transaction', {}, async () => undefined),
    );
    await flushTraces();

    const spans = readSpans();
    const server = spans.find((span) => span.name === 'POST /webhooks');
    const consumer = spans.find((span) => span.name === 'process DealWon');
    const db = spans.find((span) => span.name === 'db transaction');
    expect(consumer?.traceId).toBe(server?.traceId);
    expect(consumer?.parentSpanId).toBe(server?.spanId);
    expect(db?.parentSpanId).toBe(consumer?.spanId);
    expect(server?.service).toBe('tracing-spec');
  });

  it('records an HTTP request as a SERVER span with its correlation id', async () => {
    const listeners: (() => void)[] = [];
    const response = {
      statusCode: 201,
      once: (_event: 'finish' | 'close', listener: () => void) => listeners.push(listener),
    };
    const request = {
      method: 'PUT',
      originalUrl: '/assignments/A-1?dryRun=1',
      headers: { 'x-correlation-id': 'corr-http-1' },
    };
    httpTracingMiddleware()(request, response, () => undefined);
    listeners.forEach((listener) => listener());
    await flushTraces();
    expect(readSpans().find((span) => span.name === 'PUT /assignments/A-1')?.attributes).toMatchObject({
      'http.request.method': 'PUT',
      'url.path': '/assignments/A-1',
      'http.response.status_code': 201,
      'throughline.correlation_id': 'corr-http-1',
    });
  });

  it('records a failure on the span and rethrows it', async () => {
    await expect(inSpan('failing', {}, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await flushTraces();
    expect(readSpans().find((span) => span.name === 'failing')?.status).toBe(2);
  });
});

describe('contextFromHeaders', () => {
  it('ignores missing or malformed trace headers', () => {
    expect(traceHeaders(contextFromHeaders({}))).toEqual({});
    expect(traceHeaders(contextFromHeaders({ traceparent: 'garbage' }))).toEqual({});
  });
});
