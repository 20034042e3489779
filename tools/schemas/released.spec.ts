import { checkReleased, readFingerprints } from './released';
import { DEFAULT_SCHEMAS_DIR, loadSchemaSet } from './schema-set';
import { copySchemas, readVersion, removeVersion, writeVersion } from './test-helpers';

describe('released schema versions', () => {
  it('the committed schemas are exactly the released ones (schemas/released.json)', () => {
    const check = checkReleased(loadSchemaSet(DEFAULT_SCHEMAS_DIR), readFingerprints(DEFAULT_SCHEMAS_DIR));
    expect(check.problems).toEqual([]);
    expect(check.added).toEqual([]);
  });

  it('refuses a released version whose doc changed, and one that is gone; records a new one', () => {
    const { dir, cleanup } = copySchemas(['PaymentReceived', 'DealWon']);
    try {
      // The copy holds two events: the record of the others does not apply to it.
      const recorded = Object.fromEntries(
        Object.entries(readFingerprints(dir)).filter(([file]) => /^events\/(payment-received|deal-won)\//.test(file)),
      );
      const v1 = readVersion(dir, 'PaymentReceived', 1) as { doc: string };
      writeVersion(dir, 'PaymentReceived', 1, { ...v1, doc: `${v1.doc} Reworded.` });
      const latest = readVersion(dir, 'DealWon', 2);
      writeVersion(dir, 'DealWon', 3, latest);
      const check = checkReleased(loadSchemaSet(dir), recorded);
      expect(check.problems).toEqual([
        expect.stringContaining('events/payment-received/v1.avsc changed after it was released'),
      ]);
      expect(check.added).toEqual(['events/deal-won/v3.avsc']);

      removeVersion(dir, 'DealWon', 3);
      removeVersion(dir, 'DealWon', 2);
      expect(checkReleased(loadSchemaSet(dir), recorded).problems).toContainEqual(
        'events/deal-won/v2.avsc was released and is gone; versions are never removed',
      );
    } finally {
      cleanup();
    }
  });
});
