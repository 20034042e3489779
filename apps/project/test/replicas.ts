import { join } from 'node:path';

import { EventPayloads, EventType } from '@throughline/contracts';
import { ConsumedEvent, createEvent, MESSAGING_MIGRATIONS } from '@throughline/messaging';
import { createTestDatabase, TestDatabase } from '@throughline/persistence/testing';

import { ProjectDb, createProjectDb } from '../src/infrastructure/project-db';

/** A fresh project database (messaging tables and the service's own migrations). */
export function createProjectTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase([
    MESSAGING_MIGRATIONS,
    { name: 'project', directory: join(__dirname, '..', 'migrations') },
  ]);
}

/** An event as the consumer hands it to a handler. */
export function consumed<T extends EventType>(eventType: T, data: EventPayloads[T]): ConsumedEvent<T> {
  return {
    ...createEvent(eventType, data, { source: 'test' }),
    topic: 'test',
    partition: 0,
    offset: '0',
    headers: {},
  };
}

/** Two clients of one database, as two replicas of the service have. */
export function replicaClients(url: string): [ProjectDb, ProjectDb] {
  return [createProjectDb(url), createProjectDb(url)];
}
