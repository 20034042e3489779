import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { GENERATED_DIR, diffGenerated, renderContracts } from './codegen';
import { checkReleased, readFingerprints, RELEASED_FILE, renderFingerprints } from './released';
import { DEFAULT_SCHEMAS_DIR, SchemaSetError, errorMessage, loadSchemaSet } from './schema-set';

/**
 * npm run schemas:generate [-- --check] [--schemas-dir <dir>] [--out-dir <dir>]
 *
 * Writes libs/contracts/src/generated/*.ts from schemas/. With --check, renders in memory and exits 1 if the
 * committed files are stale (the contracts spec runs this).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      'schemas-dir': { type: 'string', default: DEFAULT_SCHEMAS_DIR },
      'out-dir': { type: 'string', default: GENERATED_DIR },
    },
  });
  const outDir = resolve(values['out-dir']);
  const schemasDir = resolve(values['schemas-dir']);
  const set = loadSchemaSet(schemasDir);
  const released = checkReleased(set, readFingerprints(schemasDir));
  if (released.problems.length > 0) {
    console.error(['Released schema versions changed:', ...released.problems.map((p) => `  ${p}`)].join('\n'));
    return 1;
  }
  const releasedPath = join(schemasDir, RELEASED_FILE);
  if (released.added.length > 0) {
    if (values.check) {
      console.error(`${RELEASED_FILE} lacks ${released.added.join(', ')} — run npm run schemas:generate and commit it.`);
      return 1;
    }
    writeFileSync(releasedPath, renderFingerprints(released.fingerprints));
    console.log(`${RELEASED_FILE}: recorded ${released.added.join(', ')}`);
  }
  const files = await renderContracts(set);
  const diff = diffGenerated(outDir, files);
  const changed = [...diff.stale, ...diff.missing, ...diff.extra];
  const where = relative(process.cwd(), outDir) || '.';

  if (values.check) {
    if (changed.length === 0) {
      console.log(`${where}: up to date (${files.length} files)`);
      return 0;
    }
    console.error(
      [
        `${where} is stale — run npm run schemas:generate and commit the result.`,
        ...diff.stale.map((f) => `  changed: ${f}`),
        ...diff.missing.map((f) => `  missing: ${f}`),
        ...diff.extra.map((f) => `  no longer generated: ${f}`),
      ].join('\n'),
    );
    return 1;
  }

  mkdirSync(outDir, { recursive: true });
  for (const file of files) writeFileSync(join(outDir, file.name), file.content);
  for (const file of diff.extra) rmSync(join(outDir, file));
  console.log(
    changed.length === 0
      ? `${where}: up to date (${files.length} files)`
      : `${where}: wrote ${[...diff.stale, ...diff.missing].join(', ') || 'nothing'}${diff.extra.length ? `; removed ${diff.extra.join(', ')}` : ''}`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(
      err instanceof SchemaSetError ? err.message : `schemas:generate failed: ${errorMessage(err)}`,
    );
    process.exitCode = 1;
  },
);
