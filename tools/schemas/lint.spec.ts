import { checkSchemas } from './check-schemas';
import { lintSchemas } from './lint';
import { loadSchemaSet, type AvroJson } from './schema-set';
import { copySchemas, readVersion, withField, writeVersion } from './test-helpers';

describe('schema lint (#13)', () => {
  it('finds a doc on every field of the envelope and of the latest version of every event', () => {
    expect(lintSchemas(loadSchemaSet())).toEqual([]);
  });

  describe('on a copy', () => {
    let schemas: ReturnType<typeof copySchemas>;
    beforeEach(() => {
      schemas = copySchemas(['DealWon', 'RateCardUpserted']);
    });
    afterEach(() => schemas.cleanup());

    it('names a nested field without a doc, and schemas:check --local fails on it', async () => {
      const v2 = readVersion(schemas.dir, 'DealWon', 2);
      const lines = (v2['fields'] as AvroJson[]).find((f) => f['name'] === 'lines') as AvroJson;
      const line = ((lines['type'] as AvroJson)['items'] as AvroJson)['fields'] as AvroJson[];
      delete line.find((f) => f['name'] === 'role')?.['doc'];
      writeVersion(schemas.dir, 'DealWon', 2, v2);

      expect(lintSchemas(loadSchemaSet(schemas.dir))).toEqual([
        'events/deal-won/v2.avsc: data.lines[].role has no doc',
      ]);
      const report = await checkSchemas({ schemasDir: schemas.dir, local: true });
      expect(report.ok).toBe(false);
      expect(report.lint).toHaveLength(1);
    });

    it('does not ask an earlier version for docs, only the latest', () => {
      const v1 = readVersion(schemas.dir, 'DealWon', 1);
      writeVersion(
        schemas.dir,
        'DealWon',
        1,
        withField(v1, { name: 'legacy', type: ['null', 'string'], default: null }),
      );
      // v2 does not carry `legacy`: removing a field is BACKWARD compatible, and v1's missing doc is history.
      expect(lintSchemas(loadSchemaSet(schemas.dir))).toEqual([]);
    });

    it('requires timestamp-millis and date on the instants and dates a new version adds', () => {
      const v1 = readVersion(schemas.dir, 'RateCardUpserted', 1);
      writeVersion(
        schemas.dir,
        'RateCardUpserted',
        2,
        withField(
          withField(v1, {
            name: 'approvedAt',
            type: ['null', 'long'],
            default: null,
            doc: 'When it was approved.',
          }),
          { name: 'reviewDate', type: ['null', 'string'], default: null, doc: 'Next review.' },
        ),
      );
      expect(lintSchemas(loadSchemaSet(schemas.dir))).toEqual([
        'events/rate-card-upserted/v2.avsc: data.approvedAt is a new instant: type it {"type": "long", "logicalType": "timestamp-millis"}',
        'events/rate-card-upserted/v2.avsc: data.reviewDate is a new calendar date: type it {"type": "int", "logicalType": "date"}',
      ]);

      writeVersion(
        schemas.dir,
        'RateCardUpserted',
        2,
        withField(
          withField(v1, {
            name: 'approvedAt',
            type: ['null', { type: 'long', logicalType: 'timestamp-millis' }],
            default: null,
            doc: 'When it was approved.',
          }),
          {
            name: 'reviewDate',
            type: ['null', { type: 'int', logicalType: 'date' }],
            default: null,
            doc: 'Next review.',
          },
        ),
      );
      // Fields carried over from v1 (effectiveFrom, a string) keep their type: changing it would not be compatible.
      expect(lintSchemas(loadSchemaSet(schemas.dir))).toEqual([]);
    });
  });
});
