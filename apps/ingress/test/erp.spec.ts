import { testSubject } from '@throughline/messaging-nest/testing';

import { IngressHarness, startIngress } from './ingress-harness';

jest.setTimeout(60_000);

describe('ERP master data intake against the real stack', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngress([
      'CustomerUpserted',
      'LegalEntityUpserted',
      'RateCardUpserted',
      'ProjectTemplateUpserted',
    ]);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${harness.service.url}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('publishes a customer, nothing for an identical re-PUT, and again when it changes', async () => {
    const customer = { name: 'Acme GmbH', status: 'ACTIVE', billingCurrency: 'EUR' };
    const first = await put('/erp/customers/C-ERP-1', customer, { 'x-correlation-id': 'corr-erp-1' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      kind: 'CUSTOMER',
      id: 'C-ERP-1',
      outcome: 'PUBLISHED',
      version: 1,
      record: { customerId: 'C-ERP-1', ...customer },
    });
    const event = await harness.probe.waitFor('CustomerUpserted', (e) => e.data.customerId === 'C-ERP-1');
    expect(event.data).toEqual({
      customerId: 'C-ERP-1',
      name: 'Acme GmbH',
      status: 'ACTIVE',
      billingCurrency: 'EUR',
      // The caller of the PUT, from its token.
      upsertedBy: await testSubject(),
    });
    expect(event.envelope.correlationId).toBe('corr-erp-1');
    expect(event.envelope.key).toBe('C-ERP-1');

    // Same content, keys in another order.
    const same = await put('/erp/customers/C-ERP-1', {
      billingCurrency: 'EUR',
      status: 'ACTIVE',
      name: 'Acme GmbH',
    });
    expect(await same.json()).toMatchObject({ outcome: 'UNCHANGED', version: 1 });

    const blocked = await put('/erp/customers/C-ERP-1', { ...customer, status: 'BLOCKED' });
    expect(await blocked.json()).toMatchObject({ outcome: 'PUBLISHED', version: 2 });
    await harness.probe.waitFor(
      'CustomerUpserted',
      (e) => e.data.customerId === 'C-ERP-1' && e.data.status === 'BLOCKED',
    );
    // Same key, same partition: had the identical PUT published, it would have arrived in between.
    expect(
      harness.probe
        .events('CustomerUpserted', (e) => e.data.customerId === 'C-ERP-1')
        .map((e) => e.data.status),
    ).toEqual(['ACTIVE', 'BLOCKED']);
  });

  it('publishes legal entities, rate cards and templates with defaults filled in', async () => {
    const entity = await put('/erp/legal-entities/LE-ERP-DE', {
      name: 'Throughline GmbH',
      country: 'DE',
      currency: 'EUR',
    });
    expect(entity.status).toBe(200);
    expect(
      (await harness.probe.waitFor('LegalEntityUpserted', (e) => e.data.legalEntityId === 'LE-ERP-DE')).data,
    ).toEqual({
      legalEntityId: 'LE-ERP-DE',
      name: 'Throughline GmbH',
      country: 'DE',
      currency: 'EUR',
      taxRegistrationId: null,
      upsertedBy: await testSubject(),
    });

    const card = {
      legalEntityId: 'LE-ERP-DE',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      rates: [
        { role: 'Architect', rateMinor: 15_000, costRateMinor: 9_000 },
        { role: 'Consultant', rateMinor: 9_500 },
      ],
    };
    expect((await put('/erp/rate-cards/RC-ERP-DE', card)).status).toBe(200);
    const published = await harness.probe.waitFor(
      'RateCardUpserted',
      (e) => e.data.rateCardId === 'RC-ERP-DE',
    );
    // Keyed by card and effective date, so compaction keeps every dated version of the card (#13 item 1).
    expect(published.envelope.key).toBe('RC-ERP-DE@2026-01-01');
    expect(published.data).toEqual({
      rateCardId: 'RC-ERP-DE',
      legalEntityId: 'LE-ERP-DE',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
      rates: [
        { role: 'Architect', rateMinor: 15_000, costRateMinor: 9_000 },
        { role: 'Consultant', rateMinor: 9_500, costRateMinor: null },
      ],
      upsertedBy: await testSubject(),
    });

    const template = {
      name: 'Fixed fee, two phases',
      billingType: 'FIXED_FEE_MILESTONE',
      durationDays: 90,
      phases: [
        {
          name: 'Design',
          offsetDays: 0,
          durationDays: 30,
          milestones: [{ name: 'Blueprint', offsetDays: 30, percentOfFee: 4_000 }],
        },
        {
          name: 'Build',
          offsetDays: 30,
          durationDays: 60,
          milestones: [{ name: 'Go-live', offsetDays: 90, percentOfFee: 6_000 }],
        },
      ],
    };
    expect((await put('/erp/project-templates/TPL-ERP-1', template)).status).toBe(200);
    expect(
      (await harness.probe.waitFor('ProjectTemplateUpserted', (e) => e.data.templateId === 'TPL-ERP-1')).data,
    ).toEqual({ templateId: 'TPL-ERP-1', ...template, upsertedBy: await testSubject() });
  });

  it('answers invalid bodies with 400 naming the field, and publishes nothing', async () => {
    const expectError = async (response: Response, pattern: RegExp) => {
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(pattern);
    };
    await expectError(
      await put('/erp/customers/C-ERP-2', { name: 'Bad', status: 'ACTIVE', billingCurrency: 'eur' }),
      /billingCurrency: expected an ISO 4217 currency code/,
    );
    await expectError(
      await put('/erp/customers/C-ERP-2', { name: 'Bad', status: 'GONE', billingCurrency: 'EUR' }),
      /status: /,
    );
    await expectError(
      await put('/erp/customers/C-ERP-2', {
        name: 'Bad',
        status: 'ACTIVE',
        billingCurrency: 'EUR',
        customerId: 'X',
      }),
      /Unrecognized key\(s\) in object: 'customerId'/,
    );
    await expectError(
      await put('/erp/customers/bad%20id', { name: 'Bad', status: 'ACTIVE', billingCurrency: 'EUR' }),
      /customerId: expected 1-64 letters/,
    );
    await expectError(
      await put('/erp/legal-entities/LE-X', { name: 'X', country: 'Germany', currency: 'EUR' }),
      /country: expected an ISO-3166 alpha-2 code/,
    );
    await expectError(
      await put('/erp/rate-cards/RC-X', {
        legalEntityId: 'LE-X',
        currency: 'EUR',
        effectiveFrom: '2026-06-01',
        effectiveTo: '2026-05-31',
        rates: [{ role: 'Architect', rateMinor: 150.5 }],
      }),
      /rates\.0\.rateMinor: expected integer minor units.*effectiveTo: must be on or after effectiveFrom 2026-06-01/,
    );
    await expectError(
      await put('/erp/project-templates/TPL-X', {
        name: 'Too much',
        billingType: 'FIXED_FEE_MILESTONE',
        durationDays: 30,
        phases: [
          {
            name: 'All',
            offsetDays: 0,
            durationDays: 30,
            milestones: [
              { name: 'A', offsetDays: 10, percentOfFee: 6_000 },
              { name: 'B', offsetDays: 30, percentOfFee: 5_000 },
            ],
          },
        ],
      }),
      /phases: milestone percentOfFee values add up to 11000 basis points; at most 10000 allowed/,
    );
    await expectError(
      await put('/erp/rate-cards/RC-X', {
        legalEntityId: 'LE-X',
        currency: 'EUR',
        effectiveFrom: '2026-02-30',
        rates: [],
      }),
      /effectiveFrom: expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31; rates: Array must contain at least 1 element/,
    );
    expect(harness.probe.events('CustomerUpserted', (e) => e.data.customerId === 'C-ERP-2')).toHaveLength(0);
  });

  it('seeds a batch in one transaction and reports what changed', async () => {
    const batch = {
      legalEntities: [
        {
          legalEntityId: 'LE-SEED-UK',
          name: 'Throughline Ltd',
          country: 'GB',
          currency: 'GBP',
          taxRegistrationId: 'GB123456789',
        },
      ],
      customers: [
        { customerId: 'C-SEED-1', name: 'Seed One', status: 'ACTIVE', billingCurrency: 'GBP' },
        { customerId: 'C-SEED-2', name: 'Seed Two', status: 'ACTIVE', billingCurrency: 'EUR' },
      ],
      rateCards: [
        {
          rateCardId: 'RC-SEED-UK',
          legalEntityId: 'LE-SEED-UK',
          currency: 'GBP',
          effectiveFrom: '2026-01-01',
          effectiveTo: '2026-12-31',
          rates: [{ role: 'Consultant', rateMinor: 8_000, costRateMinor: 5_000 }],
        },
      ],
    };
    const post = (body: unknown) =>
      fetch(`${harness.service.url}/erp/master-data`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await post(batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ published: 4, unchanged: 0 });
    await harness.probe.waitFor('CustomerUpserted', (e) => e.data.customerId === 'C-SEED-2');
    await harness.probe.waitFor('RateCardUpserted', (e) => e.data.rateCardId === 'RC-SEED-UK');
    expect(
      (await harness.probe.waitFor('LegalEntityUpserted', (e) => e.data.legalEntityId === 'LE-SEED-UK')).data
        .taxRegistrationId,
    ).toBe('GB123456789');

    const changed = {
      ...batch,
      customers: [batch.customers[0], { ...batch.customers[1], name: 'Seed Two Renamed' }],
    };
    expect(await (await post(changed)).json()).toMatchObject({ published: 1, unchanged: 3 });

    const invalid = await post({
      ...batch,
      customers: [{ ...batch.customers[0], billingCurrency: 'pounds' }],
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/customers\.0\.billingCurrency/);
  });
});
