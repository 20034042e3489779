import { Kafka, logLevel, LogEntry } from 'kafkajs';

import { Logger } from '@throughline/platform';

export interface KafkaSettings {
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

/** One kafkajs client per process; its log lines go to the service's structured logger. */
export function createKafka({ brokers, clientId, logger }: KafkaSettings): Kafka {
  return new Kafka({
    clientId,
    brokers,
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
