import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_SCHEMAS_DIR, errorMessage, loadSchemaSet, SchemaSetError } from '../schemas/schema-set';
import { DOCS_DIR, renderDocs } from './render';

/**
 * npm run asyncapi [-- --check] [--schemas-dir <dir>] [--out-dir <dir>]
 *
 * Writes docs/asyncapi.yaml (AsyncAPI 3.0) and docs/asyncapi.html (the analysts' page) from schemas/ and the
 * services' consumer declarations. With --check, exits 1 when the committed files differ (asyncapi.spec.ts does
 * the same in the test command).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      'schemas-dir': { type: 'string', default: DEFAULT_SCHEMAS_DIR },
      'out-dir': { type: 'string', default: DOCS_DIR },
    },
  });
  const outDir = values['out-dir'];
  const { files } = await renderDocs(loadSchemaSet(values['schemas-dir']));
  const stale = files.filter(
    (file) =>
      !existsSync(join(outDir, file.name)) || readFileSync(join(outDir, file.name), 'utf8') !== file.content,
  );
  const where = (name: string): string => relative(process.cwd(), join(outDir, name));
  if (values.check) {
    if (stale.length === 0) {
      console.log(`${files.map((f) => where(f.name)).join(', ')}: up to date`);
      return 0;
    }
    console.error(
      `stale: ${stale.map((f) => where(f.name)).join(', ')} — run npm run asyncapi and commit the result`,
    );
    return 1;
  }
  mkdirSync(outDir, { recursive: true });
  for (const file of files) writeFileSync(join(outDir, file.name), file.content);
  console.log(stale.length === 0 ? 'up to date' : `wrote ${stale.map((f) => where(f.name)).join(', ')}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof SchemaSetError ? err.message : `asyncapi failed: ${errorMessage(err)}`);
    process.exitCode = 1;
  },
);
