import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { routesOf } from '@throughline/messaging-nest';

import { REPO_ROOT } from '../stack/config';
import { ServiceDocument, serviceDocuments } from './documents';

jest.setTimeout(120_000);

/**
 * Issue #11: every service's OpenAPI document is committed (apps/<service>/openapi.json), is what
 * the code generates (the same function serves GET /docs), documents the schema of every body and
 * query its handlers parse, and passes Redocly's recommended ruleset (redocly.yaml).
 */
const documents: ServiceDocument[] = serviceDocuments();

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: {
    ruleId: string;
    severity: string;
    message: string;
    location: { source: { ref: string }; pointer: string }[];
  }[];
}

describe('OpenAPI documents', () => {
  it('exist for every service with HTTP routes', () => {
    expect(documents.map((d) => d.service)).toEqual(
      expect.arrayContaining([
        'billing',
        'contract',
        'ingress',
        'outbound',
        'project',
        'reporting',
        'sla',
        'staffing',
      ]),
    );
  });

  it.each(documents.map((d) => [d.file, d] as const))('%s is what the code generates', (file, document) => {
    const committed = existsSync(document.path) ? readFileSync(document.path, 'utf8') : undefined;
    if (committed !== document.content) {
      throw new Error(
        `${file} ${committed === undefined ? 'is missing' : 'differs from what the controllers and their zod schemas generate'}: run npm run openapi and commit the result`,
      );
    }
  });

  it('declare the schema of every body and query object a handler reads (@BodySchema, @QuerySchema)', () => {
    const undocumented = documents.flatMap((document) =>
      document.controllers.flatMap((controller) =>
        routesOf(controller).flatMap((route) => [
          ...(route.readsBody && ['POST', 'PUT', 'PATCH'].includes(route.method) && !route.body
            ? [`${document.service} ${route.method} ${route.path}: body without @BodySchema`]
            : []),
          ...(route.readsQueryObject && !route.query
            ? [`${document.service} ${route.method} ${route.path}: @Query() without @QuerySchema`]
            : []),
        ]),
      ),
    );
    expect(undocumented).toEqual([]);
  });

  it('pass the Redocly recommended ruleset with no error', async () => {
    const cli = join(REPO_ROOT, 'node_modules', '.bin', 'redocly');
    const result = await promisify(execFile)(
      cli,
      ['lint', '--config', join(REPO_ROOT, 'redocly.yaml'), '--format=json', ...documents.map((d) => d.path)],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    // One JSON report per document, written back to back (`}{`).
    const reports = result.stdout
      .split(/(?=\{\s*"totals")/)
      .filter((chunk) => chunk.trim().startsWith('{'))
      .map((chunk) => JSON.parse(chunk) as LintReport);
    expect(reports).toHaveLength(documents.length);
    const totals = {
      errors: reports.reduce((sum, report) => sum + report.totals.errors, 0),
      warnings: reports.reduce((sum, report) => sum + report.totals.warnings, 0),
    };
    const problems = reports.flatMap((report) => report.problems);
    const errors = problems
      .filter((problem) => problem.severity === 'error')
      .map(
        (p) => `${p.location[0]?.source.ref ?? ''}${p.location[0]?.pointer ?? ''}: ${p.ruleId}: ${p.message}`,
      );
    expect(errors).toEqual([]);
    expect(totals.errors).toBe(0);
    console.log(
      JSON.stringify({
        documents: documents.length,
        lintErrors: totals.errors,
        lintWarnings: totals.warnings,
      }),
    );
  });
});
