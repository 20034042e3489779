import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { EventRecord } from '@throughline/contracts';
import { TEST_BROKERS, TEST_REGISTRY_URL } from '@throughline/messaging/testing';

import { REPO_ROOT } from '../stack/config';

/** The clients of docs/consuming-events.md. */
export const CLIENTS_DIR = join(REPO_ROOT, 'tools', 'interop', 'clients');
/** Debian's interpreter: python3-avro and python3-confluent-kafka install into its dist-packages. */
export const PYTHON = process.env['INTEROP_PYTHON'] ?? '/usr/bin/python3';

/** What a client prints for one event. */
export interface ConsumedLine {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: EventRecord;
}

/** The environment the clients read: the test stack's broker and registry (both APIs). */
export function clientEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_BROKERS: TEST_BROKERS.join(','),
    SCHEMA_REGISTRY_URL: TEST_REGISTRY_URL,
    APICURIO_URL: TEST_REGISTRY_URL.replace(/\/apis\/ccompat\/v7\/?$/, '/apis/registry/v3'),
  };
}

export function parseLines(output: string): ConsumedLine[] {
  return output
    .split('\n')
    .filter(Boolean)
    .map((text) => JSON.parse(text) as ConsumedLine);
}

/** Every event of `topics`, start to current end, as the guide's Python client decodes them. */
export async function consumeWithPython(topics: readonly string[]): Promise<ConsumedLine[]> {
  const { stdout } = await promisify(execFile)(PYTHON, [join(CLIENTS_DIR, 'consume.py'), ...topics], {
    env: clientEnv(),
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: Error) => {
    throw new Error(
      `${error.message}\nThe Python client needs Debian's python3-avro and python3-confluent-kafka ` +
        `(apt-get install python3-avro python3-confluent-kafka; .ci/run installs them).`,
    );
  });
  return parseLines(stdout);
}
