import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SchemaSet } from './schema-set';

/**
 * Registered schema versions are immutable: a registry that holds a version compares content, so a
 * changed file (even a `doc`) would be registered as one more registry version under the old file
 * version, and registry version N would no longer be `vN.avsc`. `schemas/released.json` holds the
 * SHA-256 of every version's registered schema (envelope inlined) when it was first generated;
 * `npm run schemas:generate` adds new versions and never rewrites an entry.
 */
export const RELEASED_FILE = 'released.json';

export type Fingerprints = Record<string, string>;

export function fingerprint(registered: object): string {
  return createHash('sha256').update(JSON.stringify(registered)).digest('hex');
}

export function readFingerprints(schemasDir: string): Fingerprints {
  const path = join(schemasDir, RELEASED_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Fingerprints) : {};
}

export interface ReleasedCheck {
  /** The recorded fingerprints plus those of versions not recorded yet. */
  fingerprints: Fingerprints;
  added: string[];
  /** Recorded versions whose content changed, or whose file is gone. */
  problems: string[];
}

export function checkReleased(set: SchemaSet, recorded: Fingerprints): ReleasedCheck {
  const fingerprints: Fingerprints = { ...recorded };
  const added: string[] = [];
  const problems: string[] = [];
  const present = new Set<string>();
  for (const event of set.events) {
    for (const version of event.versions) {
      present.add(version.file);
      const actual = fingerprint(version.registered);
      const expected = recorded[version.file];
      if (expected === undefined) {
        fingerprints[version.file] = actual;
        added.push(version.file);
      } else if (expected !== actual) {
        problems.push(
          `${version.file} changed after it was released (docs included: the registry compares content); ` +
            `restore it and put the change in v${event.versions.length + 1}.avsc`,
        );
      }
    }
  }
  for (const file of Object.keys(recorded)) {
    if (!present.has(file)) problems.push(`${file} was released and is gone; versions are never removed`);
  }
  return {
    fingerprints: Object.fromEntries(Object.entries(fingerprints).sort(([a], [b]) => a.localeCompare(b))),
    added,
    problems,
  };
}

export function renderFingerprints(fingerprints: Fingerprints): string {
  return `${JSON.stringify(fingerprints, null, 2)}\n`;
}
