import { IHeaders } from 'kafkajs';

export const HEADER = {
  /** Set on dead letters (whose payload may be undecodable) to allow filtering by correlation. */
  correlationId: 'tl-correlation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerValue(headers, name);
    if (value !== undefined) result[name] = value;
  }
  return result;
}
