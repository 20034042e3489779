import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

/** Fields that must never reach a log line. */
const REDACTED_PATHS = [
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.email',
  'headers.authorization',
];

export function createLogger(service: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
