import { epochDay } from '@throughline/calendar';
import { EventPayloads, ProjectCreated } from '@throughline/contracts';
import { eventually, EventProbe } from '@throughline/messaging/testing';

import { InvoiceView } from '../src/application/invoicing.service';
import { REVERSE_CHARGE_NOTE, taxSetupExceptionId } from '../src/domain/tax';
import { BillingUnderTest, event, projectCreated } from './fixtures';

jest.setTimeout(90_000);

const LE = 'LE-TAX';

function project(projectId: string, customerId: string): ProjectCreated {
  return projectCreated(projectId, {
    customerId,
    legalEntityId: LE,
    roles: [{ role: 'Consultant', hoursHundredths: 10_000, rateMinor: 12_345, skills: [] }],
    rateCardId: 'RC-TAX',
  });
}

describe('billing tax on invoices against the real stack (BILLING_TAX=required)', () => {
  let billing: BillingUnderTest;
  let probe: EventProbe;

  beforeAll(async () => {
    billing = await BillingUnderTest.start(
      ['BillingProvisioned', 'ActualChanged', 'BusinessExceptionRaised', 'InvoiceIssued'],
      { BILLING_TAX: 'required' },
    );
    ({ probe } = billing);
  });

  afterAll(() => billing.stop());

  const post = (path: string, body: unknown) => billing.post(path, body);
  const get = <T>(path: string) => billing.get<T>(path);

  it('taxes per invoice and rate, reverse-charges an EU company abroad, and raises a setup gap at the close', async () => {
    await probe.publish(
      event('TaxRegimeUpserted', {
        legalEntityId: LE,
        country: 'NL',
        standardTaxCode: 'S',
        rates: [
          // 19 % until 2030, 21 % from 2031: the invoices are issued in 2031.
          {
            taxCode: 'S',
            rateBasisPoints: 1_900,
            effectiveFrom: epochDay('2020-01-01'),
            effectiveTo: epochDay('2030-12-31'),
          },
          { taxCode: 'S', rateBasisPoints: 2_100, effectiveFrom: epochDay('2031-01-01'), effectiveTo: null },
        ],
        upsertedBy: null,
      }),
      event('CustomerTaxProfileUpserted', {
        customerId: 'C-TAX-NL',
        country: 'NL',
        taxId: 'NL123456789B01',
        upsertedBy: null,
      }),
      event('CustomerTaxProfileUpserted', {
        customerId: 'C-TAX-DE',
        country: 'DE',
        taxId: 'DE123456789',
        upsertedBy: null,
      }),
      event('RateCardUpserted', {
        rateCardId: 'RC-TAX',
        legalEntityId: LE,
        currency: 'EUR',
        effectiveFrom: '2031-01-01',
        effectiveTo: null,
        rates: [{ role: 'Consultant', rateMinor: 12_345, costRateMinor: 6_000 }],
        upsertedBy: null,
      }),
      event('ProjectCreated', project('PRJ-TAX-NL', 'C-TAX-NL'), 'project'),
      event('ProjectCreated', project('PRJ-TAX-DE', 'C-TAX-DE'), 'project'),
      event('ProjectCreated', project('PRJ-TAX-XX', 'C-TAX-XX'), 'project'),
    );
    for (const projectId of ['PRJ-TAX-NL', 'PRJ-TAX-DE', 'PRJ-TAX-XX']) {
      await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === projectId);
    }
    const entry = (entryId: string, projectId: string, hoursHundredths: number) =>
      event('TimeEntryApproved', {
        entryId,
        projectId,
        personId: 'P-ADA',
        role: 'Consultant',
        workDate: '2031-01-10',
        hoursHundredths,
        billable: true,
        approvedAt: Date.parse('2031-01-10T18:00:00Z'),
        approvedBy: 'U-APPROVER',
        sourceSystem: 'PSA',
        revision: 1,
        correctionReason: null,
      });
    await probe.publish(
      entry('TE-TAX-NL-1', 'PRJ-TAX-NL', 100),
      entry('TE-TAX-NL-2', 'PRJ-TAX-NL', 50),
      entry('TE-TAX-DE', 'PRJ-TAX-DE', 200),
      entry('TE-TAX-XX', 'PRJ-TAX-XX', 100),
    );
    for (const actualId of ['TE-TAX-NL-1', 'TE-TAX-NL-2', 'TE-TAX-DE', 'TE-TAX-XX']) {
      await probe.waitFor(
        'ActualChanged',
        (e) => e.data.actualId === actualId && e.data.status === 'UNBILLED',
      );
    }
    expect((await post('/billing-periods/2031-01/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const [nl, de, xx] = ['NL', 'DE', 'XX'].map((c) => `INV-2031-01-C-TAX-${c}-${LE}-EUR`);

    // The close already names the draft billing cannot tax (customer without a tax profile).
    const gap = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.exceptionId === taxSetupExceptionId(xx),
    );
    expect(gap.data).toMatchObject({
      code: 'TAX_SETUP_MISSING',
      ownerRole: 'FINANCE_OPERATIONS',
      entityId: xx,
    });
    expect(gap.data.details['gaps']).toBe('NO_CUSTOMER_TAX_PROFILE');

    // Domestic: 1.00 h × 123.45 = 12,345 and 0.50 h × 123.45 = 6,172.50 → 6,172 (carry 0.50): one
    // TIME line of 18,517. Tax 18,517 × 21 % = 3,888.57 → 3,889 (half up); due 18,517 + 3,889 = 22,406.
    const nlIssue = await post(`/invoices/${nl}/issue`, { issuedOn: '2031-02-05' });
    expect(nlIssue.status).toBe(200);
    const nlEvent = await probe.waitFor('InvoiceIssued', (e) => e.data.invoiceId === nl);
    expect(nlEvent.data).toMatchObject({
      netMinor: 18_517,
      taxMinor: 3_889,
      totalMinor: 22_406,
      taxes: [{ taxCode: 'S', rateBasisPoints: 2_100, netMinor: 18_517, taxMinor: 3_889 }],
      reverseCharge: false,
      taxNote: null,
      customerCountry: 'NL',
      customerTaxId: 'NL123456789B01',
    });
    expect(nlEvent.data.lines).toEqual([
      expect.objectContaining({
        amountMinor: 18_517,
        taxCode: 'S',
        taxRateBasisPoints: 2_100,
        taxMinor: 3_889,
      }),
    ]);
    // AR is the amount due: net + tax.
    expect(await get<InvoiceView>(`/invoices/${nl}`)).toMatchObject({
      totalMinor: 22_406,
      netMinor: 18_517,
      taxMinor: 3_889,
      openMinor: 22_406,
    });

    // Cross-border B2B within the EU: 2.00 h × 123.45 = 24,690 at 0 % with the reverse-charge note.
    expect((await post(`/invoices/${de}/issue`, { issuedOn: '2031-02-05' })).status).toBe(200);
    const deEvent = await probe.waitFor('InvoiceIssued', (e) => e.data.invoiceId === de);
    expect(deEvent.data).toMatchObject({
      netMinor: 24_690,
      taxMinor: 0,
      totalMinor: 24_690,
      taxes: [{ taxCode: 'REVERSE_CHARGE', rateBasisPoints: 0, netMinor: 24_690, taxMinor: 0 }],
      reverseCharge: true,
      taxNote: REVERSE_CHARGE_NOTE,
    });

    // Without a tax profile the draft is refused and takes no number...
    const refused = await post(`/invoices/${xx}/issue`, { issuedOn: '2031-02-05' });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: 'TAX_SETUP_MISSING' });
    expect(await get<InvoiceView>(`/invoices/${xx}`)).toMatchObject({ status: 'DRAFT', invoiceNumber: null });
    // ...until the profile arrives: a Dutch consumer (no VAT id) pays Dutch VAT:
    // 1.00 h × 123.45 = 12,345; 12,345 × 21 % = 2,592.45 → 2,592; due 14,937.
    await probe.publish(
      event('CustomerTaxProfileUpserted', {
        customerId: 'C-TAX-XX',
        country: 'NL',
        taxId: null,
        upsertedBy: null,
      }),
    );
    const issued = await eventually(async () => {
      const response = await post(`/invoices/${xx}/issue`, { issuedOn: '2031-02-05' });
      return response.status === 200 && ((await response.json()) as EventPayloads['InvoiceIssued']);
    });
    expect(issued).toMatchObject({
      netMinor: 12_345,
      taxMinor: 2_592,
      totalMinor: 14_937,
      customerTaxId: null,
    });
  });
});
