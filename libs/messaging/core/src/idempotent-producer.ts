import { Kafka, Producer, ProducerBatch, ProducerRecord } from 'kafkajs';

const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/** True when the broker no longer accepts this producer's sequence numbers. */
export function hasLostProducerState(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (PRODUCER_STATE_ERRORS.has((current as { type?: string }).type ?? '')) return true;
    if (/out of order sequence number/i.test(current.message)) return true;
  }
  return false;
}

/** Kafka errors that sending the same message again cannot cure. */
const PERMANENT_SEND_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** Whether a failed send failed for what it sent rather than for the broker's state. */
export function isPermanentSendError(error: unknown): boolean {
  for (
    let cause = error as { type?: unknown; cause?: unknown } | undefined;
    cause;
    cause = cause.cause as typeof cause
  ) {
    if (typeof cause.type === 'string' && PERMANENT_SEND_ERRORS.has(cause.type)) return true;
  }
  return false;
}

/**
 * An idempotent, acks=all kafkajs producer that heals itself. After a broker restart its sequence
 * numbers can be out of step with the broker for good (kafkajs never resets them, kafkajs#598):
 * the failing send is rejected (callers re-send; consumers' inboxes drop any copy that landed) and
 * a fresh producer, with a new producer id, takes over.
 */
export class IdempotentProducer {
  private producer: Producer;

  constructor(private readonly kafka: Kafka) {
    this.producer = this.create();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(record: ProducerRecord): Promise<void> {
    await this.guarded(() => this.producer.send({ ...record, acks: -1 }));
  }

  async sendBatch(batch: ProducerBatch): Promise<void> {
    await this.guarded(() => this.producer.sendBatch({ ...batch, acks: -1 }));
  }

  private async guarded(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      // A refused batch can leave kafkajs's sequence numbers ahead of the broker's, so the next send
      // would fail as out of order: start again with a fresh producer id after it too.
      if (hasLostProducerState(error) || isPermanentSendError(error))
        await this.replace().catch(() => undefined);
      throw error;
    }
  }

  private create(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  }

  private async replace(): Promise<void> {
    const broken = this.producer;
    this.producer = this.create();
    await broken.disconnect().catch(() => undefined);
    await this.producer.connect();
  }
}
