import { parseArgs } from 'node:util';

import { checkSchemas, formatCheck } from './check-schemas';
import { DEFAULT_REGISTRY_URL, RegistryError, RegistryUnreachableError } from './registry-client';
import { DEFAULT_SCHEMAS_DIR, SchemaSetError, errorMessage } from './schema-set';

/**
 * npm run schemas:check [-- --local] [--schemas-dir <dir>] [--registry-url <url>] [--subject-prefix <p>]
 *                                      [--event <EventType> ...]
 *
 * Exit codes: 0 all compatible, 1 incompatible or invalid schemas, 2 registry unreachable or misbehaving.
 * The registry URL defaults to $SCHEMA_REGISTRY_URL, then the local Apicurio ccompat endpoint.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      local: { type: 'boolean', default: false },
      'schemas-dir': { type: 'string', default: DEFAULT_SCHEMAS_DIR },
      'registry-url': { type: 'string' },
      'subject-prefix': { type: 'string' },
      event: { type: 'string', multiple: true },
    },
  });
  const registryUrl = values['registry-url'] ?? process.env['SCHEMA_REGISTRY_URL'] ?? DEFAULT_REGISTRY_URL;

  try {
    const report = await checkSchemas({
      schemasDir: values['schemas-dir'],
      local: values.local,
      registryUrl,
      subjectPrefix: values['subject-prefix'],
      eventTypes: values.event,
    });
    const width = Math.max(...report.results.map((r) => r.eventType.length));
    for (const result of report.results) {
      const line = formatCheck(result, width);
      if (result.status === 'incompatible' || result.status === 'misnumbered') console.error(line);
      else console.log(line);
    }
    for (const problem of report.lint) console.error(`LINT  ${problem}`);
    const count = (status: string): number => report.results.filter((r) => r.status === status).length;
    console.log(
      `${report.mode === 'local' ? 'local check (registry skipped)' : `registry ${report.registryUrl}`}: ` +
        `${report.results.length} schema versions, ${count('ok')} ok, ${count('registered')} registered, ` +
        `${count('incompatible')} incompatible${count('misnumbered') ? `, ${count('misnumbered')} misnumbered` : ''}` +
        `${count('skipped') ? `, ${count('skipped')} skipped` : ''}` +
        `${report.lint.length ? `; ${report.lint.length} lint problem(s)` : ''}`,
    );
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof RegistryUnreachableError) {
      console.error(
        `schemas:check: ${err.message}.\nStart the stack (npm run stack -- up), set SCHEMA_REGISTRY_URL, or run with --local.`,
      );
      return 2;
    }
    if (err instanceof RegistryError) {
      console.error(`schemas:check: unexpected registry answer: ${err.message}`);
      return 2;
    }
    console.error(err instanceof SchemaSetError ? err.message : `schemas:check failed: ${errorMessage(err)}`);
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
