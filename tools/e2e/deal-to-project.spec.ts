import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  hubSpotDealStageEvent,
  HubSpotStub,
  signHubSpotRequest,
  startHubSpotStub,
} from '@throughline/crm-sandbox';
import { eventually, trackTestTopics } from '@throughline/messaging/testing';
import { ExportedSpan } from '@throughline/observability';
import { dropDatabase } from '@throughline/persistence';
import { randomSuffix } from '@throughline/persistence/testing';

import { DEMO_MASTER_DATA, demoHubSpotData } from '../demo/deal-to-project';
import { ALL_SERVICES, RunningService, startServices, stopServices } from '../demo/services';

jest.setTimeout(240_000);

const APP_SECRET = 'e2e-hubspot-secret';
const PUBLIC_URL = 'https://ingress.e2e.example';

interface TimelineStep {
  step: string;
  entityId: string;
  correlationId: string;
}

interface Timeline {
  status: string;
  openExceptions: number;
  steps: TimelineStep[];
}

/**
 * Deal to project across every service, each a real process, against the real stack: a signed
 * HubSpot webhook in, projects ready to staff and bill out, traced end to end.
 */
describe('deal to project, end to end', () => {
  const run = randomSuffix();
  const tracesDir = mkdtempSync(join(tmpdir(), 'tl-e2e-traces-'));
  let hubSpot: HubSpotStub;
  let services: RunningService[];
  const url = (name: string) => services.find((service) => service.name === name)?.url ?? '';
  let nextEventId = Number.parseInt(run.slice(0, 6), 16) * 100;

  beforeAll(async () => {
    trackTestTopics(`e2e.${run}.`);
    hubSpot = await startHubSpotStub({ accessToken: 'e2e-token' });
    services = await startServices(ALL_SERVICES, {
      freePorts: true,
      // Seven services join their groups and create their topics at once on a busy 2-core machine.
      readyTimeoutMs: 180_000,
      logDir: join(tracesDir, 'logs'),
      env: {
        TOPIC_PREFIX: `e2e.${run}.`,
        HUBSPOT_API_URL: hubSpot.url,
        HUBSPOT_ACCESS_TOKEN: 'e2e-token',
        HUBSPOT_APP_SECRET: APP_SECRET,
        INGRESS_PUBLIC_URL: PUBLIC_URL,
        INGRESS_WORKER_POLL_MS: '200',
        OTEL_TRACES_EXPORTER: 'file',
        LOG_LEVEL: 'warn',
      },
      envFor: (service) => ({
        DATABASE_NAME: `tl_e2e_${run}_${service}`,
        THROUGHLINE_TRACES_FILE: join(tracesDir, `${service}.jsonl`),
      }),
    });
    const seeded = await post(`${url('ingress')}/erp/master-data`, DEMO_MASTER_DATA);
    expect(seeded.status).toBe(200);
  });

  afterAll(async () => {
    await stopServices(services ?? []);
    await hubSpot?.close();
    await Promise.all(
      ALL_SERVICES.map((service) => dropDatabase(`tl_e2e_${run}_${service}`).catch(() => undefined)),
    );
  });

  async function post(target: string, body: unknown, headers: Record<string, string> = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  async function put(target: string, body: unknown) {
    const response = await fetch(target, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.status;
  }

  function postWebhook(dealIds: number[]) {
    const body = JSON.stringify(
      dealIds.map((dealId) => hubSpotDealStageEvent({ eventId: ++nextEventId, dealId })),
    );
    return post(
      `${url('ingress')}/webhooks/hubspot`,
      body,
      signHubSpotRequest({ secret: APP_SECRET, uri: `${PUBLIC_URL}/webhooks/hubspot`, body }),
    );
  }

  function addDeals(first: number, second: number) {
    const data = demoHubSpotData(first, second);
    Object.assign(hubSpot.data.deals, data.deals);
    Object.assign(hubSpot.data.lineItems, data.lineItems);
    Object.assign(hubSpot.data.companies, data.companies);
  }

  async function timeline(dealId: string): Promise<Timeline | undefined> {
    const response = await fetch(`${url('reporting')}/deals/${dealId}/timeline`);
    return response.status === 200 ? ((await response.json()) as Timeline) : undefined;
  }

  const waitForTimeline = (dealId: string, wanted: (t: Timeline) => boolean) =>
    eventually(async () => {
      const current = await timeline(dealId);
      return current && wanted(current) ? current : undefined;
    }, 90_000);

  /** Resolves once reporting has consumed everything on its topics (its lag gauge, read live on scrape). */
  const waitForReportingLag0 = () =>
    eventually(async () => {
      const metrics = await (await fetch(`${url('reporting')}/metrics`)).text();
      const lags = [...metrics.matchAll(/^throughline_consumer_lag\{[^}]*\} (\d+)$/gm)].map((m) => Number(m[1]));
      return lags.length > 0 && lags.every((lag) => lag === 0) ? true : undefined;
    }, 90_000);

  const dealIds = () => {
    nextEventId += 10;
    return [nextEventId + 1, nextEventId + 2];
  };

  it('turns a signed two-country closed-won deal into one ready project per legal entity, in one trace', async () => {
    const [twoCountry, other] = dealIds();
    addDeals(twoCountry, other);
    expect((await postWebhook([twoCountry])).status).toBe(202);

    // Reporting reads each event type from its own topic, so SETUP_READY can be recorded before
    // a staffing or billing step of the same deal: wait for READY, then for reporting to catch up.
    await waitForTimeline(`HS-${twoCountry}`, (t) => t.status === 'READY');
    await waitForReportingLag0();
    const ready = (await timeline(`HS-${twoCountry}`)) as Timeline;
    const steps = ready.steps.map((step) => `${step.step} ${step.entityId}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        `DEAL_WON HS-${twoCountry}`,
        `CONTRACT_APPROVED CTR-HS-${twoCountry}`,
        `PROJECT_CREATED PRJ-HS-${twoCountry}-LE-DE`,
        `PROJECT_CREATED PRJ-HS-${twoCountry}-LE-FR`,
        `STAFFING_DEMAND_PUBLISHED PRJ-HS-${twoCountry}-LE-DE`,
        `STAFFING_DEMAND_PUBLISHED PRJ-HS-${twoCountry}-LE-FR`,
        `BILLING_PROVISIONED PRJ-HS-${twoCountry}-LE-DE`,
        `BILLING_PROVISIONED PRJ-HS-${twoCountry}-LE-FR`,
        `SETUP_READY HS-${twoCountry}`,
      ]),
    );
    expect(steps.indexOf(`DEAL_WON HS-${twoCountry}`)).toBe(0);
    expect(new Set(ready.steps.map((step) => step.correlationId)).size).toBe(1);

    const projects = (await (await fetch(`${url('project')}/projects?dealId=HS-${twoCountry}`)).json()) as {
      budgetMinor: number;
      currency: string;
    }[];
    expect(projects.map((project) => [project.currency, project.budgetMinor])).toEqual([
      ['EUR', 600_000],
      ['EUR', 840_000],
    ]);
    const schedule = (await (
      await fetch(`${url('billing')}/billing-schedules/PRJ-HS-${twoCountry}-LE-DE`)
    ).json()) as {
      scheduleItems: { amountMinor: number | null }[];
    };
    expect(schedule.scheduleItems.map((item) => item.amountMinor)).toEqual([180_000, 300_000, 120_000]);

    // One deal is one trace: the webhook request's trace runs through every service's spans.
    // Each service exports its spans in its own batches, so wait for every one of them.
    const spans = await eventually(() => {
      const all = readSpans();
      const webhook = all.find(
        (span) => span.service === 'ingress' && span.name === 'POST /webhooks/hubspot',
      );
      const setup = all.filter((span) => span.traceId === webhook?.traceId);
      return new Set(setup.map((span) => span.service)).size === ALL_SERVICES.length ? setup : undefined;
    }, 60_000);
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(ALL_SERVICES));
    expect(spans.some((span) => span.service === 'project' && span.name === 'process ContractApproved')).toBe(
      true,
    );
    expect(spans.some((span) => span.name === 'db transaction')).toBe(true);
  });

  it('routes a missing rate card to sales operations and resumes by itself when it arrives', async () => {
    const [other, missingRateCard] = dealIds();
    addDeals(other, missingRateCard);
    for (const deal of Object.values(hubSpot.data.lineItems)) {
      if (deal['legal_entity_id'] === 'LE-NL') deal['rate_card_id'] = `RC-NL-${run}`;
    }
    expect((await postWebhook([missingRateCard])).status).toBe(202);
    const dealId = `HS-${missingRateCard}`;
    const blocked = await waitForTimeline(dealId, (t) => t.openExceptions > 0);
    expect(blocked.status).toBe('BLOCKED');
    const exceptions = (await (await fetch(`${url('reporting')}/exceptions?status=open`)).json()) as {
      owners: { ownerRole: string; exceptions: { dealId: string; code: string }[] }[];
    };
    const sales = exceptions.owners.find((owner) => owner.ownerRole === 'SALES_OPERATIONS');
    expect(sales?.exceptions.filter((e) => e.dealId === dealId).map((e) => e.code)).toEqual([
      'MISSING_RATE_CARD',
    ]);

    expect(
      await put(`${url('ingress')}/erp/rate-cards/RC-NL-${run}`, {
        legalEntityId: 'LE-NL',
        currency: 'EUR',
        effectiveFrom: '2026-01-01',
        effectiveTo: null,
        rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
      }),
    ).toBe(200);
    const ready = await waitForTimeline(dealId, (t) => t.status === 'READY');
    expect(ready.steps.map((step) => step.step)).toEqual(
      expect.arrayContaining(['EXCEPTION_RAISED', 'EXCEPTION_RESOLVED', 'SETUP_READY']),
    );
  });

  it('makes one deal of re-sent and concurrent webhooks for the same deal', async () => {
    const [deal, other] = dealIds();
    addDeals(deal, other);
    const body = JSON.stringify([hubSpotDealStageEvent({ eventId: ++nextEventId, dealId: deal })]);
    const headers = signHubSpotRequest({ secret: APP_SECRET, uri: `${PUBLIC_URL}/webhooks/hubspot`, body });
    const sends = [
      post(`${url('ingress')}/webhooks/hubspot`, body, headers),
      post(`${url('ingress')}/webhooks/hubspot`, body, headers),
      ...Array.from({ length: 4 }, () => postWebhook([deal])),
    ];
    const answers = await Promise.all(sends);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202, 202, 202]);

    await waitForTimeline(`HS-${deal}`, (t) => t.status === 'READY');
    await waitForReportingLag0();
    const final = (await timeline(`HS-${deal}`)) as Timeline;
    const count = (step: string) => final.steps.filter((entry) => entry.step === step).length;
    expect([
      count('DEAL_WON'),
      count('CONTRACT_APPROVED'),
      count('PROJECT_CREATED'),
      count('SETUP_READY'),
    ]).toEqual([1, 1, 2, 1]);
    const projects = (await (
      await fetch(`${url('project')}/projects?dealId=HS-${deal}`)
    ).json()) as unknown[];
    expect(projects).toHaveLength(2);
  });

  it('rejects an unsigned or stale webhook without creating anything', async () => {
    const [deal] = dealIds();
    const body = JSON.stringify([hubSpotDealStageEvent({ eventId: ++nextEventId, dealId: deal })]);
    expect((await post(`${url('ingress')}/webhooks/hubspot`, body)).status).toBe(401);
    const stale = signHubSpotRequest({
      secret: APP_SECRET,
      uri: `${PUBLIC_URL}/webhooks/hubspot`,
      body,
      timestamp: Date.now() - 6 * 60_000,
    });
    expect((await post(`${url('ingress')}/webhooks/hubspot`, body, stale)).status).toBe(401);
    const forged = signHubSpotRequest({
      secret: 'not-the-secret',
      uri: `${PUBLIC_URL}/webhooks/hubspot`,
      body,
    });
    expect((await post(`${url('ingress')}/webhooks/hubspot`, body, forged)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await timeline(`HS-${deal}`)).toBeUndefined();
  });

  function readSpans(): ExportedSpan[] {
    return readdirSync(tracesDir)
      .filter((file) => file.endsWith('.jsonl'))
      .flatMap((file) =>
        readFileSync(join(tracesDir, file), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as ExportedSpan),
      );
  }
});
