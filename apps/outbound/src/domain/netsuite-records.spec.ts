import { sampleEventRecord } from '@throughline/contracts/testing';

import { invoiceIdempotencyKey, netSuiteCustomer, netSuiteInvoice, netSuiteJob } from './netsuite-records';

describe('NetSuite records', () => {
  it('upserts a customer as a company, inactive when blocked', () => {
    const customer = sampleEventRecord('CustomerUpserted').data;
    expect(netSuiteCustomer(customer)).toEqual({
      externalId: 'C-100',
      companyName: 'Acme GmbH',
      isPerson: false,
      isInactive: false,
    });
    expect(netSuiteCustomer({ ...customer, status: 'BLOCKED' }).isInactive).toBe(true);
  });

  it('upserts a project as a job under its customer', () => {
    expect(netSuiteJob(sampleEventRecord('ProjectCreated').data)).toEqual({
      externalId: 'prj-1',
      companyName: 'Acme ERP rollout (DE)',
      parent: { externalId: 'C-100' },
      startDate: '2025-04-01',
      projectedEndDate: '2025-09-30',
    });
  });

  it('creates the invoice with one item line per summary line, amounts exact in decimal', () => {
    const invoice = sampleEventRecord('InvoiceIssued').data;
    expect(netSuiteInvoice(invoice)).toEqual({
      externalId: 'INV-2025-04-C-100-LE-DE-EUR',
      tranId: 'LE-DE-2025-0001',
      entity: { externalId: 'C-100' },
      tranDate: '2025-05-02',
      dueDate: '2025-06-01',
      memo: 'Throughline INV-2025-04-C-100-LE-DE-EUR (LE-DE, 2025-04, EUR)',
      item: {
        items: [
          {
            item: { externalId: 'THROUGHLINE-TIME' },
            description: 'Consultant, 7.50 h at 150.00',
            quantity: 7.5,
            rate: 150,
            amount: 1125,
          },
          { item: { externalId: 'THROUGHLINE-EXPENSE' }, description: 'TRAVEL 2025-04-02', amount: 189.5 },
        ],
      },
    });
  });

  it('keeps the minor-unit digits of the currency and sends no rate unless hours × rate is the amount', () => {
    const sample = sampleEventRecord('InvoiceIssued').data;
    const [first] = sample.lines;
    if (!first) throw new Error('the sample invoice has no line');
    const line = { ...first, quantityHundredths: 1_001, unitPriceMinor: null, amountMinor: 123_457 };
    const jpy = netSuiteInvoice({ ...sample, currency: 'JPY', lines: [line] });
    expect(jpy.item.items).toEqual([
      {
        item: { externalId: 'THROUGHLINE-TIME' },
        description: line.description,
        quantity: 10.01,
        amount: 123_457,
      },
    ]);
    const rounded = netSuiteInvoice({
      ...sample,
      lines: [{ ...line, quantityHundredths: 33, unitPriceMinor: 1_001, amountMinor: 330 }],
    });
    expect(rounded.item.items[0]).not.toHaveProperty('rate');
    const eur = netSuiteInvoice({ ...sample, lines: [{ ...line, amountMinor: 10 }] });
    expect(JSON.stringify(eur.item.items[0]?.amount)).toBe('0.1');
  });

  it('derives one stable UUID v5 idempotency key per invoice', () => {
    // python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('5b0d7e52-8a4e-4c52-9a43-4a1f0c3e6d21'),
    //   'throughline:invoice:INV-2025-04-C-100-LE-DE-EUR'))"
    expect(invoiceIdempotencyKey('INV-2025-04-C-100-LE-DE-EUR')).toBe('f4cc5085-cbe3-52ed-bdb5-7df8e3057c04');
    expect(invoiceIdempotencyKey('INV-2')).not.toBe(invoiceIdempotencyKey('INV-1'));
  });
});
