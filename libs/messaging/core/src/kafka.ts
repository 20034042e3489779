import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';

import { Logger } from '@throughline/platform';

import type { KafkaSecurity } from './connection-config';

export interface KafkaSettings extends KafkaSecurity {
  brokers: string[];
  clientId: string;
  logger?: Logger;
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/**
 * One kafkajs client per process; its log lines go to the service's structured logger. TLS and
 * SASL come from the connection config (readMessagingConnection); without them it is plaintext.
 */
export function createKafka({ brokers, clientId, logger, tls, sasl }: KafkaSettings): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...(tls ? { ssl: { ...tls } } : {}),
    ...(sasl ? { sasl: { ...sasl } as SASLOptions } : {}),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        if (!logger) return;
        const { message, ...extra } = log;
        const line = { kafkaNamespace: namespace, ...extra };
        if (level === logLevel.ERROR) logger.error(line, message);
        else if (level === logLevel.WARN) logger.warn(line, message);
        else logger.debug(line, message);
      },
  });
}
