import {
  hubSpotDealStageEvent,
  HubSpotStub,
  HubSpotStubData,
  signHubSpotRequest,
} from '@throughline/crm-sandbox';
import { eventually } from '@throughline/messaging/testing';

import { DEMO_WAIT_MS, expectOk, request } from './http';
import { DemoScope, demoScope } from './scope';
import { DemoProjects } from './time-to-cash';

export interface DemoEndpoints {
  ingress: string;
  reporting: string;
  /** The public URL HubSpot signs (ingress's INGRESS_PUBLIC_URL). */
  ingressPublicUrl: string;
  hubSpotAppSecret: string;
}

/** ERP master data for the demo firm: one customer, three delivering legal entities, two templates. */
export function demoMasterData(scope: DemoScope) {
  return {
    customers: [
      { customerId: scope.customerId, name: 'Acme Industrial AG', status: 'ACTIVE', billingCurrency: 'EUR' },
    ],
    legalEntities: [
      {
        legalEntityId: 'LE-DE',
        name: 'Throughline Consulting GmbH',
        country: 'DE',
        currency: 'EUR',
        taxRegistrationId: 'DE811907980',
      },
      {
        legalEntityId: 'LE-FR',
        name: 'Throughline Conseil SAS',
        country: 'FR',
        currency: 'EUR',
        taxRegistrationId: 'FR40303265045',
      },
      {
        legalEntityId: scope.nlLegalEntityId,
        name: 'Throughline Advies B.V.',
        country: 'NL',
        currency: 'EUR',
        taxRegistrationId: 'NL859048824B01',
      },
    ],
    rateCards: [
      {
        rateCardId: 'RC-DE-2026',
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        effectiveFrom: '2026-01-01',
        effectiveTo: null,
        rates: [
          { role: 'Architect', rateMinor: 15_000, costRateMinor: 9_000 },
          { role: 'Consultant', rateMinor: 11_000, costRateMinor: 6_500 },
        ],
      },
      {
        rateCardId: 'RC-FR-2026',
        legalEntityId: 'LE-FR',
        currency: 'EUR',
        effectiveFrom: '2026-01-01',
        effectiveTo: null,
        rates: [{ role: 'Consultant', rateMinor: 10_500, costRateMinor: 6_200 }],
      },
    ],
    projectTemplates: [
      {
        templateId: 'TPL-FIXED-MILESTONE',
        name: 'ERP rollout, fixed fee by milestone',
        billingType: 'FIXED_FEE_MILESTONE',
        durationDays: 120,
        phases: [
          {
            name: 'Design',
            offsetDays: 0,
            durationDays: 40,
            milestones: [{ name: 'Blueprint signed off', offsetDays: 39, percentOfFee: 3_000 }],
          },
          {
            name: 'Build',
            offsetDays: 40,
            durationDays: 60,
            milestones: [{ name: 'System test passed', offsetDays: 99, percentOfFee: 5_000 }],
          },
          {
            name: 'Go-live',
            offsetDays: 100,
            durationDays: 20,
            milestones: [{ name: 'Go-live', offsetDays: 119, percentOfFee: 2_000 }],
          },
        ],
      },
      {
        templateId: 'TPL-TM',
        name: 'Advisory, time and materials',
        billingType: 'TIME_AND_MATERIALS',
        durationDays: 90,
        phases: [{ name: 'Advisory', offsetDays: 0, durationDays: 90, milestones: [] }],
      },
    ],
    // Billing taxes every invoice (BILLING_TAX defaults to required): each entity's VAT rates, and
    // the customer's country and VAT id. Acme is a German company: LE-DE bills it German VAT, LE-NL
    // (another EU country) reverse-charges it.
    taxRegimes: [
      {
        legalEntityId: 'LE-DE',
        country: 'DE',
        standardTaxCode: 'S',
        rates: [
          { taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: '2007-01-01', effectiveTo: null },
          { taxCode: 'R', rateBasisPoints: 700, effectiveFrom: '2007-01-01', effectiveTo: null },
        ],
      },
      {
        legalEntityId: 'LE-FR',
        country: 'FR',
        standardTaxCode: 'S',
        rates: [{ taxCode: 'S', rateBasisPoints: 2_000, effectiveFrom: '2014-01-01', effectiveTo: null }],
      },
      {
        legalEntityId: scope.nlLegalEntityId,
        country: 'NL',
        standardTaxCode: 'S',
        rates: [{ taxCode: 'S', rateBasisPoints: 2_100, effectiveFrom: '2012-10-01', effectiveTo: null }],
      },
    ],
    customerTaxProfiles: [{ customerId: scope.customerId, country: 'DE', taxId: 'DE129273398' }],
  };
}

/** The master data with the plain ids, for fresh databases (see `demoScope`). */
export const DEMO_MASTER_DATA = demoMasterData(demoScope({ ownIds: false }));

/** The rate card sales operations supplies when the demo reports it missing. */
function nlRateCard(scope: DemoScope) {
  return {
    legalEntityId: scope.nlLegalEntityId,
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
  };
}

/** Two HubSpot deals: a two-country ERP rollout, and an NL advisory deal whose rate card is missing. */
export function demoHubSpotData(
  twoCountryDeal: number,
  missingRateCardDeal: number,
  closeDate = '2026-10-01',
  scope: DemoScope = demoScope({ ownIds: false }),
): HubSpotStubData {
  return {
    deals: {
      [twoCountryDeal]: {
        properties: {
          dealname: 'Acme ERP rollout (DE + FR)',
          amount: '14400.00',
          deal_currency_code: 'EUR',
          closedate: `${closeDate}T16:00:00.000Z`,
          throughline_template_id: 'TPL-FIXED-MILESTONE',
          dealstage: 'closedwon',
        },
        lineItemIds: [`${twoCountryDeal}1`, `${twoCountryDeal}2`],
        companyIds: ['501'],
      },
      [missingRateCardDeal]: {
        properties: {
          dealname: 'Acme supply chain advisory (NL)',
          amount: '8000.00',
          deal_currency_code: 'EUR',
          closedate: `${closeDate}T16:30:00.000Z`,
          throughline_template_id: 'TPL-TM',
          dealstage: 'closedwon',
        },
        lineItemIds: [`${missingRateCardDeal}1`],
        companyIds: ['501'],
      },
    },
    companies: { '501': { name: 'Acme Industrial AG', erp_customer_id: scope.customerId } },
    lineItems: {
      [`${twoCountryDeal}1`]: {
        name: 'Solution architecture',
        quantity: '40',
        price: '150.00',
        amount: '6000.00',
        legal_entity_id: 'LE-DE',
        role: 'Architect',
        rate_card_id: 'RC-DE-2026',
      },
      [`${twoCountryDeal}2`]: {
        name: 'Finance consulting',
        quantity: '80',
        price: '105.00',
        amount: '8400.00',
        legal_entity_id: 'LE-FR',
        role: 'Consultant',
        rate_card_id: 'RC-FR-2026',
      },
      [`${missingRateCardDeal}1`]: {
        name: 'Supply chain advisory',
        quantity: '80',
        price: '100.00',
        amount: '8000.00',
        legal_entity_id: scope.nlLegalEntityId,
        role: 'Consultant',
        rate_card_id: scope.nlRateCardId,
      },
    },
  };
}

interface Timeline {
  status: string;
  openExceptions: number;
}

interface ExceptionsByOwner {
  owners: {
    ownerRole: string;
    count: number;
    exceptions: { code: string; dealId: string | null; message: string; remediation: string }[];
  }[];
}

async function waitForStatus(
  endpoints: DemoEndpoints,
  dealId: string,
  wanted: (timeline: Timeline) => boolean,
  what: string,
) {
  return eventually(async () => {
    const { status, body } = await request<Timeline>(
      'GET',
      `${endpoints.reporting}/deals/${dealId}/timeline`,
    );
    return status === 200 && wanted(body) ? body : undefined;
  }, DEMO_WAIT_MS).catch(() => {
    throw new Error(`timed out waiting for deal ${dealId} to be ${what}`);
  });
}

/**
 * The deal-to-project demo against running services: seed ERP master data, post a signed HubSpot
 * closed-won batch (a two-country deal and a deal whose rate card is missing), show the business
 * exception, supply the rate card, and print both setup timelines. The deals close on `closeDate`
 * (their projects start then). `scope` names the run's own customer, NL legal entity and rate card.
 */
export async function runDealToProjectDemo(
  endpoints: DemoEndpoints,
  stub: HubSpotStub,
  print: (line: string) => void,
  closeDate?: string,
  scope: DemoScope = demoScope({ ownIds: false }),
): Promise<DemoProjects> {
  const { run } = scope;
  const [twoCountryDeal, missingRateCardDeal] = [run * 10 + 1, run * 10 + 2];
  const data = demoHubSpotData(twoCountryDeal, missingRateCardDeal, closeDate, scope);
  Object.assign(stub.data.deals, data.deals);
  Object.assign(stub.data.lineItems, data.lineItems);
  Object.assign(stub.data.companies, data.companies);

  print(
    `1. ERP master data: customer ${scope.customerId}, legal entities LE-DE/LE-FR/${scope.nlLegalEntityId}, ` +
      'rate cards DE and FR (none for NL), templates, tax regimes and the customer tax profile',
  );
  expectOk(
    'seeding master data',
    await request('POST', `${endpoints.ingress}/erp/master-data`, demoMasterData(scope)),
  );

  print(
    `2. HubSpot closed-won webhook batch (signed, v3): deals ${twoCountryDeal} (DE + FR) and ${missingRateCardDeal} (NL)`,
  );
  const body = JSON.stringify([
    hubSpotDealStageEvent({ eventId: run * 10 + 1, dealId: twoCountryDeal }),
    hubSpotDealStageEvent({ eventId: run * 10 + 2, dealId: missingRateCardDeal }),
  ]);
  const headers = signHubSpotRequest({
    secret: endpoints.hubSpotAppSecret,
    uri: `${endpoints.ingressPublicUrl}/webhooks/hubspot`,
    body,
  });
  const accepted = await request('POST', `${endpoints.ingress}/webhooks/hubspot`, body, headers);
  expectOk('posting the HubSpot webhook', accepted);
  print(`   ingress answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);

  const [dealA, dealB] = [`HS-${twoCountryDeal}`, `HS-${missingRateCardDeal}`];
  await waitForStatus(endpoints, dealA, (t) => t.status === 'READY', 'READY');
  print(
    `3. ${dealA} is READY: contract approved, one project per legal entity, staffing demand and billing provisioned`,
  );
  await waitForStatus(endpoints, dealB, (t) => t.openExceptions > 0, 'blocked by a business exception');
  const exceptions = await request<ExceptionsByOwner>('GET', `${endpoints.reporting}/exceptions?status=open`);
  print(`4. ${dealB} is blocked; open business exceptions by owner:`);
  for (const owner of exceptions.body.owners) {
    for (const exception of owner.exceptions.filter((e) => e.dealId === dealB)) {
      print(
        `   [${owner.ownerRole}] ${exception.code}: ${exception.message}\n      fix: ${exception.remediation}`,
      );
    }
  }

  print(
    `5. Sales operations supplies the NL rate card ${scope.nlRateCardId} through the ERP API; the deal resumes by itself`,
  );
  expectOk(
    'supplying the rate card',
    await request('PUT', `${endpoints.ingress}/erp/rate-cards/${scope.nlRateCardId}`, nlRateCard(scope)),
  );
  await waitForStatus(endpoints, dealB, (t) => t.status === 'READY', 'READY');

  for (const dealId of [dealA, dealB]) {
    const timeline = await request<string>(
      'GET',
      `${endpoints.reporting}/deals/${dealId}/timeline?format=text`,
    );
    print(`\n${timeline.body}`);
  }
  return {
    de: `PRJ-${dealA}-LE-DE`,
    fr: `PRJ-${dealA}-LE-FR`,
    nl: `PRJ-${dealB}-${scope.nlLegalEntityId}`,
  };
}
