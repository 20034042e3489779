import { AuditEntry, AuditRecord } from '../domain/audit';
import { DeadLetter, DecodedValue, RawHeaders } from '../domain/dead-letter';
import { PartitionOffset } from '../domain/commands';
import { PartitionOffsets, ReadRange } from '../domain/filters';

export interface TopicReadRange extends ReadRange {
  topic: string;
}

export interface OutgoingMessage {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RawHeaders;
}

export interface NewTopic {
  name: string;
  partitions: number;
  /** Topic-level configuration, e.g. `retention.ms`. */
  config?: Record<string, string>;
}

/** What the use cases need from Kafka. */
export interface KafkaPort {
  listTopics(): Promise<string[]>;
  partitionOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition, the first offset whose timestamp is at or after `timestamp` (the end offset if none). */
  offsetsAt(topic: string, timestamp: number): Promise<PartitionOffset[]>;
  /**
   * Reads the ranges (as they are now; later messages are ignored) in offset order per partition.
   * `visit` returning false stops the read.
   */
  read(
    ranges: readonly TopicReadRange[],
    visit: (message: DeadLetter) => Promise<boolean | void>,
  ): Promise<void>;
  /** Creates the topic unless it exists; returns whether it was created. */
  ensureTopic(topic: NewTopic): Promise<boolean>;
  /** Publishes with acks from all in-sync replicas; partitions follow the keys. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Deletes the records before the given offsets (moves each partition's log start). */
  deleteRecordsBefore(topic: string, offsets: readonly PartitionOffset[]): Promise<void>;
}

export interface ValueDecoder {
  /** Never throws: an undecodable value comes back with the reason. */
  decode(value: Buffer | null): Promise<DecodedValue>;
}

export interface AuditLog {
  /** Records about these messages of one topic (replays, parks). */
  history(dlqTopic: string, positions: readonly PartitionOffset[]): Promise<AuditRecord[]>;
  /**
   * Inserts the entries in one transaction that commits only if `alongside` (the Kafka side of the
   * operation, run inside it) succeeds, so a failed send or purge leaves no record.
   */
  record(entries: readonly AuditEntry[], alongside?: () => Promise<void>): Promise<void>;
  list(query: { dlqTopic?: string; limit: number }): Promise<AuditRecord[]>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Lines for the person at the terminal: results on stdout, progress and warnings on stderr. */
export interface Console {
  out(text: string): void;
  err(text: string): void;
}

/** Everything a use case may touch; connections are opened on first use. */
export interface OpsContext {
  prefix: string;
  /** Catalog topic names without prefix (to split dead-letter topic names). */
  catalogTopics: readonly string[];
  kafka(): Promise<KafkaPort>;
  decoder(): ValueDecoder;
  /**
   * The audit log. `write` creates and migrates the database when missing; `read` never changes
   * anything (a missing database reads as empty), so dry runs stay side-effect free.
   */
  audit(mode: 'read' | 'write'): Promise<AuditLog>;
  clock: Clock;
  console: Console;
  /** Aborted on Ctrl-C: long runs stop after the current batch. */
  signal?: AbortSignal;
}
