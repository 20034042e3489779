import { eventDefinition, EventPayloads, EventRecord, EventType } from '@throughline/contracts';
import { PrismaRawClient, prismaExecutor } from '@throughline/persistence';

import { createEvent, EventOrigin } from './envelope';

/**
 * A current-state record that says an entity is gone: published with a null value (a Kafka
 * tombstone), so compaction removes the entity from its current-state topic. Only the envelope is
 * kept in the outbox, for the topic, the key and the provenance.
 */
export interface Tombstone<T extends EventType = EventType> {
  envelope: EventRecord<T>['envelope'];
  data: null;
}

/** What the outbox holds and the relay publishes: events, and tombstones of current-state topics. */
export type OutboxRecord = EventRecord | Tombstone;

export function isTombstone(record: OutboxRecord): record is Tombstone {
  return record.data === null;
}

/** One entity a service publishes the current state of, on the compacted topic of `eventType`. */
export interface CurrentStateEntity<Tx, T extends EventType = EventType> {
  /** The name its tables are tracked under (`messaging_track_state(table, entity, id column)`). */
  entity: string;
  eventType: T;
  /**
   * The full current state of each of `ids` that exists, read inside the transaction that changed
   * them; an id left out of the map is published as a tombstone if one of its rows was deleted, and
   * not published otherwise.
   */
  load(tx: Tx, ids: readonly string[]): Promise<Map<string, EventPayloads[T]>>;
}

export interface CurrentStateConfig<Tx = never> {
  /** The producing service (`envelope.source`). */
  source: string;
  // Each entity publishes its own event type; the union keeps `load` and `eventType` paired.
  entities: readonly CurrentStateEntity<Tx, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const configs = new WeakMap<object, CurrentStateConfig<unknown>>();

/**
 * Makes every unit of work on `db` (commit, handleOnce, handleBatchOnce) publish the current state of
 * each tracked entity it changed, through the outbox, in the same transaction. The service's
 * migrations track the tables with `SELECT messaging_track_state('<table>', '<entity>', '<id column>')`.
 */
export function publishCurrentState<Tx extends PrismaRawClient, Db extends TransactionalClient<Tx>>(
  db: Db,
  config: CurrentStateConfig<Tx>,
): Db {
  configs.set(db, config as CurrentStateConfig<unknown>);
  return db;
}

export function currentStateConfigOf<Tx extends PrismaRawClient>(
  db: TransactionalClient<Tx>,
): CurrentStateConfig<Tx> | undefined {
  return configs.get(db) as CurrentStateConfig<Tx> | undefined;
}

/** Structural type of a Prisma client: enough to open an interactive transaction. */
export interface TransactionalClient<Tx extends PrismaRawClient> {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: { timeout?: number; maxWait?: number }): Promise<R>;
}

/** Correlation of the current-state records a transaction publishes (those of its cause, if any). */
export type StateOrigin = Omit<EventOrigin, 'source'>;

/**
 * Takes the transaction's change notes and returns the current-state records (and tombstones) of the
 * entities they name, one per entity, in the order entities and ids were first changed.
 */
export async function currentStateRecords<Tx extends PrismaRawClient>(
  tx: Tx,
  config: CurrentStateConfig<Tx>,
  origin: StateOrigin,
): Promise<OutboxRecord[]> {
  const notes = await prismaExecutor(tx).query<{ entity: string; entity_id: string; removed: boolean }>(
    'DELETE FROM messaging_state_change RETURNING entity, entity_id, removed',
  );
  if (notes.length === 0) return [];
  const changed = new Map<string, Map<string, boolean>>();
  for (const note of notes) {
    const ids = changed.get(note.entity) ?? new Map<string, boolean>();
    changed.set(note.entity, ids);
    ids.set(note.entity_id, (ids.get(note.entity_id) ?? false) || note.removed);
  }
  const records: OutboxRecord[] = [];
  for (const [entityName, ids] of changed) {
    const entity = config.entities.find((candidate) => candidate.entity === entityName);
    if (!entity) {
      throw new Error(
        `${config.source} tracks changes of "${entityName}" but publishes no current state for it`,
      );
    }
    const states: Map<string, EventPayloads[EventType]> = await entity.load(tx, [...ids.keys()]);
    const eventOrigin = { ...origin, source: config.source };
    for (const [id, removed] of ids) {
      const state = states.get(id);
      if (state !== undefined) records.push(createEvent(entity.eventType, state, eventOrigin));
      else if (removed) records.push(tombstoneOf(entity.eventType, id, eventOrigin));
    }
  }
  return records;
}

function tombstoneOf(eventType: EventType, key: string, origin: EventOrigin): Tombstone {
  // A current-state topic is keyed by the entity id alone, so a payload of just that field gives the envelope.
  const keyOnly = { [eventDefinition(eventType).topic.key]: key } as unknown as EventPayloads[EventType];
  return { envelope: createEvent(eventType, keyOnly, origin).envelope, data: null };
}
