import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import { checkSchemas } from './check-schemas';
import { copySchemas, readVersion, withField, writeVersion } from './test-helpers';

describe('checkSchemas --local', () => {
  let schemas: ReturnType<typeof copySchemas>;

  beforeEach(() => {
    schemas = copySchemas();
  });

  afterEach(() => schemas.cleanup());

  it('passes the committed schemas', async () => {
    const report = await checkSchemas({ schemasDir: schemas.dir, local: true });
    expect(report.ok).toBe(true);
    expect(report.results.filter((r) => r.eventType === 'DealWon').map((r) => [r.version, r.status])).toEqual(
      [
        [1, 'ok'],
        [2, 'ok'],
      ],
    );
  });

  it('reports a new version adding a required field (no default) as incompatible, naming the field', async () => {
    const v2 = readVersion(schemas.dir, 'DealWon', 2);
    writeVersion(schemas.dir, 'DealWon', 3, withField(v2, { name: 'salesRegion', type: 'string' }));

    const report = await checkSchemas({ schemasDir: schemas.dir, local: true });

    expect(report.ok).toBe(false);
    const v3 = report.results.find((r) => r.eventType === 'DealWon' && r.version === 3);
    expect(v3).toMatchObject({ status: 'incompatible', subject: 'throughline.deal.deal-won-value' });
    expect(v3?.detail).toContain('data.salesRegion');
    expect(v3?.detail).toMatch(/without a default/);
    expect(v3?.local).toMatchObject({ compatible: false });
    expect(report.results.filter((r) => r.status === 'incompatible')).toHaveLength(1);
  });

  it('accepts a new version adding an optional field with default null', async () => {
    const v2 = readVersion(schemas.dir, 'DealWon', 2);
    writeVersion(
      schemas.dir,
      'DealWon',
      3,
      withField(v2, { name: 'salesRegion', type: ['null', 'string'], default: null }),
    );
    const report = await checkSchemas({ schemasDir: schemas.dir, local: true, eventTypes: ['DealWon'] });
    expect(report.results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('names nested fields whose type changed', async () => {
    const v2 = readVersion(schemas.dir, 'DealWon', 2);
    const v3 = JSON.parse(
      JSON.stringify(v2).replace(
        '"name":"hoursHundredths","type":"long"',
        '"name":"hoursHundredths","type":"string"',
      ),
    );
    writeVersion(schemas.dir, 'DealWon', 3, v3);
    const report = await checkSchemas({ schemasDir: schemas.dir, local: true, eventTypes: ['DealWon'] });
    expect(report.results[2].detail).toContain(
      'data.lines[].hoursHundredths: type changed from long to string',
    );
  });

  it('the CLI exits 1 and prints INCOMPATIBLE with the reason', () => {
    const v2 = readVersion(schemas.dir, 'DealWon', 2);
    writeVersion(schemas.dir, 'DealWon', 3, withField(v2, { name: 'salesRegion', type: 'string' }));
    const run = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), resolve(__dirname, 'check.ts'), '--local', '--schemas-dir', schemas.dir],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /DealWon\s+throughline\.deal\.deal-won-value {2}v3 {2}INCOMPATIBLE: v2 → v3: data\.salesRegion/,
    );
    expect(run.stdout).toContain('1 incompatible');
  }, 60_000);

  it('the CLI exits 2 with a clear message when the registry is unreachable', () => {
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), resolve(__dirname, 'check.ts')], {
      encoding: 'utf8',
      env: { ...process.env, SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('schema registry unreachable at http://127.0.0.1:9/apis/ccompat/v7');
  }, 60_000);
});
