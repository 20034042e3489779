import { Pool } from 'pg';

import { EventPayloads, EventRecord } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { EventProbe, eventually } from '@throughline/messaging/testing';
import { dropDatabase } from '@throughline/persistence';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { PeriodSummary } from '../src/domain/figures';
import { REPORTED_EVENT_TYPES } from '../src/domain/timeline-entry';
import { createServiceTopics } from './service-topics';

jest.setTimeout(120_000);

type Invoice = EventPayloads['InvoiceIssued'];
type Line = Invoice['lines'][number];

const line = (
  lineId: string,
  amountMinor: number,
  taxCode: string | null,
  rate: number | null,
  taxMinor: number,
): Line => ({
  lineId,
  projectId: 'PRJ-TAX',
  dealId: 'D-TAX',
  kind: 'TIME',
  description: lineId,
  quantityHundredths: null,
  unitPriceMinor: null,
  amountMinor,
  sourceCount: 1,
  taxCode,
  taxRateBasisPoints: rate,
  taxMinor,
});

/** An InvoiceIssued of LE-NL for billing period 2031-01, as billing would publish it. */
function issued(invoiceId: string, fields: Partial<Invoice>): EventRecord<'InvoiceIssued'> {
  return createEvent(
    'InvoiceIssued',
    {
      ...sampleEventRecord('InvoiceIssued').data,
      invoiceId,
      invoiceNumber: `NL-2031-${invoiceId}`,
      legalEntityId: 'LE-NL',
      currency: 'EUR',
      billingPeriod: '2031-01',
      issuedOn: '2031-02-05',
      dueDate: '2031-03-07',
      issuedAt: Date.UTC(2031, 1, 5, 9),
      ...fields,
    },
    { source: 'billing' },
  );
}

/**
 * Tax in reporting (issue #12) from InvoiceIssued v3+ on the real stack. Worked example, LE-NL, EUR:
 *   T1  Dutch consumer: S 21 % on 123.45 → 25.9245 → 25.92; R 9 % on 11.11 → 0.9999 → 1.00;
 *       net 134.56, tax 26.92, due 161.48
 *   T2  German company: reverse charge, 0 % on 500.00; due 500.00
 *   T3  issued with tax off: net 10.00, no tax; due 10.00
 *   LE-NL: net 644.56, tax 26.92, gross 671.48 = the three amounts due.
 */
describe('tax in reporting against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let db: Pool;
  const config = testServiceConfig('reporting');

  beforeAll(async () => {
    await createServiceTopics(config, REPORTED_EVENT_TYPES);
    service = await startTestService(AppModule.forConfig(config), config);
    probe = new EventProbe(service.runtime as MessagingRuntime);
    db = new Pool({ connectionString: config.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    await db?.end();
    await probe?.stop();
    await (service ? service.stop() : dropDatabase(config.databaseName));
  });

  it('records each invoice’s net, tax, rates and reverse charge, and the period summary adds them up', async () => {
    const nlConsumer = issued('T1', {
      customerId: 'C-NL-B2C',
      lines: [line('T1-01', 12_345, 'S', 2_100, 2_592), line('T1-02', 1_111, 'R', 900, 100)],
      netMinor: 13_456,
      taxMinor: 2_692,
      totalMinor: 16_148,
      taxes: [
        { taxCode: 'R', rateBasisPoints: 900, netMinor: 1_111, taxMinor: 100 },
        { taxCode: 'S', rateBasisPoints: 2_100, netMinor: 12_345, taxMinor: 2_592 },
      ],
      reverseCharge: false,
      taxNote: null,
      customerCountry: 'NL',
      customerTaxId: null,
    });
    const germanCompany = issued('T2', {
      customerId: 'C-DE-B2B',
      lines: [line('T2-01', 50_000, 'REVERSE_CHARGE', 0, 0)],
      netMinor: 50_000,
      taxMinor: 0,
      totalMinor: 50_000,
      taxes: [{ taxCode: 'REVERSE_CHARGE', rateBasisPoints: 0, netMinor: 50_000, taxMinor: 0 }],
      reverseCharge: true,
      customerCountry: 'DE',
      customerTaxId: 'DE123456789',
    });
    const untaxed = issued('T3', {
      customerId: 'C-NL-OLD',
      lines: [line('T3-01', 1_000, null, null, 0)],
      netMinor: 1_000,
      taxMinor: 0,
      totalMinor: 1_000,
      taxes: [],
      reverseCharge: false,
      taxNote: null,
      customerCountry: null,
      customerTaxId: null,
    });
    await probe.publish(nlConsumer, germanCompany, untaxed);

    const summary = await eventually(async () => {
      const response = await fetch(`${service.url}/reports/summary?period=2031-01`);
      const body = (await response.json()) as PeriodSummary;
      return body.tax?.[0]?.invoices === 3 ? body : undefined;
    }, 60_000);

    expect(summary.invoices).toEqual([
      { currency: 'EUR', totalMinor: 67_148, count: 3, total: 'EUR 671.48' },
    ]);
    expect(summary.tax).toEqual([
      {
        legalEntityId: 'LE-NL',
        currency: 'EUR',
        invoices: 3,
        netMinor: 64_456,
        taxMinor: 2_692,
        grossMinor: 67_148,
        net: 'EUR 644.56',
        tax: 'EUR 26.92',
        gross: 'EUR 671.48',
        rates: [
          {
            taxCode: 'R',
            rateBasisPoints: 900,
            reverseCharge: false,
            netMinor: 1_111,
            taxMinor: 100,
            invoices: 1,
            net: 'EUR 11.11',
            tax: 'EUR 1.00',
          },
          {
            taxCode: 'REVERSE_CHARGE',
            rateBasisPoints: 0,
            reverseCharge: true,
            netMinor: 50_000,
            taxMinor: 0,
            invoices: 1,
            net: 'EUR 500.00',
            tax: 'EUR 0.00',
          },
          {
            taxCode: 'S',
            rateBasisPoints: 2_100,
            reverseCharge: false,
            netMinor: 12_345,
            taxMinor: 2_592,
            invoices: 1,
            net: 'EUR 123.45',
            tax: 'EUR 25.92',
          },
          {
            taxCode: null,
            rateBasisPoints: null,
            reverseCharge: false,
            netMinor: 1_000,
            taxMinor: 0,
            invoices: 1,
            net: 'EUR 10.00',
            tax: 'EUR 0.00',
          },
        ],
      },
    ]);

    // The read model, for analysts: per invoice, per line and per rate.
    const invoices = await db.query(
      `SELECT invoice_id, net_minor::int, tax_minor::int, total_minor::int, reverse_charge
         FROM projection_1.invoice WHERE billing_period = '2031-01' ORDER BY invoice_id`,
    );
    expect(invoices.rows).toEqual([
      { invoice_id: 'T1', net_minor: 13_456, tax_minor: 2_692, total_minor: 16_148, reverse_charge: false },
      { invoice_id: 'T2', net_minor: 50_000, tax_minor: 0, total_minor: 50_000, reverse_charge: true },
      { invoice_id: 'T3', net_minor: 1_000, tax_minor: 0, total_minor: 1_000, reverse_charge: false },
    ]);
    const lines = await db.query(
      `SELECT line_id, tax_code, tax_rate_basis_points, tax_minor::int
         FROM projection_1.invoice_line WHERE invoice_id = 'T1' ORDER BY line_id`,
    );
    expect(lines.rows).toEqual([
      { line_id: 'T1-01', tax_code: 'S', tax_rate_basis_points: 2_100, tax_minor: 2_592 },
      { line_id: 'T1-02', tax_code: 'R', tax_rate_basis_points: 900, tax_minor: 100 },
    ]);
  });
});
