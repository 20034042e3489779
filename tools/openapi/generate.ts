import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { serviceDocuments } from './documents';

/**
 * npm run openapi [-- --check]
 *
 * Writes apps/<service>/openapi.json (OpenAPI 3.1) for every service, from its controllers and the
 * zod schemas its handlers validate with: the document the service serves at GET /docs. With
 * --check, exits 1 when a committed file differs (tools/openapi/openapi.spec.ts does the same in the
 * test command, and lints every document).
 */
function main(): number {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const documents = serviceDocuments();
  const stale = documents.filter(
    (document) => !existsSync(document.path) || readFileSync(document.path, 'utf8') !== document.content,
  );
  if (values.check) {
    if (stale.length === 0) {
      console.log(`${documents.map((d) => d.file).join(', ')}: up to date`);
      return 0;
    }
    console.error(
      `stale: ${stale.map((d) => d.file).join(', ')} — run npm run openapi and commit the result`,
    );
    return 1;
  }
  for (const document of stale) writeFileSync(document.path, document.content);
  console.log(stale.length === 0 ? 'up to date' : `wrote ${stale.map((d) => d.file).join(', ')}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`openapi failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
