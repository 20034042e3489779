import { connect } from 'node:net';

/** No broker accepted a connection. */
export class KafkaUnreachableError extends Error {
  constructor(
    readonly brokers: readonly string[],
    reason: string,
  ) {
    super(`cannot reach Kafka at ${brokers.join(', ')} (${reason}); is the stack up? (npm run stack -- up)`);
    this.name = 'KafkaUnreachableError';
  }
}

/**
 * Checks that at least one broker accepts a TCP connection. kafkajs would retry for about a minute
 * before giving up; an operator at a terminal deserves an answer in seconds.
 */
export async function probeBrokers(brokers: readonly string[], timeoutMs = 3_000): Promise<void> {
  const results = await Promise.all(brokers.map((broker) => tryConnect(broker, timeoutMs)));
  if (results.some((result) => result === undefined)) return;
  throw new KafkaUnreachableError(brokers, [...new Set(results)].join('; '));
}

/** Undefined when the broker accepted the connection, else why not. */
function tryConnect(broker: string, timeoutMs: number): Promise<string | undefined> {
  const separator = broker.lastIndexOf(':');
  const host = separator === -1 ? broker : broker.slice(0, separator);
  const port = separator === -1 ? 9092 : Number(broker.slice(separator + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535)
    return Promise.resolve(`invalid broker "${broker}"`);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}
