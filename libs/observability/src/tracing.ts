import { join } from 'node:path';

import { context, Context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

import { FileSpanExporter } from './file-span-exporter';

export { SpanKind, SpanStatusCode };
export type { Context, Span };

const propagator = new W3CTraceContextPropagator();
let provider: NodeTracerProvider | undefined;

/**
 * Starts OpenTelemetry tracing for this process. The exporter follows the standard variables:
 * OTEL_TRACES_EXPORTER = otlp (OTEL_EXPORTER_OTLP_ENDPOINT, ...) | console | none, or `file`, the
 * local default that needs no collector: JSON lines in THROUGHLINE_TRACES_FILE
 * (default `.stack/traces/<service>.jsonl`).
 */
export function initTracing(service: string, env: NodeJS.ProcessEnv = process.env): void {
  if (provider) return;
  const exporter = exporterFromEnv(service, env);
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env['OTEL_SERVICE_NAME'] ?? service }),
    spanProcessors: exporter ? [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 200 })] : [],
  });
  provider.register({ propagator });
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

export async function flushTraces(): Promise<void> {
  await provider?.forceFlush();
}

function exporterFromEnv(service: string, env: NodeJS.ProcessEnv): SpanExporter | undefined {
  const kind = env['OTEL_TRACES_EXPORTER'] ?? (env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? 'otlp' : 'file');
  switch (kind) {
    case 'none':
      return undefined;
    case 'otlp':
      return new OTLPTraceExporter();
    case 'console':
      return new ConsoleSpanExporter();
    case 'file':
      return new FileSpanExporter(
        env['THROUGHLINE_TRACES_FILE'] ?? join(process.cwd(), '.stack', 'traces', `${service}.jsonl`),
      );
    default:
      throw new Error(`OTEL_TRACES_EXPORTER "${kind}" is not supported (otlp, console, file, none)`);
  }
}

export const tracer = () => trace.getTracer('throughline');

/** W3C trace context headers (traceparent, tracestate) of `ctx`, to put on outgoing messages. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, { set: (target, key, value) => (target[key] = value) });
  return carrier;
}

/** The context described by incoming W3C trace headers (or the root context). */
export function contextFromHeaders(headers: Record<string, string | undefined>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => carrier[key],
  });
}

/** Runs `work` in a new span (child of `parent`), recording failures; the span is active inside. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean>; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** The active context with `span` as its current span (for injecting a span's own context). */
export function contextWithSpan(span: Span, parent: Context = context.active()): Context {
  return trace.setSpan(parent, span);
}

interface HttpRequestLike {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
}

interface HttpResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Express/Connect middleware: one SERVER span per request, continuing the caller's W3C trace
 * context, active for everything the request does (including events it causes). The request's
 * `x-correlation-id` is recorded as `throughline.correlation_id`, as on consumed events.
 */
export function httpTracingMiddleware() {
  return (request: HttpRequestLike, response: HttpResponseLike, next: () => void): void => {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers))
      headers[name] = Array.isArray(value) ? value[0] : value;
    const path = (request.originalUrl ?? request.url ?? '/').split('?')[0];
    const correlationId = headers['x-correlation-id'];
    const span = tracer().startSpan(
      `${request.method ?? 'GET'} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method ?? 'GET',
          'url.path': path,
          ...(correlationId ? { 'throughline.correlation_id': correlationId } : {}),
        },
      },
      contextFromHeaders(headers),
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    response.once('finish', end);
    response.once('close', end);
    context.with(contextWithSpan(span, contextFromHeaders(headers)), next);
  };
}
