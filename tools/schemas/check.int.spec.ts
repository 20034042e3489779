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

describe('schemas:check on a subject registered out of order', () => {
  const prefix = `test-${randomBytes(4).toString('hex')}.`;
  const misnumbered = `${prefix}throughline.deal.deal-won-value`;
  const check = () => checkSchemas({ registryUrl, subjectPrefix: prefix, eventTypes: ['DealWon'] });

  afterAll(async () => {
    await client.deleteSubject(misnumbered, true);
  });

  it('reports MISNUMBERED with the remediation when v2.avsc is registry version 1, and registers nothing', async () => {
    const v2 = loadSchemaSet().events.find((e) => e.eventType === 'DealWon')?.versions[1];
    await client.register(misnumbered, JSON.stringify(v2?.registered));

    const report = await check();

    expect(report.ok).toBe(false);
    expect(report.results.map((r) => r.status)).toEqual(['misnumbered', 'misnumbered']);
    expect(report.results[0].detail).toMatch(
      /v1\.avsc not registered.*registered out of order.*cannot be renumbered/,
    );
    expect(report.results[1].detail).toMatch(/v2\.avsc held as registry version 1 .*not 2/);
    expect(await client.listVersions(misnumbered)).toEqual([1]);
  });

  it('registers v1 and v2 in order once the subject is deleted, as the remediation says', async () => {
    await client.deleteSubject(misnumbered, true);

    const report = await check();

    expect(report.ok).toBe(true);
    expect(report.results.map((r) => [r.version, r.status, r.registry?.existing])).toEqual([
      [1, 'registered', undefined],
      [2, 'registered', undefined],
    ]);
    expect(await client.listVersions(misnumbered)).toEqual([1, 2]);
    const again = await check();
    expect(again.results.map((r) => r.registry?.existing?.version)).toEqual([1, 2]);
  });

  it('reports a registry that is ahead of the files (a version registered that has no vN.avsc)', async () => {
    const v2 = loadSchemaSet().events.find((e) => e.eventType === 'DealWon')?.versions[1]
      .registered as object;
    const v3 = { ...v2, fields: [...(v2 as { fields: object[] }).fields] };
    const data = (v3.fields[1] as { type: { fields: object[] } }).type;
    (v3.fields[1] as object) = {
      name: 'data',
      type: {
        ...data,
        fields: [...data.fields, { name: 'unmerged', type: ['null', 'string'], default: null }],
      },
    };
    await client.register(misnumbered, JSON.stringify(v3));

    const report = await check();

    expect(report.ok).toBe(false);
    expect(report.results.map((r) => r.status)).toEqual(['ok', 'ok', 'misnumbered']);
    expect(report.results[2].detail).toMatch(
      /holds 3 versions .* the files 2: registry version\(s\) 3\.\.3 have no vN\.avsc/,
    );
  });
});
