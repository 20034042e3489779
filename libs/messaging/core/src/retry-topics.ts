/**
 * Non-blocking retries: a message whose handler failed with a retriable error is moved to the
 * consumer group's retry topic for the next tier and handled again after that tier's delay, so one
 * failing event does not block its partition. After the last tier it goes to the dead-letter topic.
 */
export const DEFAULT_RETRY_TIERS_MS: readonly number[] = [1_000, 10_000, 60_000];

export { retryTopic } from './topic-naming';

export const RETRY_HEADER = {
  /** How many times the handler has failed so far. */
  attempt: 'tl-retry-attempt',
  /** Epoch ms before which the message must not be handled again. */
  notBefore: 'tl-retry-not-before',
  firstFailure: 'tl-retry-first-failure',
  originalTopic: 'tl-retry-original-topic',
  originalPartition: 'tl-retry-original-partition',
  originalOffset: 'tl-retry-original-offset',
  lastErrorClass: 'tl-retry-last-error-class',
  lastErrorMessage: 'tl-retry-last-error-message',
} as const;
