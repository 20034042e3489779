import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { ExportResult, ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** One exported span as a JSON line: what tests and `jq` read. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  startMs: number;
  endMs: number;
  status: number;
  attributes: Record<string, unknown>;
}

/** Writes finished spans as JSON lines to a file: local tracing with no collector. */
export class FileSpanExporter implements SpanExporter {
  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      const lines = spans.map((span) => JSON.stringify(toExportedSpan(span))).join('\n');
      if (lines) appendFileSync(this.path, `${lines}\n`);
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  /** Lines are appended synchronously, so there is nothing to flush. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function toExportedSpan(span: ReadableSpan): ExportedSpan {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    service: String(span.resource.attributes['service.name'] ?? ''),
    startMs: hrTimeToMilliseconds(span.startTime),
    endMs: hrTimeToMilliseconds(span.endTime),
    status: span.status.code,
    attributes: { ...span.attributes },
  };
}
