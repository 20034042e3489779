import { IHeaders } from 'kafkajs';

export const HEADER = {
  /** Set on dead letters (whose payload may be undecodable) to allow filtering by correlation. */
  correlationId: 'tl-correlation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** What kind of data the event is (`live`, `demo`, `test`), so analysts can filter demo and test data out. */
  data: 'throughline-data',
} as const;

export const DATA_KINDS = ['live', 'demo', 'test'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

/**
 * The data kind a process publishes: `THROUGHLINE_DATA` (`live`, `demo` or `test`); unset, `test` under Jest
 * (NODE_ENV=test, also inherited by the services the end-to-end tests start) and `live` otherwise. `npm start`
 * runs the demo with `demo`. An unknown value fails the process at start rather than mislabel its data.
 */
export function dataKindFromEnv(env: NodeJS.ProcessEnv = process.env): DataKind {
  const value = env['THROUGHLINE_DATA'];
  if (value === undefined || value === '') return env['NODE_ENV'] === 'test' ? 'test' : 'live';
  if ((DATA_KINDS as readonly string[]).includes(value)) return value as DataKind;
  throw new Error(`THROUGHLINE_DATA must be one of ${DATA_KINDS.join(', ')}; got "${value}"`);
}

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
