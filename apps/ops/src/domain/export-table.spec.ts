import { registeredSchema } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';

import { DecodedRecord, exportColumns, exportRow, LatestPerKey, minorToDecimal } from './export-table';

describe('export table', () => {
  it('writes minor units as exact decimals for every ISO 4217 exponent', () => {
    expect(minorToDecimal(1_097_120n, 2)).toBe('10971.20');
    expect(minorToDecimal(5_000n, 0)).toBe('5000');
    expect(minorToDecimal(1_500n, 3)).toBe('1.500');
    expect(minorToDecimal(-5n, 2)).toBe('-0.05');
    expect(minorToDecimal(7n, 4)).toBe('0.0007');
    // Beyond 2^53: no float on the way.
    expect(minorToDecimal(9_007_199_254_740_993n, 2)).toBe('90071992547409.93');
  });

  it('types the envelope and the payload from the latest schema, money also as a decimal', () => {
    const columns = exportColumns(registeredSchema('InvoiceIssued'));
    const types = Object.fromEntries(columns.map((column) => [column.name, column.type]));
    expect(types).toMatchObject({
      eventId: 'VARCHAR',
      schemaVersion: 'INTEGER',
      occurredAt: 'TIMESTAMP',
      invoiceId: 'VARCHAR',
      totalMinor: 'BIGINT',
      total: 'DECIMAL',
      lines: 'VARCHAR',
    });
    // The decimal follows its minor units.
    const names = columns.map((column) => column.name);
    expect(names.indexOf('total')).toBe(names.indexOf('totalMinor') + 1);
  });

  it('reads a decoded event into text values: ISO instants and dates, JSON for nested values', () => {
    const record = sampleEventRecord('InvoiceIssued') as unknown as DecodedRecord;
    record.envelope['occurredAt'] = Date.UTC(2026, 10, 2, 9, 30);
    record.data['currency'] = 'KWD';
    record.data['totalMinor'] = 123_456;
    const columns = exportColumns(registeredSchema('InvoiceIssued'));
    const row = Object.fromEntries(columns.map((column, index) => [column.name, exportRow(columns, record)[index]]));
    expect(row).toMatchObject({
      occurredAt: '2026-11-02T09:30:00.000Z',
      totalMinor: '123456',
      total: '123.456',
      currency: 'KWD',
      lines: JSON.stringify(record.data['lines']),
    });
  });

  it('keeps the last row per key, and forgets a key on a tombstone', () => {
    const latest = new LatestPerKey<string | null>();
    latest.add('INV-1', 'first');
    latest.add('INV-2', 'other');
    latest.add('INV-1', 'second');
    latest.add('INV-3', 'gone');
    latest.add('INV-3', null);
    expect(latest.values().filter((row) => row !== null)).toEqual(['other', 'second']);
  });
});
