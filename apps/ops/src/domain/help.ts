import { CommandKind, DEFAULT_AUDIT_LIMIT, DEFAULT_REPLAY_RATE, DEFAULT_SHOW_LIMIT } from './commands';

const ENVIRONMENT = `Environment:
  KAFKA_BROKERS        comma-separated brokers (default 127.0.0.1:9092)
  SCHEMA_REGISTRY_URL  Confluent-compatible registry (default http://127.0.0.1:8081/apis/ccompat/v7)
  DATABASE_URL         PostgreSQL server for the audit log (default postgresql://postgres@127.0.0.1:5432/postgres)
  DATABASE_NAME        audit database (default throughline_ops; created when missing)
  DATABASE_PASSWORD_FILE  file holding the PostgreSQL password (TLS: ?sslmode=verify-full&sslrootcert=… in DATABASE_URL)
  TOPIC_PREFIX         environment prefix of topics and consumer groups, e.g. "test.ab12cd." (default none)
  KAFKA_TLS, KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE, KAFKA_TLS_KEY_FILE,
  KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD[_FILE],
  SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD[_FILE], SCHEMA_REGISTRY_CA_FILE
                       TLS and SASL to Kafka, credentials for the registry: as for the services (README)`;

const FILTERS = `Filters (every one given must match):
  --error-class X          the failure's error class (header tl-dlq-error-class), e.g. PoisonMessageError
  --since T                dead-lettered at or after T: ISO 8601 (2026-03-01T12:00:00Z; no zone = UTC)
                           or a duration before now (90s, 15m, 2h, 1d)
  --until T                dead-lettered before T (same formats)
  --key K                  message key
  --correlation-id C       tl-correlation-id header or the decoded envelope's correlationId
  --partition P            one partition of the dead-letter topic
  --from-offset A          first offset, inclusive (needs --partition)
  --to-offset B            last offset, inclusive (needs --partition)`;

export const GLOBAL_HELP = `Usage: throughline <command> [options]

Operations tooling for Throughline.

Commands:
  dlq list      dead-letter topics with depth and oldest message age
  dlq show      dead letters decoded through the schema registry
  dlq replay    re-publish dead letters to their original topic or to the failing group only
  dlq park      move dead letters out of the way, to <dlq-topic>.parked (kept indefinitely)
  dlq purge     truncate a dead-letter topic up to given offsets
  dlq audit     who replayed, parked or purged what, and when
  lookup <id>   everything that happened for a correlation id, event, deal or project, in order,
                with each service's resulting state
  export <type> an event type's events (or their current state) as Parquet or CSV for BI tools

Run "throughline dlq <command> --help", "throughline lookup --help" or "throughline export --help"
for a command's options.

Exit codes: 0 done, 1 failure (e.g. Kafka unreachable), 2 bad arguments,
            3 done, but some messages were refused (already replayed or parked; see --force).

${ENVIRONMENT}
`;

export const COMMAND_HELP: Readonly<Record<CommandKind, string>> = {
  list: `Usage: throughline dlq list [--json]

Lists every dead-letter topic (*.dlq under TOPIC_PREFIX), deepest first: depth (messages between the
log start and end offsets, over all partitions), age of the oldest message, the source topic and the
consumer group parsed from the name (<source-topic>.<group>.dlq), and how many messages are parked.

Options:
  --json     machine-readable output
  --help     this help
`,
  show: `Usage: throughline dlq show <dlq-topic> [filters] [--limit N] [--json]

Prints dead letters: partition, offset, timestamp, key, every header as a string, and the value
decoded to JSON with the writer schema its schema id names in the registry. A value that cannot be
decoded is shown as base64 with the reason. Accepts <dlq-topic>.parked topics too.

${FILTERS}

Options:
  --limit N  at most N messages (default ${DEFAULT_SHOW_LIMIT})
  --json     machine-readable output (an array)
  --help     this help
`,
  replay: `Usage: throughline dlq replay <dlq-topic> [filters] --to original|group [--dry-run] [--rate N/s]
                              [--actor NAME] [--reason TEXT] [--force] [--limit N]

Re-publishes matching dead letters, in offset order per partition, rate-limited:
  --to original   the original value bytes, key and headers (without the dead-letter and retry
                  headers) go back to the original topic: every group consuming it sees the event
                  again, and the groups that handled it already drop it through their inbox.
  --to group      to the failing group's first retry topic (<topic>.<group>.retry.1) with
                  tl-retry-attempt=0 and tl-retry-not-before=now: only that group handles it again.

Every replayed message is recorded in the audit log (database throughline_ops). A message replayed
or parked before is refused ("already replayed at ... by ...") unless --force; either way the
handlers' inboxes make a second delivery harmless. Accepts <dlq-topic>.parked topics too.

${FILTERS}

Options:
  --to original|group   where to replay to (required)
  --dry-run             print what would be replayed; publish and record nothing
  --rate N/s            messages per second (default ${DEFAULT_REPLAY_RATE}/s)
  --actor NAME          who replays (default $USER)
  --reason TEXT         why, for the audit log
  --force               replay messages replayed or parked before
  --limit N             at most N messages
  --help                this help
`,
  park: `Usage: throughline dlq park <dlq-topic> [filters] [--dry-run] [--actor NAME] [--reason TEXT]
                            [--force] [--limit N]

Moves matching dead letters out of the way: copies them byte for byte, with all their headers plus
tl-parked-* headers, to <dlq-topic>.parked (retention unlimited) and records them in the audit log;
later replay and park runs skip them (unless --force). Kafka cannot delete single records: the
originals leave the dead-letter topic when it is purged. Parked messages can be shown and replayed
from the .parked topic.

${FILTERS}

Options:
  --dry-run      print what would be parked; change nothing
  --actor NAME   who parks (default $USER)
  --reason TEXT  why, for the audit log
  --force        park messages replayed or parked before
  --limit N      at most N messages
  --help         this help
`,
  purge: `Usage: throughline dlq purge <dlq-topic> (--up-to-offset <partition>:<offset> ... | --all | --until T)
                             [--partition P] [--dry-run] --yes [--actor NAME] [--reason TEXT]

Deletes the messages of a dead-letter topic before the given offsets, with the Kafka admin
DeleteRecords API. Kafka cannot delete single records: purging only moves a partition's log start
forward, so everything before the offset goes (replay or park what you need first).

  --up-to-offset P:O   partition P keeps offsets O and later (repeat for more partitions)
  --all                empty the partitions (all of them, or the one --partition names)
  --until T            delete messages dead-lettered before T (ISO 8601 or a duration before now),
                       in every partition or the one --partition names

Options:
  --dry-run      print what would be deleted; change nothing (no --yes needed)
  --yes          confirm; required to delete
  --actor NAME   who purges (default $USER)
  --reason TEXT  why, for the audit log
  --help         this help
`,
  audit: `Usage: throughline dlq audit [--topic DLQ-TOPIC] [--limit N] [--json]

Lists audit records, newest first: when, who, what (replay, park, purge), the dead-letter topic,
partition and offset, the target topic, the event id, the reason and the filters used.

Options:
  --topic T  only records of this dead-letter topic
  --limit N  at most N records (default ${DEFAULT_AUDIT_LIMIT})
  --json     machine-readable output
  --help     this help
`,
};

export const LOOKUP_HELP = `Usage: throughline lookup <id> [--since T] [--json]

Finds every event of the flows that <id> takes part in (a correlation id, an event id, a deal,
project, contract, assignment or exception id), reading the catalog topics under TOPIC_PREFIX, and
prints them in the order they happened, with what each outbound call did (target, record, the
target's id, synced or rejected). Then asks each service for its current state of the deals
and projects involved (contract, project, billing, reporting; CONTRACT_URL, PROJECT_URL,
BILLING_URL, REPORTING_URL, defaults http://127.0.0.1:3002, 3003, 3005, 3006).
The services need a credential: OPS_API_KEY, or a client-credentials token from AUTH_ISSUER for
OIDC_CLIENT_ID (default throughline-ops) and OIDC_CLIENT_SECRET (token endpoint OIDC_TOKEN_URL).

  --since T   read only events written at or after T (ISO time, or a duration such as 2h)
  --json      machine-readable output
`;

export const EXPORT_HELP = `Usage: throughline export <EventType> --out FILE [--format parquet|csv]
                          [--since T] [--until T] [--current [--by FIELD]]

Writes the events of one event type (its topic under TOPIC_PREFIX, e.g. InvoiceIssued) as a table for
BI tools, one row per event, decoded through the schema registry into typed columns from the latest
schema: the envelope (eventId, eventType, schemaVersion, occurredAt, correlationId, causationId,
source, key), then the payload's fields. Money stays as the exact <name>Minor integer and is also
given as <name>, a DECIMAL(38,4) in the record's currency; instants are timestamps (UTC), dates are
dates, nested lines and lists are JSON text. Progress goes to stderr.

  --out FILE      where to write (replaced if it exists)
  --format F      parquet or csv (default: from the file name)
  --since T       only events written at or after T (ISO time, or a duration such as 7d)
  --until T       only events written before T
  --current       only the last event per entity: its current state (with --until: as it was
                  then); the entity is the message key (the catalog's key: for many topics the
                  project or customer), or...
  --by FIELD      ...the payload field FIELD, e.g. invoiceId for InvoiceIssued, actualId for ActualChanged

Read the file with DuckDB: SELECT legalEntityId, currency, sum(total) FROM 'invoices.parquet' GROUP BY ALL;
`;
