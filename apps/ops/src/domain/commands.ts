import { MessageFilter } from './filters';

export type ReplayTarget = 'original' | 'group';

export interface PartitionOffset {
  partition: number;
  offset: number;
}

/** What `purge` truncates: explicit offsets per partition, everything, or everything older than a time. */
export type PurgeSelection =
  | { kind: 'offsets'; offsets: readonly PartitionOffset[] }
  | { kind: 'all'; partition?: number }
  | { kind: 'until'; until: number; partition?: number };

/** Who runs a changing command and why; recorded with every audit record. */
export interface Attribution {
  /** Undefined: the interface fills in $USER / the OS user. */
  actor?: string;
  reason?: string;
}

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'list'; json: boolean }
  | { kind: 'show'; topic: string; filter: MessageFilter; limit: number; json: boolean }
  | {
      kind: 'replay';
      topic: string;
      filter: MessageFilter;
      limit?: number;
      to: ReplayTarget;
      dryRun: boolean;
      ratePerSecond: number;
      force: boolean;
      attribution: Attribution;
    }
  | {
      kind: 'park';
      topic: string;
      filter: MessageFilter;
      limit?: number;
      dryRun: boolean;
      force: boolean;
      attribution: Attribution;
    }
  | {
      kind: 'purge';
      topic: string;
      selection: PurgeSelection;
      dryRun: boolean;
      attribution: Attribution;
    }
  | { kind: 'audit'; topic?: string; limit: number; json: boolean }
  | { kind: 'lookup'; id: string; since?: number; json: boolean }
  | {
      kind: 'export';
      /** An event type of the catalog, e.g. InvoiceIssued. */
      eventType: string;
      file: string;
      format: ExportFormat;
      since?: number;
      until?: number;
      /** Only the last event per entity (its current state)... */
      current: boolean;
      /** ...the entity named by this payload field (default: the message key). */
      by?: string;
    };

export type ExportFormat = 'parquet' | 'csv';

/** The `dlq ...` commands. */
export type CommandKind = Exclude<Command['kind'], 'help' | 'lookup' | 'export'>;

export const DEFAULT_SHOW_LIMIT = 50;
export const DEFAULT_AUDIT_LIMIT = 100;
export const DEFAULT_REPLAY_RATE = 50;
