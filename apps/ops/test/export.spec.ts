import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent, EventPublisher } from '@throughline/messaging';
import { createMessagingTestContext, MessagingTestContext } from '@throughline/messaging/testing';

import { run } from '../src/interface/cli';

jest.setTimeout(120_000);

/** `throughline export` against the real stack, its files read back with DuckDB as an analyst would. */
describe('throughline export against the real stack', () => {
  let ctx: MessagingTestContext;
  const dir = mkdtempSync(join(tmpdir(), 'tl-export-'));

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await run(
      argv,
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      { env: { ...process.env, TOPIC_PREFIX: ctx.naming.prefix } },
    );
    return { code, stdout, stderr };
  }

  async function query(sql: string): Promise<{ rows: Record<string, unknown>[]; types: string[] }> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql);
      return { rows: reader.getRowObjectsJson() as Record<string, unknown>[], types: reader.columnTypes().map(String) };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  const invoice = (invoiceId: string, currency: string, totalMinor: number, occurredAt: number) =>
    createEvent(
      'InvoiceIssued',
      { ...sampleEventRecord('InvoiceIssued').data, invoiceId, currency, totalMinor, legalEntityId: 'LE-NL' },
      { source: 'billing' },
      () => occurredAt,
    );

  beforeAll(async () => {
    ctx = await createMessagingTestContext(['InvoiceIssued']);
    const publisher = new EventPublisher(ctx.kafka, ctx.codec(), ctx.naming);
    await publisher.connect();
    // INV-1 twice (its later state wins in --current), INV-2 in yen (no minor digits), INV-3 in dinar.
    await publisher.publish(
      [
        invoice('INV-1', 'EUR', 1_097_120, Date.UTC(2026, 10, 2, 9)),
        invoice('INV-2', 'JPY', 5_000, Date.UTC(2026, 10, 3, 9)),
        invoice('INV-3', 'KWD', 1_500, Date.UTC(2026, 10, 4, 9)),
        invoice('INV-1', 'EUR', 1_097_121, Date.UTC(2026, 10, 5, 9)),
      ].map((record) => ({ record })),
    );
    await publisher.disconnect();
  });

  it('writes every event as typed Parquet: exact decimals with their currency, UTC timestamps', async () => {
    const file = join(dir, 'invoices.parquet');
    const result = await cli('export', 'InvoiceIssued', '--out', file);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('exported 4 events of InvoiceIssued');
    const { rows, types } = await query(
      `SELECT invoiceId, currency, total, totalMinor, occurredAt FROM '${file}' ORDER BY occurredAt`,
    );
    expect(types).toEqual(['VARCHAR', 'VARCHAR', 'DECIMAL(38,4)', 'BIGINT', 'TIMESTAMP WITH TIME ZONE']);
    expect(rows.map((row) => [row['invoiceId'], row['currency'], row['total'], row['totalMinor']])).toEqual([
      ['INV-1', 'EUR', '10971.2000', '1097120'],
      ['INV-2', 'JPY', '5000.0000', '5000'],
      ['INV-3', 'KWD', '1.5000', '1500'],
      ['INV-1', 'EUR', '10971.2100', '1097121'],
    ]);
    const sums = await query(`SELECT currency, sum(total) AS total FROM '${file}' GROUP BY ALL ORDER BY currency`);
    expect(sums.rows).toEqual([
      { currency: 'EUR', total: '21942.4100' },
      { currency: 'JPY', total: '5000.0000' },
      { currency: 'KWD', total: '1.5000' },
    ]);
  });

  it('writes the current state per entity as CSV', async () => {
    const file = join(dir, 'current.csv');
    // The topic's key is the customer (one for all four): per customer, only INV-1's latest is left.
    const perKey = await cli('export', 'InvoiceIssued', '--out', file, '--current');
    expect(perKey.stdout).toContain('exported 1 entities (last event per key)');
    const result = await cli('export', 'InvoiceIssued', '--out', file, '--current', '--by', 'invoiceId');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('exported 3 entities (last event per key)');
    // The CSV's text, as written (a CSV reader's type guess would turn it into a float).
    const { rows } = await query(
      `SELECT invoiceId, currency, total FROM read_csv('${file}', all_varchar = true) ORDER BY invoiceId`,
    );
    expect(rows).toEqual([
      { invoiceId: 'INV-1', currency: 'EUR', total: '10971.2100' },
      { invoiceId: 'INV-2', currency: 'JPY', total: '5000.0000' },
      { invoiceId: 'INV-3', currency: 'KWD', total: '1.5000' },
    ]);
  });

  it('refuses what it cannot do before reading anything', async () => {
    expect(await cli('export', 'InvoiceIsued', '--out', join(dir, 'x.parquet'))).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown event type "InvoiceIsued"'),
    });
    expect(await cli('export', 'InvoiceIssued', '--out', join(dir, 'x.xlsx'))).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('name it .parquet or .csv'),
    });
    expect(await cli('export', 'InvoiceIssued')).toMatchObject({ code: 2, stderr: expect.stringContaining('--out') });
    expect(
      await cli('export', 'InvoiceIssued', '--out', join(dir, 'x.csv'), '--current', '--by', 'invoiceNo'),
    ).toMatchObject({ code: 2, stderr: expect.stringContaining('--by invoiceNo: InvoiceIssued has no such field') });
  });
});
