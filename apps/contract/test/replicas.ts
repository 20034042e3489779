import { join } from 'node:path';

import { EventPayloads, EventType } from '@throughline/contracts';
import { ConsumedEvent, MESSAGING_MIGRATIONS } from '@throughline/messaging';
import { createTestDatabase, TestDatabase } from '@throughline/persistence/testing';

import { ContractDb, createContractDb } from '../src/infrastructure/contract-db';
import { published } from './fixtures';

/** A fresh contract database (messaging tables and the service's own migrations). */
export function createContractTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase([
    MESSAGING_MIGRATIONS,
    { name: 'contract', directory: join(__dirname, '..', 'migrations') },
  ]);
}

/** An event as the consumer hands it to a handler. */
export function consumed<T extends EventType>(eventType: T, data: EventPayloads[T]): ConsumedEvent<T> {
  return { ...published(eventType, data), topic: 'test', partition: 0, offset: '0', headers: {} };
}

/** Two clients of one database, as two replicas of the service have. */
export function replicaClients(url: string): [ContractDb, ContractDb] {
  return [createContractDb(url), createContractDb(url)];
}
