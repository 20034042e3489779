import { randomBytes } from 'node:crypto';

import { checkSchemas } from './check-schemas';
import { DEFAULT_REGISTRY_URL, RegistryError, SchemaRegistryClient } from './registry-client';
import { loadSchemaSet } from './schema-set';
import { copySchemas, readVersion, removeVersion, withField, writeVersion } from './test-helpers';

/**
 * Runs against the real registry (SCHEMA_REGISTRY_URL, default: the local Apicurio ccompat API). A random
 * subject prefix keeps it away from the real subjects and from other runs; the subject is deleted afterwards.
 */
const registryUrl = process.env['SCHEMA_REGISTRY_URL'] ?? DEFAULT_REGISTRY_URL;
const subjectPrefix = `test-${randomBytes(4).toString('hex')}.`;
const subject = `${subjectPrefix}throughline.deal.deal-won-value`;
const client = new SchemaRegistryClient({ url: registryUrl });

describe('schemas:check against the registry', () => {
  let schemas: ReturnType<typeof copySchemas>;
  let realV2: Record<string, unknown>;
  const check = () => checkSchemas({ schemasDir: schemas.dir, registryUrl, subjectPrefix });

  beforeAll(() => {
    schemas = copySchemas(['DealWon']);
    realV2 = readVersion(schemas.dir, 'DealWon', 2);
    removeVersion(schemas.dir, 'DealWon', 2);
  });

  afterAll(async () => {
    await client.deleteSubject(subject, true);
    schemas.cleanup();
  });

  it('registers v1 of a new subject and sets its compatibility to BACKWARD', async () => {
    const report = await check();

    expect(report.mode).toBe('registry');
    expect(report.results).toEqual([expect.objectContaining({ subject, version: 1, status: 'registered' })]);
    expect(await client.listVersions(subject)).toEqual([1]);
    expect(await client.getCompatibility(subject)).toBe('BACKWARD');
  });

  it('is idempotent: an already registered version is reported ok', async () => {
    const report = await check();

    expect(report.ok).toBe(true);
    expect(report.results[0]).toMatchObject({ status: 'ok', registry: { existing: { version: 1 } } });
    expect(report.results[0].detail).toMatch(/already registered as version 1/);
  });

  it('rejects a breaking v2 (required field without default) with the registry naming the field', async () => {
    const v1 = readVersion(schemas.dir, 'DealWon', 1);
    writeVersion(schemas.dir, 'DealWon', 2, withField(v1, { name: 'salesRegion', type: 'string' }));

    const report = await check();

    expect(report.ok).toBe(false);
    const v2 = report.results[1];
    expect(v2).toMatchObject({ version: 2, status: 'incompatible', registry: { compatible: false } });
    expect(v2.registry?.messages.join(' ')).toContain('data.salesRegion');
    expect(v2.detail).toMatch(/registry: .*data\.salesRegion/);
    expect(await client.listVersions(subject)).toEqual([1]);

    // The registry itself enforces BACKWARD: registering directly is refused too.
    const breaking = JSON.stringify(loadSchemaSet(schemas.dir).events[0].versions[1].registered);
    const refused = await client.register(subject, breaking).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).status).toBe(409);
    expect((refused as RegistryError).body).toContain('salesRegion');
  });

  it('accepts and registers a compatible v2 (optional field with default null)', async () => {
    writeVersion(schemas.dir, 'DealWon', 2, realV2);

    const report = await check();

    expect(report.ok).toBe(true);
    expect(report.results.map((r) => r.status)).toEqual(['ok', 'registered']);
    expect(report.results[1].registry).toMatchObject({ compatible: true });
    expect(await client.listVersions(subject)).toEqual([1, 2]);
  });

  it('refuses a registered version that was edited in place', async () => {
    // Apicurio matches schemas on their canonical form, so the edit must change more than docs or whitespace.
    const v1 = readVersion(schemas.dir, 'DealWon', 1);
    writeVersion(
      schemas.dir,
      'DealWon',
      1,
      withField(v1, { name: 'legacyRef', type: ['null', 'string'], default: null }),
    );

    const report = await check();

    expect(report.ok).toBe(false);
    expect(report.results[0].status).toBe('incompatible');
    expect(report.results[0].detail).toMatch(/differs from what the registry holds/);
    expect(report.results[1].status).toBe('skipped');
  });
});
