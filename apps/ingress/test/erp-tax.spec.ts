import { epochDay } from '@throughline/calendar';
import { testSubject } from '@throughline/messaging-nest/testing';

import { IngressHarness, startIngress } from './ingress-harness';

jest.setTimeout(60_000);

/** ERP tax master data (issue #12): the producer of the events billing taxes invoices from. */
describe('ERP tax master data intake against the real stack', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngress(['TaxRegimeUpserted', 'CustomerTaxProfileUpserted']);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const send = (method: 'PUT' | 'POST', path: string, body: unknown) =>
    fetch(`${harness.service.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-erp-tax' },
      body: JSON.stringify(body),
    });

  const regime = {
    country: 'DE',
    standardTaxCode: 'S',
    rates: [
      { taxCode: 'S', rateBasisPoints: 1_600, effectiveFrom: '2020-07-01', effectiveTo: '2020-12-31' },
      { taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: '2021-01-01' },
      { taxCode: 'R', rateBasisPoints: 700, effectiveFrom: '2007-01-01', effectiveTo: null },
    ],
  };

  it('publishes a tax regime with epoch-day dates, nothing for an identical re-send, and again when a rate changes', async () => {
    const first = await send('PUT', '/erp/tax-regimes/LE-TAX-DE', regime);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      kind: 'TAX_REGIME',
      id: 'LE-TAX-DE',
      outcome: 'PUBLISHED',
      version: 1,
    });
    const event = await harness.probe.waitFor(
      'TaxRegimeUpserted',
      (e) => e.data.legalEntityId === 'LE-TAX-DE',
    );
    expect(event.envelope.key).toBe('LE-TAX-DE');
    expect(event.envelope.correlationId).toBe('corr-erp-tax');
    expect(event.data).toEqual({
      legalEntityId: 'LE-TAX-DE',
      country: 'DE',
      standardTaxCode: 'S',
      rates: [
        {
          taxCode: 'S',
          rateBasisPoints: 1_600,
          effectiveFrom: epochDay('2020-07-01'),
          effectiveTo: epochDay('2020-12-31'),
        },
        { taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: epochDay('2021-01-01'), effectiveTo: null },
        { taxCode: 'R', rateBasisPoints: 700, effectiveFrom: epochDay('2007-01-01'), effectiveTo: null },
      ],
      upsertedBy: await testSubject(),
    });

    // The defaults filled in (effectiveTo null) and another key order are the same record.
    const same = await send('PUT', '/erp/tax-regimes/LE-TAX-DE', {
      rates: regime.rates.map((rate) => ({ effectiveTo: null, ...rate })),
      standardTaxCode: 'S',
      country: 'DE',
    });
    expect(await same.json()).toMatchObject({ outcome: 'UNCHANGED', version: 1 });

    const raised = {
      ...regime,
      rates: [...regime.rates, { taxCode: 'S', rateBasisPoints: 2_000, effectiveFrom: '2031-01-01' }],
    };
    expect(await (await send('PUT', '/erp/tax-regimes/LE-TAX-DE', raised)).json()).toMatchObject({
      outcome: 'PUBLISHED',
      version: 2,
    });
    await harness.probe.waitFor(
      'TaxRegimeUpserted',
      (e) => e.data.legalEntityId === 'LE-TAX-DE' && e.data.rates.length === 4,
    );
    // Same key, same partition: had the identical re-send published, it would be in between.
    expect(
      harness.probe
        .events('TaxRegimeUpserted', (e) => e.data.legalEntityId === 'LE-TAX-DE')
        .map((e) => e.data.rates.length),
    ).toEqual([3, 4]);
  });

  it('publishes customer tax profiles, with and without a tax id', async () => {
    const company = await send('PUT', '/erp/customer-tax-profiles/C-TAX-NL', {
      country: 'NL',
      taxId: 'NL859012345B01',
    });
    expect(company.status).toBe(200);
    expect(
      (await harness.probe.waitFor('CustomerTaxProfileUpserted', (e) => e.data.customerId === 'C-TAX-NL'))
        .data,
    ).toEqual({
      customerId: 'C-TAX-NL',
      country: 'NL',
      taxId: 'NL859012345B01',
      upsertedBy: await testSubject(),
    });

    expect((await send('PUT', '/erp/customer-tax-profiles/C-TAX-B2C', { country: 'DE' })).status).toBe(200);
    expect(
      (await harness.probe.waitFor('CustomerTaxProfileUpserted', (e) => e.data.customerId === 'C-TAX-B2C'))
        .data.taxId,
    ).toBeNull();
    expect(
      await (
        await send('PUT', '/erp/customer-tax-profiles/C-TAX-NL', { taxId: 'NL859012345B01', country: 'NL' })
      ).json(),
    ).toMatchObject({ outcome: 'UNCHANGED', version: 1 });
  });

  it('answers a bad regime with 400 problem+json listing every bad field, and publishes nothing', async () => {
    const response = await send('PUT', '/erp/tax-regimes/LE-TAX-BAD', {
      country: 'Germany',
      standardTaxCode: 'Z',
      rates: [
        { taxCode: 'S', rateBasisPoints: 19.5, effectiveFrom: '2021-01-01' },
        { taxCode: 'S', rateBasisPoints: 10_001, effectiveFrom: '2021-02-30' },
      ],
      vat: true,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const fields = ((await response.json()) as { errors: { field: string }[] }).errors.map(
      (error) => error.field,
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        'country',
        'rates.0.rateBasisPoints',
        'rates.1.rateBasisPoints',
        'rates.1.effectiveFrom',
      ]),
    );
    // Format errors come first; the rules (standard code without a rate) are checked on a well-formed body.
    const rules = await send('PUT', '/erp/tax-regimes/LE-TAX-BAD', {
      country: 'DE',
      standardTaxCode: 'Z',
      rates: [
        { taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: '2021-01-01', effectiveTo: '2020-01-01' },
        { taxCode: 'REVERSE_CHARGE', rateBasisPoints: 0, effectiveFrom: '2021-01-01' },
      ],
    });
    expect(rules.status).toBe(400);
    expect(
      ((await rules.json()) as { errors: { field: string }[] }).errors.map((error) => error.field),
    ).toEqual(['rates.0.effectiveTo', 'rates.1.taxCode', 'standardTaxCode']);
    const profile = await send('PUT', '/erp/customer-tax-profiles/C-TAX-BAD', { country: 'nl', taxId: '' });
    expect(profile.status).toBe(400);
    expect(
      ((await profile.json()) as { errors: { field: string }[] }).errors.map((error) => error.field),
    ).toEqual(['country', 'taxId']);

    // A good record published after the bad ones is the first event of these keys.
    await send('PUT', '/erp/customer-tax-profiles/C-TAX-BAD', { country: 'NL' });
    await harness.probe.waitFor('CustomerTaxProfileUpserted', (e) => e.data.customerId === 'C-TAX-BAD');
    expect(
      harness.probe.events('CustomerTaxProfileUpserted', (e) => e.data.customerId === 'C-TAX-BAD'),
    ).toHaveLength(1);
    expect(
      harness.probe.events('TaxRegimeUpserted', (e) => e.data.legalEntityId === 'LE-TAX-BAD'),
    ).toHaveLength(0);
  });

  it('seeds tax regimes and profiles in the master-data batch', async () => {
    const batch = {
      taxRegimes: [{ legalEntityId: 'LE-TAX-SEED', ...regime }],
      customerTaxProfiles: [{ customerId: 'C-TAX-SEED', country: 'FR', taxId: 'FR40303265045' }],
    };
    const first = await send('POST', '/erp/master-data', batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ published: 2, unchanged: 0 });
    await harness.probe.waitFor('TaxRegimeUpserted', (e) => e.data.legalEntityId === 'LE-TAX-SEED');
    await harness.probe.waitFor('CustomerTaxProfileUpserted', (e) => e.data.customerId === 'C-TAX-SEED');
    expect(await (await send('POST', '/erp/master-data', batch)).json()).toMatchObject({
      published: 0,
      unchanged: 2,
    });
  });
});
