import pino, { Logger } from 'pino';

import { currentLogContext } from './log-context';

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

/**
 * JSON logs with the service on every line, and the correlation and event ids of the event or
 * request being handled (see `withLogContext`), so one flow can be followed across services.
 */
export function createLogger(
  service: string,
  level = process.env['LOG_LEVEL'] ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin: () => ({ ...currentLogContext() }),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
