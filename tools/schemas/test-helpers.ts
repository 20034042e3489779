import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { DEFAULT_SCHEMAS_DIR, kebabCase, type AvroJson } from './schema-set';

/** Test helpers: throwaway copies of schemas/ that specs may break on purpose. */

/** Copies schemas/ to a temp dir, keeping only `eventTypes` (and their topics) when given. */
export function copySchemas(eventTypes?: readonly string[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-schemas-'));
  cpSync(DEFAULT_SCHEMAS_DIR, dir, { recursive: true });
  if (eventTypes) {
    const catalog = readJson(join(dir, 'catalog.json')) as {
      topics: Record<string, unknown>;
      toolingTopics: Record<string, unknown>;
      events: Record<string, { topic: string; owner: string }>;
    };
    const events = Object.fromEntries(
      Object.entries(catalog.events).filter(([name]) => eventTypes.includes(name)),
    );
    const topicIds = new Set(Object.values(events).map((e) => e.topic));
    const used = (topics: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(topics).filter(([id]) => topicIds.has(id)));
    writeJson(join(dir, 'catalog.json'), {
      ...catalog,
      topics: used(catalog.topics),
      toolingTopics: used(catalog.toolingTopics),
      events,
    });
    for (const name of Object.keys(catalog.events)) {
      if (!eventTypes.includes(name)) rmSync(join(dir, 'events', kebabCase(name)), { recursive: true });
    }
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readVersion(dir: string, eventType: string, version: number): AvroJson {
  return readJson(versionPath(dir, eventType, version));
}

export function writeVersion(dir: string, eventType: string, version: number, schema: AvroJson): void {
  writeJson(versionPath(dir, eventType, version), schema);
}

export function removeVersion(dir: string, eventType: string, version: number): void {
  rmSync(versionPath(dir, eventType, version));
}

/** A copy of `schema` with `field` appended to its top-level fields. */
export function withField(schema: AvroJson, field: AvroJson): AvroJson {
  return { ...schema, fields: [...(schema['fields'] as AvroJson[]), field] };
}

function versionPath(dir: string, eventType: string, version: number): string {
  return join(dir, 'events', kebabCase(eventType), `v${version}.avsc`);
}

function readJson(path: string): AvroJson {
  return JSON.parse(readFileSync(path, 'utf8')) as AvroJson;
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
