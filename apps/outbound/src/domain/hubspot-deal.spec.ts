import { dealProperties, hubSpotDealId, invoicedToDate } from './hubspot-deal';

describe('hubSpotDealId', () => {
  it('is the number of an HS- deal id, and nothing for other CRMs', () => {
    expect(hubSpotDealId('HS-1234567')).toBe('1234567');
    expect(hubSpotDealId('SF-0061x00000AbCdE')).toBeUndefined();
    expect(hubSpotDealId('HS-12a')).toBeUndefined();
    expect(hubSpotDealId('deal-1001')).toBeUndefined();
  });
});

describe('dealProperties', () => {
  it('writes the whole state: sorted distinct project ids, setup status, invoiced per currency', () => {
    expect(
      dealProperties({
        projectIds: ['PRJ-B', 'PRJ-A', 'PRJ-B'],
        setupStatus: 'READY',
        invoices: [
          { currency: 'EUR', amountMinor: 131_450n },
          { currency: 'EUR', amountMinor: 1n },
          { currency: 'JPY', amountMinor: 5_000n },
        ],
      }),
    ).toEqual({
      throughline_project_ids: 'PRJ-A;PRJ-B',
      throughline_setup_status: 'READY',
      throughline_invoiced_to_date: 'EUR 1314.51; JPY 5000',
    });
  });

  it('says IN_PROGRESS before setup completed and nothing invoiced', () => {
    expect(dealProperties({ projectIds: ['PRJ-A'], setupStatus: undefined, invoices: [] })).toEqual({
      throughline_project_ids: 'PRJ-A',
      throughline_setup_status: 'IN_PROGRESS',
      throughline_invoiced_to_date: '',
    });
  });
});

describe('invoicedToDate', () => {
  it('keeps exact minor units, small and negative amounts included', () => {
    expect(invoicedToDate([{ currency: 'EUR', amountMinor: 5n }])).toBe('EUR 0.05');
    expect(invoicedToDate([{ currency: 'EUR', amountMinor: -12_345n }])).toBe('EUR -123.45');
    expect(invoicedToDate([{ currency: 'USD', amountMinor: 9_007_199_254_740_993n }])).toBe(
      'USD 90071992547409.93',
    );
  });
});
