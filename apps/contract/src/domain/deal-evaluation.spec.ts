import { DealLine } from '@throughline/contracts';

import {
  contractIdFor,
  evaluateDeal,
  Gap,
  LegalEntityRecord,
  MasterData,
  RateCardRecord,
  WonDeal,
} from './deal-evaluation';

const line = (overrides: Partial<DealLine> = {}): DealLine => ({
  lineId: 'L1',
  legalEntityId: 'LE-DE',
  role: 'Consultant',
  rateCardId: null,
  hoursHundredths: 40_000,
  amountMinor: 6_000_000,
  currency: 'EUR',
  description: null,
  ...overrides,
});

const deal = (overrides: Partial<WonDeal> = {}): WonDeal => ({
  dealId: 'D-1',
  crm: 'HUBSPOT',
  crmDeliveryId: 'hs-1',
  dealName: 'ERP rollout',
  customerId: 'C-1',
  customerName: 'Acme GmbH',
  currency: 'EUR',
  amountMinor: 6_000_000,
  closeDate: '2026-03-31', // a Tuesday
  templateId: 'TPL-TM',
  lines: [line()],
  ...overrides,
});

const legalEntity = (overrides: Partial<LegalEntityRecord> = {}): LegalEntityRecord => ({
  legalEntityId: 'LE-DE',
  name: 'Throughline GmbH',
  country: 'DE',
  currency: 'EUR',
  taxRegistrationId: 'DE123456789',
  ...overrides,
});

const rateCard = (overrides: Partial<RateCardRecord> = {}): RateCardRecord => ({
  rateCardId: 'RC-DE-2026',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  effectiveFrom: '2026-01-01',
  effectiveTo: null,
  rates: [
    { role: 'Consultant', rateMinor: 15_000, costRateMinor: 7_500 },
    { role: 'Architect', rateMinor: 20_000, costRateMinor: null },
  ],
  ...overrides,
});

const masterData = (overrides: Partial<MasterData> = {}): MasterData => ({
  customer: { customerId: 'C-1', name: 'Acme GmbH', status: 'ACTIVE', billingCurrency: 'EUR' },
  template: { templateId: 'TPL-TM', name: 'T&M', billingType: 'TIME_AND_MATERIALS' },
  legalEntities: [legalEntity()],
  rateCards: [rateCard()],
  ...overrides,
});

function gapsOf(evaluation: ReturnType<typeof evaluateDeal>): Gap[] {
  if (evaluation.status !== 'PENDING') throw new Error('expected a pending deal');
  return evaluation.gaps;
}

describe('evaluateDeal: approval', () => {
  it('approves a complete deal with one delivery per legal entity', () => {
    const evaluation = evaluateDeal(deal(), masterData());
    expect(evaluation).toEqual({
      status: 'APPROVED',
      contract: {
        contractId: 'CTR-D-1',
        dealId: 'D-1',
        customerId: 'C-1',
        templateId: 'TPL-TM',
        billingType: 'TIME_AND_MATERIALS',
        dealName: 'ERP rollout',
        startDate: '2026-03-31',
        deliveries: [
          {
            legalEntityId: 'LE-DE',
            currency: 'EUR',
            country: 'DE',
            rateCardId: 'RC-DE-2026',
            budgetMinor: 6_000_000,
            lines: [{ lineId: 'L1', role: 'Consultant', hoursHundredths: 40_000, amountMinor: 6_000_000 }],
          },
        ],
      },
    });
  });

  it('groups lines by legal entity in the order the deal names them and sums budgets exactly', () => {
    const evaluation = evaluateDeal(
      deal({
        lines: [
          line({ lineId: 'L1', legalEntityId: 'LE-UK', currency: 'GBP', amountMinor: 1_000_001 }),
          line({ lineId: 'L2', legalEntityId: 'LE-DE', role: 'Architect', amountMinor: 2_500_050 }),
          line({ lineId: 'L3', legalEntityId: 'LE-UK', currency: 'GBP', amountMinor: 333_333 }),
        ],
      }),
      masterData({
        legalEntities: [
          legalEntity(),
          legalEntity({ legalEntityId: 'LE-UK', country: 'GB', currency: 'GBP', taxRegistrationId: 'GB1' }),
        ],
        rateCards: [rateCard(), rateCard({ rateCardId: 'RC-UK', legalEntityId: 'LE-UK', currency: 'GBP' })],
      }),
    );
    if (evaluation.status !== 'APPROVED') throw new Error(JSON.stringify(evaluation));
    expect(
      evaluation.contract.deliveries.map(
        ({ legalEntityId, currency, country, rateCardId, budgetMinor, lines }) => ({
          legalEntityId,
          currency,
          country,
          rateCardId,
          budgetMinor,
          lineIds: lines.map((l) => l.lineId),
        }),
      ),
    ).toEqual([
      {
        legalEntityId: 'LE-UK',
        currency: 'GBP',
        country: 'GB',
        rateCardId: 'RC-UK',
        budgetMinor: 1_333_334,
        lineIds: ['L1', 'L3'],
      },
      {
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        country: 'DE',
        rateCardId: 'RC-DE-2026',
        budgetMinor: 2_500_050,
        lineIds: ['L2'],
      },
    ]);
  });

  it('takes the billing type from the template and starts a weekend deal on Monday', () => {
    const evaluation = evaluateDeal(
      deal({ closeDate: '2026-03-28', templateId: 'TPL-RET' }),
      masterData({ template: { templateId: 'TPL-RET', name: 'Retainer', billingType: 'RETAINER' } }),
    );
    expect(evaluation).toMatchObject({
      status: 'APPROVED',
      contract: { billingType: 'RETAINER', startDate: '2026-03-30' },
    });
  });

  it('uses the contract id CTR-<dealId>', () => {
    expect(contractIdFor('HS-42')).toBe('CTR-HS-42');
  });
});

describe('evaluateDeal: rate cards', () => {
  const approvedCard = (data: MasterData, overrides: Partial<WonDeal> = {}) => {
    const evaluation = evaluateDeal(deal(overrides), data);
    if (evaluation.status !== 'APPROVED') throw new Error(JSON.stringify(evaluation));
    return evaluation.contract.deliveries[0]?.rateCardId;
  };

  it('picks the card effective on the close date, bounds inclusive', () => {
    const cards = [
      rateCard({ rateCardId: 'RC-2025', effectiveFrom: '2025-01-01', effectiveTo: '2025-12-31' }),
      rateCard({ rateCardId: 'RC-2026', effectiveFrom: '2026-01-01', effectiveTo: '2026-12-31' }),
    ];
    expect(approvedCard(masterData({ rateCards: cards }), { closeDate: '2025-12-31' })).toBe('RC-2025');
    expect(approvedCard(masterData({ rateCards: cards }), { closeDate: '2026-01-01' })).toBe('RC-2026');
  });

  it('prefers the card that started last when several overlap', () => {
    const cards = [
      rateCard({ rateCardId: 'RC-B', effectiveFrom: '2026-01-01' }),
      rateCard({ rateCardId: 'RC-A', effectiveFrom: '2026-03-01' }),
      rateCard({ rateCardId: 'RC-C', effectiveFrom: '2026-04-01' }),
    ];
    expect(approvedCard(masterData({ rateCards: cards }))).toBe('RC-A');
  });

  it('ignores cards of other legal entities or currencies', () => {
    const cards = [
      rateCard({ rateCardId: 'RC-UK', legalEntityId: 'LE-UK' }),
      rateCard({ rateCardId: 'RC-USD', currency: 'USD' }),
    ];
    expect(gapsOf(evaluateDeal(deal(), masterData({ rateCards: cards }))).map((g) => g.code)).toEqual([
      'MISSING_RATE_CARD',
    ]);
  });

  it('uses the card a line names, for every line of that legal entity', () => {
    const cards = [rateCard(), rateCard({ rateCardId: 'RC-SPECIAL' })];
    expect(
      approvedCard(masterData({ rateCards: cards }), {
        lines: [line({ lineId: 'L1' }), line({ lineId: 'L2', rateCardId: 'RC-SPECIAL' })],
      }),
    ).toBe('RC-SPECIAL');
  });

  it('raises MISSING_RATE_CARD for SALES_OPERATIONS naming legal entity, currency, date and roles', () => {
    const [gap] = gapsOf(
      evaluateDeal(
        deal({ lines: [line(), line({ lineId: 'L2', role: 'Architect' })] }),
        masterData({ rateCards: [] }),
      ),
    );
    expect(gap).toEqual({
      exceptionId: 'D-1:MISSING_RATE_CARD:LE-DE/EUR',
      code: 'MISSING_RATE_CARD',
      ownerRole: 'SALES_OPERATIONS',
      message:
        'No rate card for legal entity LE-DE in EUR is effective on 2026-03-31, the close date of deal D-1',
      remediation: expect.stringContaining(
        'PUT /erp/rate-cards/{rateCardId} on ingress with {"legalEntityId":"LE-DE","currency":"EUR",',
      ),
      details: {
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        effectiveOn: '2026-03-31',
        roles: 'Consultant,Architect',
      },
    });
    expect(gap?.remediation).toContain(
      '{"role":"Consultant","rateMinor":<hourly bill rate in EUR minor units>}',
    );
    expect(gap?.remediation).toContain('{"role":"Architect",');
    expect(gap?.remediation).toContain('"effectiveFrom":"<2026-03-31 or earlier>"');
  });

  it('explains why a named card does not fit, and names it in the remediation', () => {
    const named = (card: RateCardRecord | null) =>
      gapsOf(
        evaluateDeal(
          deal({ lines: [line({ rateCardId: 'RC-X' })] }),
          masterData({ rateCards: card ? [rateCard(), card] : [rateCard()] }),
        ),
      );
    expect(named(null)).toEqual([
      expect.objectContaining({
        exceptionId: 'D-1:MISSING_RATE_CARD:LE-DE/EUR/RC-X',
        message: expect.stringContaining('Rate card RC-X named by deal D-1 is unknown'),
        remediation: expect.stringContaining('PUT /erp/rate-cards/RC-X on ingress'),
      }),
    ]);
    expect(named(rateCard({ rateCardId: 'RC-X', legalEntityId: 'LE-FR' }))[0]?.message).toContain(
      'belongs to legal entity LE-FR',
    );
    expect(named(rateCard({ rateCardId: 'RC-X', currency: 'CHF' }))[0]?.message).toContain('is in CHF');
    expect(named(rateCard({ rateCardId: 'RC-X', effectiveTo: '2026-03-30' }))[0]?.message).toContain(
      'is effective 2026-01-01..2026-03-30 only',
    );
  });

  it('raises ROLE_NOT_ON_RATE_CARD per missing role', () => {
    const gaps = gapsOf(
      evaluateDeal(
        deal({ lines: [line({ role: 'Designer' }), line({ lineId: 'L2', role: 'Tester' })] }),
        masterData(),
      ),
    );
    expect(gaps.map((g) => [g.exceptionId, g.ownerRole])).toEqual([
      ['D-1:ROLE_NOT_ON_RATE_CARD:RC-DE-2026/Designer', 'SALES_OPERATIONS'],
      ['D-1:ROLE_NOT_ON_RATE_CARD:RC-DE-2026/Tester', 'SALES_OPERATIONS'],
    ]);
    expect(gaps[0]?.remediation).toContain(
      'PUT /erp/rate-cards/RC-DE-2026 on ingress with its current body plus {"role":"Designer",',
    );
  });

  it('raises CONFLICTING_RATE_CARDS when lines of one legal entity name different cards', () => {
    const gaps = gapsOf(
      evaluateDeal(
        deal({ lines: [line({ rateCardId: 'RC-A' }), line({ lineId: 'L2', rateCardId: 'RC-B' })] }),
        masterData(),
      ),
    );
    expect(gaps).toEqual([
      expect.objectContaining({
        exceptionId: 'D-1:CONFLICTING_RATE_CARDS:LE-DE',
        ownerRole: 'SALES_OPERATIONS',
        details: { legalEntityId: 'LE-DE', rateCardIds: 'RC-A,RC-B' },
      }),
    ]);
  });
});

describe('evaluateDeal: customer, template and legal entities', () => {
  it('raises UNKNOWN_CUSTOMER for MASTER_DATA and CUSTOMER_BLOCKED for FINANCE_OPERATIONS', () => {
    expect(gapsOf(evaluateDeal(deal(), masterData({ customer: null })))).toEqual([
      expect.objectContaining({
        exceptionId: 'D-1:UNKNOWN_CUSTOMER:C-1',
        ownerRole: 'MASTER_DATA',
        remediation: expect.stringContaining('PUT /erp/customers/C-1 on ingress'),
      }),
    ]);
    const blocked = { customerId: 'C-1', name: 'Acme', status: 'BLOCKED' as const, billingCurrency: 'EUR' };
    expect(gapsOf(evaluateDeal(deal(), masterData({ customer: blocked })))).toEqual([
      expect.objectContaining({
        exceptionId: 'D-1:CUSTOMER_BLOCKED:C-1',
        ownerRole: 'FINANCE_OPERATIONS',
        details: { customerId: 'C-1', status: 'BLOCKED' },
      }),
    ]);
  });

  it('raises UNKNOWN_TEMPLATE for DELIVERY', () => {
    expect(gapsOf(evaluateDeal(deal(), masterData({ template: null })))).toEqual([
      expect.objectContaining({
        exceptionId: 'D-1:UNKNOWN_TEMPLATE:TPL-TM',
        ownerRole: 'DELIVERY',
        remediation: expect.stringContaining('PUT /erp/project-templates/TPL-TM on ingress'),
      }),
    ]);
  });

  it('raises UNKNOWN_LEGAL_ENTITY for MASTER_DATA and still checks its rate card', () => {
    const gaps = gapsOf(evaluateDeal(deal(), masterData({ legalEntities: [], rateCards: [] })));
    expect(gaps.map((g) => [g.code, g.ownerRole])).toEqual([
      ['UNKNOWN_LEGAL_ENTITY', 'MASTER_DATA'],
      ['MISSING_RATE_CARD', 'SALES_OPERATIONS'],
    ]);
    expect(gaps[0]?.remediation).toContain('PUT /erp/legal-entities/LE-DE on ingress');
  });

  it('raises MISSING_TAX_REGISTRATION for FINANCE_OPERATIONS', () => {
    const gaps = gapsOf(
      evaluateDeal(deal(), masterData({ legalEntities: [legalEntity({ taxRegistrationId: null })] })),
    );
    expect(gaps).toEqual([
      {
        exceptionId: 'D-1:MISSING_TAX_REGISTRATION:LE-DE',
        code: 'MISSING_TAX_REGISTRATION',
        ownerRole: 'FINANCE_OPERATIONS',
        message:
          'Legal entity LE-DE (Throughline GmbH) has no tax registration, so it cannot invoice deal D-1',
        remediation: expect.stringContaining(
          'PUT /erp/legal-entities/LE-DE on ingress with its current body and "taxRegistrationId" set',
        ),
        details: { legalEntityId: 'LE-DE', country: 'DE' },
      },
    ]);
  });

  it('raises LEGAL_ENTITY_CURRENCY_MISMATCH for FINANCE_OPERATIONS when lines are not in its currency', () => {
    const gaps = gapsOf(
      evaluateDeal(
        deal({ lines: [line(), line({ lineId: 'L2', currency: 'USD' })] }),
        masterData({ rateCards: [rateCard(), rateCard({ rateCardId: 'RC-USD', currency: 'USD' })] }),
      ),
    );
    expect(gaps).toEqual([
      expect.objectContaining({
        exceptionId: 'D-1:LEGAL_ENTITY_CURRENCY_MISMATCH:LE-DE/USD',
        ownerRole: 'FINANCE_OPERATIONS',
        message: 'Lines L2 of deal D-1 are in USD, but legal entity LE-DE delivers and invoices in EUR',
        details: { legalEntityId: 'LE-DE', lineCurrency: 'USD', legalEntityCurrency: 'EUR' },
      }),
    ]);
  });

  it('raises DEAL_WITHOUT_LINES rather than approve a contract with no delivery', () => {
    expect(gapsOf(evaluateDeal(deal({ lines: [] }), masterData())).map((g) => g.exceptionId)).toEqual([
      'D-1:DEAL_WITHOUT_LINES:D-1',
    ]);
  });

  it('reports every gap at once, each exactly once, with stable ids', () => {
    const data = masterData({
      customer: null,
      template: null,
      legalEntities: [legalEntity({ taxRegistrationId: null })],
      rateCards: [],
    });
    const input = deal({
      lines: [line(), line({ lineId: 'L2' }), line({ lineId: 'L3', legalEntityId: 'LE-X' })],
    });
    const first = gapsOf(evaluateDeal(input, data)).map((g) => g.exceptionId);
    expect(first).toEqual([
      'D-1:UNKNOWN_CUSTOMER:C-1',
      'D-1:UNKNOWN_TEMPLATE:TPL-TM',
      'D-1:MISSING_TAX_REGISTRATION:LE-DE',
      'D-1:MISSING_RATE_CARD:LE-DE/EUR',
      'D-1:UNKNOWN_LEGAL_ENTITY:LE-X',
      'D-1:MISSING_RATE_CARD:LE-X/EUR',
    ]);
    expect(gapsOf(evaluateDeal(input, data)).map((g) => g.exceptionId)).toEqual(first);
  });
});
