import { randomInt } from 'node:crypto';

import { hubSpotDealStageEvent, HubSpotStubData, signHubSpotRequest } from '@throughline/crm-sandbox';

import { expectOk, request } from '../demo/http';
import { BenchStack } from './bench-stack';
import { retryUnavailable, waitUntil } from './wait';

/** The HubSpot app secret and public URL the benchmark's ingress checks signatures with. */
export const BENCH_HUBSPOT = {
  appSecret: 'bench-hubspot-secret',
  accessToken: 'bench-token',
  publicUrl: 'https://ingress.bench.example',
};

const ROLES = [
  { role: 'Architect', rateMinor: 15_000, costRateMinor: 9_000 },
  { role: 'Consultant', rateMinor: 11_000, costRateMinor: 6_500 },
  { role: 'Analyst', rateMinor: 8_000, costRateMinor: 4_500 },
];

/** Four delivering legal entities in three currencies; deals in a currency are delivered by its entities. */
const ENTITIES = [
  { country: 'DE', currency: 'EUR', name: 'Bench Consulting GmbH', tax: 'DE811907980' },
  { country: 'FR', currency: 'EUR', name: 'Bench Conseil SAS', tax: 'FR40303265045' },
  { country: 'GB', currency: 'GBP', name: 'Bench Consulting Ltd', tax: 'GB980780684' },
  { country: 'US', currency: 'USD', name: 'Bench Consulting Inc.', tax: 'US12-3456789' },
];

/** Deals per currency: EUR deals staff DE and FR (two projects each). 8 + 4 + 4 deals, 24 projects. */
const DEALS_PER_CURRENCY: Record<string, number> = { EUR: 8, GBP: 4, USD: 4 };
const PEOPLE_PER_PROJECT = 10;

export interface BenchProject {
  projectId: string;
  legalEntityId: string;
  currency: string;
}

export interface BenchPerson {
  personId: string;
  projectId: string;
  role: string;
  costRateMinor: number;
}

export interface BenchFirm {
  masterData: Record<string, unknown[]>;
  hubSpot: HubSpotStubData;
  dealIds: number[];
  projects: BenchProject[];
  people: BenchPerson[];
}

/** A firm with 4 legal entities, 3 currencies, 16 deals, 24 projects and 240 people; ids carry `run`. */
export function benchFirm(run: string, closeDate: string): BenchFirm {
  const entities = ENTITIES.map((entity) => ({ ...entity, legalEntityId: `LE-${entity.country}-${run}` }));
  const currencies = Object.keys(DEALS_PER_CURRENCY);
  const customerOf = (currency: string, k: number) => `CUST-${run}-${currency}-${k % 2}`;
  const templateId = `TPL-TM-${run}`;
  const masterData = {
    customers: currencies.flatMap((currency) =>
      [0, 1].map((k) => ({
        customerId: customerOf(currency, k),
        name: `Bench customer ${currency} ${k}`,
        status: 'ACTIVE',
        billingCurrency: currency,
      })),
    ),
    legalEntities: entities.map((entity) => ({
      legalEntityId: entity.legalEntityId,
      name: entity.name,
      country: entity.country,
      currency: entity.currency,
      taxRegistrationId: entity.tax,
    })),
    rateCards: entities.map((entity) => ({
      rateCardId: `RC-${entity.country}-${run}`,
      legalEntityId: entity.legalEntityId,
      currency: entity.currency,
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
      rates: ROLES,
    })),
    projectTemplates: [
      {
        templateId,
        name: 'Benchmark advisory, time and materials',
        billingType: 'TIME_AND_MATERIALS',
        durationDays: 365,
        phases: [{ name: 'Delivery', offsetDays: 0, durationDays: 365, milestones: [] }],
      },
    ],
  };

  const hubSpot: HubSpotStubData = { deals: {}, companies: {}, lineItems: {} };
  const dealIds: number[] = [];
  const projects: BenchProject[] = [];
  const base = randomInt(100_000, 999_999) * 1_000;
  for (const [c, currency] of currencies.entries()) {
    for (let k = 0; k < (DEALS_PER_CURRENCY[currency] as number); k++) {
      const dealId = base + dealIds.length + 1;
      dealIds.push(dealId);
      const companyOfDeal = String(base + 900 + 2 * c + (k % 2));
      hubSpot.companies[companyOfDeal] = {
        name: `Bench customer ${currency} ${k % 2}`,
        erp_customer_id: customerOf(currency, k),
      };
      const lineItemIds: string[] = [];
      let amount = 0;
      for (const entity of entities.filter((candidate) => candidate.currency === currency)) {
        projects.push({
          projectId: `PRJ-HS-${dealId}-${entity.legalEntityId}`,
          legalEntityId: entity.legalEntityId,
          currency,
        });
        for (const rate of ROLES) {
          const lineItemId = `${dealId}${lineItemIds.length + 1}`;
          lineItemIds.push(lineItemId);
          amount += 400 * rate.rateMinor;
          hubSpot.lineItems[lineItemId] = {
            name: `${rate.role} (${entity.country})`,
            quantity: '400',
            price: (rate.rateMinor / 100).toFixed(2),
            amount: ((400 * rate.rateMinor) / 100).toFixed(2),
            legal_entity_id: entity.legalEntityId,
            role: rate.role,
            rate_card_id: `RC-${entity.country}-${run}`,
          };
        }
      }
      hubSpot.deals[dealId] = {
        properties: {
          dealname: `Benchmark deal ${run} ${dealIds.length}`,
          amount: (amount / 100).toFixed(2),
          deal_currency_code: currency,
          closedate: `${closeDate}T12:00:00.000Z`,
          throughline_template_id: templateId,
          dealstage: 'closedwon',
        },
        lineItemIds,
        companyIds: [companyOfDeal],
      };
    }
  }

  const people = projects.flatMap((project, p) =>
    Array.from({ length: PEOPLE_PER_PROJECT }, (_, k) => {
      const rate = ROLES[k % ROLES.length] as (typeof ROLES)[number];
      return {
        personId: `P-${run}-${p * PEOPLE_PER_PROJECT + k}`,
        projectId: project.projectId,
        role: rate.role,
        costRateMinor: rate.costRateMinor,
      };
    }),
  );
  return { masterData, hubSpot, dealIds, projects, people };
}

/**
 * Sets the firm up the way the demo does: ERP master data through ingress, the deals as one signed
 * HubSpot closed-won webhook batch (served by the stub), then everyone staffed. Waits (on billing's
 * database) until billing knows every project and every person's cost rate. Returns the firm as far
 * as it reached billing: a project that never does (e.g. its deal dead-lettered) is left out, with a
 * warning, so the benchmark still measures the rest.
 */
export async function seedFirm(
  stack: BenchStack,
  stubData: HubSpotStubData,
  firm: BenchFirm,
  days: readonly string[],
  print: (line: string) => void,
): Promise<BenchFirm> {
  print(
    `   ERP master data: ${firm.masterData['legalEntities']?.length} legal entities, ` +
      `${firm.masterData['customers']?.length} customers, rate cards, a T&M template`,
  );
  expectOk(
    'seeding master data',
    await request('POST', `${stack.url('ingress')}/erp/master-data`, firm.masterData),
  );
  Object.assign(stubData.deals, firm.hubSpot.deals);
  Object.assign(stubData.companies, firm.hubSpot.companies);
  Object.assign(stubData.lineItems, firm.hubSpot.lineItems);

  print(`   HubSpot: ${firm.dealIds.length} closed-won deals in one signed webhook batch`);
  const body = JSON.stringify(
    firm.dealIds.map((dealId) => hubSpotDealStageEvent({ eventId: dealId, dealId })),
  );
  const headers = signHubSpotRequest({
    secret: BENCH_HUBSPOT.appSecret,
    uri: `${BENCH_HUBSPOT.publicUrl}/webhooks/hubspot`,
    body,
  });
  expectOk(
    'posting the HubSpot webhook',
    await request('POST', `${stack.url('ingress')}/webhooks/hubspot`, body, headers),
  );
  await waitUntil(
    `billing to know all ${firm.projects.length} projects`,
    async () => {
      const known = await stack.count('billing', 'SELECT count(*) FROM billing_project');
      return { done: known >= firm.projects.length, status: `${known} known` };
    },
    { timeoutMs: 180_000, print },
  ).catch((error: unknown) => print(`   WARNING ${error instanceof Error ? error.message : String(error)}`));
  const { rows } = await stack
    .db('billing')
    .query<{ project_id: string }>('SELECT project_id FROM billing_project');
  const known = new Set(rows.map((row) => row.project_id));
  if (known.size === 0) throw new Error('no project reached billing');
  if (known.size < firm.projects.length) {
    const missing = firm.projects.filter((project) => !known.has(project.projectId));
    print(
      `   WARNING ${missing.map((project) => project.projectId).join(', ')} never reached billing ` +
        `(see the contract and project logs in ${stack.logDir}); the benchmark goes on without them`,
    );
    firm = {
      ...firm,
      projects: firm.projects.filter((project) => known.has(project.projectId)),
      people: firm.people.filter((person) => known.has(person.projectId)),
    };
  }

  print(`   staffing: ${firm.people.length} people assigned to ${firm.projects.length} projects`);
  const assign = async (person: BenchPerson) =>
    expectOk(
      `assigning ${person.personId}`,
      await retryUnavailable(() =>
        request('PUT', `${stack.url('staffing')}/assignments/ASG-${person.personId}`, {
          projectId: person.projectId,
          personId: person.personId,
          role: person.role,
          hoursHundredths: 600 * days.length,
          startDate: days[0],
          endDate: days[days.length - 1],
          costRateMinor: person.costRateMinor,
        }),
      ),
    );
  for (let i = 0; i < firm.people.length; i += 10)
    await Promise.all(firm.people.slice(i, i + 10).map(assign));
  await waitUntil(
    `billing to know all ${firm.people.length} people's cost rates`,
    async () => {
      const known = await stack.count('billing', 'SELECT count(*) FROM person_cost_rate');
      return { done: known >= firm.people.length, status: `${known} known` };
    },
    { timeoutMs: 300_000, print },
  );
  return firm;
}
