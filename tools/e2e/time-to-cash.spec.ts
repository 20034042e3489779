import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { eventDefinition, EventPayloads } from '@throughline/contracts';
import { HubSpotStub, startHubSpotStub } from '@throughline/crm-sandbox';
import { eventually, trackTestTopics } from '@throughline/messaging/testing';
import { oidcConfig } from '@throughline/messaging-nest/testing';
import { dropDatabase } from '@throughline/persistence';
import { randomSuffix } from '@throughline/persistence/testing';

import { DEMO_MASTER_DATA, runDealToProjectDemo } from '../demo/deal-to-project';
import { ALL_SERVICES, RunningService, startServices, stopServices } from '../demo/services';
import { consumeWithPython } from '../interop/clients';
import { REPO_ROOT } from '../stack/config';
import { chooseDemoPeriod, FIRST_DEMO_PERIOD, runTimeToCashDemo } from '../demo/time-to-cash';

jest.setTimeout(300_000);

const APP_SECRET = 'e2e-hubspot-secret';
const PUBLIC_URL = 'https://ingress.e2e.example';

/**
 * The `npm start` demo, deal to project and then time to cash, against every service as its own
 * process on fresh databases and topics: the figures it prints are checked against amounts worked
 * out by hand from the demo's inputs.
 */
describe('time to cash, end to end (the npm start demo)', () => {
  const run = randomSuffix();
  const workDir = mkdtempSync(join(tmpdir(), 'tl-e2e-t2c-'));
  let hubSpot: HubSpotStub;
  let services: RunningService[];
  const url = (name: string) => services.find((service) => service.name === name)?.url ?? '';

  beforeAll(async () => {
    trackTestTopics(`e2e.t2c.${run}.`);
    hubSpot = await startHubSpotStub({ accessToken: 'e2e-token' });
    services = await startServices(ALL_SERVICES, {
      freePorts: true,
      // Seven services join their groups and create their topics at once on a busy 2-core machine.
      readyTimeoutMs: 180_000,
      logDir: join(workDir, 'logs'),
      env: {
        TOPIC_PREFIX: `e2e.t2c.${run}.`,
        HUBSPOT_API_URL: hubSpot.url,
        HUBSPOT_ACCESS_TOKEN: 'e2e-token',
        HUBSPOT_APP_SECRET: APP_SECRET,
        INGRESS_PUBLIC_URL: PUBLIC_URL,
        INGRESS_WORKER_POLL_MS: '200',
        OTEL_TRACES_EXPORTER: 'none',
        LOG_LEVEL: 'warn',
      },
      envFor: (service) => ({ DATABASE_NAME: `tl_e2e_t2c_${run}_${service}` }),
    });
  });

  afterAll(async () => {
    await stopServices(services ?? []);
    await hubSpot?.close();
    await Promise.all(
      ALL_SERVICES.map((service) => dropDatabase(`tl_e2e_t2c_${run}_${service}`).catch(() => undefined)),
    );
  });

  it('bills a month of time and expenses, recognises revenue and shows utilisation and margin', async () => {
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);
    const projects = await runDealToProjectDemo(
      {
        ingress: url('ingress'),
        reporting: url('reporting'),
        ingressPublicUrl: PUBLIC_URL,
        hubSpotAppSecret: APP_SECRET,
      },
      hubSpot,
      print,
      `${FIRST_DEMO_PERIOD}-01`,
    );
    expect(await chooseDemoPeriod(url('billing'))).toBe(FIRST_DEMO_PERIOD);
    expect(DEMO_MASTER_DATA.legalEntities).toHaveLength(3);

    const { issued, summary } = await runTimeToCashDemo(
      {
        ingress: url('ingress'),
        project: url('project'),
        staffing: url('staffing'),
        billing: url('billing'),
        reporting: url('reporting'),
      },
      projects,
      FIRST_DEMO_PERIOD,
      print,
    );

    // NL, time and materials: 22 working days × 3.75 h; 11 days at 100.00 and 11 at 110.00 after the
    // rate change on 2026-10-16, plus a 96.40 expense. DE, fixed fee by milestone: the completed
    // blueprint milestone (30 % of 6,000.00) plus a 412.30 expense; its time is not billed by the hour.
    // FR, fixed fee: no milestone completed, nothing to bill.
    // Tax (BILLING_TAX defaults to required; the demo's ERP data has the regimes): Acme is a German
    // company with a VAT id, so LE-DE bills German VAT, 19 % of 2,212.30 = 420.337 → 420.34 (rounded
    // half up once per invoice and rate), and LE-NL reverse-charges it (0 %, due = net).
    const byLegalEntity = Object.fromEntries(
      issued.map((invoice) => [invoice.legalEntityId, invoice.totalMinor]),
    );
    expect(byLegalEntity).toEqual({
      'LE-NL': 11 * 37_500 + 11 * 41_250 + 9_640,
      'LE-DE': 180_000 + 41_230 + 42_034,
    });
    expect(
      issued.map((invoice) => [
        invoice.legalEntityId,
        invoice.netMinor,
        invoice.taxMinor,
        invoice.reverseCharge,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['LE-NL', 875_890, 0, true],
        ['LE-DE', 221_230, 42_034, false],
      ]),
    );
    expect(summary.invoices).toEqual([
      expect.objectContaining({ currency: 'EUR', totalMinor: 875_890 + 263_264 }),
    ]);

    // An analyst's figure from the stream equals reporting's: the guide's Python client
    // (docs/consuming-events.md) reads InvoiceIssued, deduplicated on eventId and summed per legal
    // entity and currency for the period; reporting's summary gives the same per legal entity.
    const invoiceTopic = `e2e.t2c.${run}.${eventDefinition('InvoiceIssued').topic.name}`;
    const issuedEvents = new Map(
      (await consumeWithPython([invoiceTopic])).map(({ value }) => [
        value.envelope.eventId,
        value.data as EventPayloads['InvoiceIssued'],
      ]),
    );
    const fromStream: Record<string, number> = {};
    for (const invoiceEvent of issuedEvents.values()) {
      if (invoiceEvent.billingPeriod !== FIRST_DEMO_PERIOD) continue;
      const key = `${invoiceEvent.legalEntityId} ${invoiceEvent.currency}`;
      fromStream[key] = (fromStream[key] ?? 0) + invoiceEvent.totalMinor;
    }
    type Summary = {
      invoicesByLegalEntity: { legalEntityId: string; currency: string; totalMinor: number }[];
      tax: {
        legalEntityId: string;
        netMinor: number;
        taxMinor: number;
        rates: {
          taxCode: string | null;
          rateBasisPoints: number | null;
          netMinor: number;
          taxMinor: number;
        }[];
      }[];
    };
    const reported = await getJson<Summary>(
      `${url('reporting')}/reports/summary?period=${FIRST_DEMO_PERIOD}`,
    );
    expect(fromStream).toEqual(
      Object.fromEntries(
        reported.invoicesByLegalEntity.map((row) => [`${row.legalEntityId} ${row.currency}`, row.totalMinor]),
      ),
    );
    expect(fromStream).toEqual({ 'LE-NL EUR': 875_890, 'LE-DE EUR': 263_264 });
    // Reporting's tax per legal entity and rate: what each entity declares for the period.
    expect(
      reported.tax.map((entity) => ({
        legalEntityId: entity.legalEntityId,
        netMinor: entity.netMinor,
        taxMinor: entity.taxMinor,
        rates: entity.rates.map((rate) => [rate.taxCode, rate.rateBasisPoints, rate.netMinor, rate.taxMinor]),
      })),
    ).toEqual([
      { legalEntityId: 'LE-DE', netMinor: 221_230, taxMinor: 42_034, rates: [['S', 1_900, 221_230, 42_034]] },
      {
        legalEntityId: 'LE-NL',
        netMinor: 875_890,
        taxMinor: 0,
        rates: [['REVERSE_CHARGE', 0, 875_890, 0]],
      },
    ]);
    // Revenue: the milestone fee and time as delivered, billable expenses passed through at cost.
    expect(summary.revenue).toEqual([
      expect.objectContaining({ currency: 'EUR', amountMinor: 180_000 + 41_230 + 866_250 + 9_640 }),
    ]);
    // NL: 875,890 of revenue − 82.5 h × 60.00 cost − the 96.40 expense.
    const margin = Object.fromEntries(summary.margin.map((p) => [p.projectId, p['actualMarginMinor']]));
    expect(margin).toEqual({
      [projects.nl]: 875_890 - 495_000 - 9_640,
      [projects.de]: 221_230 - 55 * 9_000 - 41_230,
      [projects.fr]: -88 * 6_200,
    });
    const utilisation = Object.fromEntries(
      summary.utilisation.map((person) => [person.personId, person.utilisationBasisPoints]),
    );
    // Capacity: 8 h × 22 working days = 176 h. Fixed-fee time is billable work although billing
    // bills the fee rather than the hours.
    expect(utilisation['P-ANNA']).toBe(3_125);
    expect(utilisation['P-LUC']).toBe(5_000);
    // 82.5 h / 176 h = 46.875 %, rounded half away from zero.
    expect(utilisation['P-SEM']).toBe(4_688);

    // Collections: the DE invoice is paid, the NL one is open and not yet due on 2026-11-25.
    type Ageing = { customers: { customerId: string; outstanding: { amountMinor: number } }[] };
    const ageing = await eventually(async () => {
      const report = await getJson<Ageing>(`${url('reporting')}/reports/ar-ageing?asOf=2026-11-25`);
      return report.customers[0]?.outstanding.amountMinor === 875_890 ? report : undefined;
    }, 30_000).catch(async () => getJson<Ageing>(`${url('reporting')}/reports/ar-ageing?asOf=2026-11-25`));
    expect(ageing.customers).toEqual([
      expect.objectContaining({
        customerId: 'CUST-ACME',
        outstanding: expect.objectContaining({ amountMinor: 875_890 }),
      }),
    ]);

    // Business SLAs: every approved entry reached billing, both invoices went out in time, every
    // assignment change refreshed the forecast; nothing leaked, and the missing rate card was resolved.
    const slas = await eventually(async () => {
      const all = await getJson<{ name: string; clocks: { met: number; breached: number; open: number } }[]>(
        `${url('sla')}/slas`,
      );
      const met = (name: string) => all.find((sla) => sla.name === name)?.clocks.met ?? 0;
      return met('TIME_TO_BILLING') === 66 && met('INVOICE_AFTER_CLOSE') === 2 && met('FORECAST_REFRESH') >= 3
        ? all
        : undefined;
    }, 60_000);
    expect(slas.map((sla) => [sla.name, sla.clocks.breached])).toEqual(
      expect.arrayContaining([
        ['TIME_TO_BILLING', 0],
        ['INVOICE_AFTER_CLOSE', 0],
        ['FORECAST_REFRESH', 0],
      ]),
    );
    type Roi = {
      billingLeakage: { actuals: number };
      businessExceptions: { raised: number; resolved: number };
    };
    // The invoiced actuals' ActualChanged events and the resolution arrive on their own topics: wait for them.
    const roi = await eventually(async () => {
      const figures = await getJson<Roi>(`${url('sla')}/roi`);
      return figures.billingLeakage.actuals === 0 && figures.businessExceptions.resolved >= 1
        ? figures
        : undefined;
    }, 30_000).catch(async () => getJson<Roi>(`${url('sla')}/roi`));
    expect(roi.billingLeakage.actuals).toBe(0);
    expect(roi.businessExceptions.resolved).toBeGreaterThanOrEqual(1);

    // Correlation lookup of an invoice: its events in order and billing's state of it.
    const invoice = issued.find((i) => i.legalEntityId === 'LE-DE');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(REPO_ROOT, 'apps/ops/bin/throughline.js'), 'lookup', invoice?.invoiceId ?? 'missing', '--json'],
      {
        env: {
          ...process.env,
          TOPIC_PREFIX: `e2e.t2c.${run}.`,
          CONTRACT_URL: url('contract'),
          PROJECT_URL: url('project'),
          BILLING_URL: url('billing'),
          REPORTING_URL: url('reporting'),
          // The CLI authenticates to the services as the ops client of the local provider (AUTH_ISSUER).
          OIDC_CLIENT_ID: 'throughline-ops',
          OIDC_CLIENT_SECRET: oidcConfig().clients.find((c) => c.client_id === 'throughline-ops')
            ?.client_secret,
        },
      },
    );
    const lookup = JSON.parse(stdout) as {
      events: { eventType: string }[];
      states: { service: string; entity: string; available: boolean; state: { totalMinor?: number } }[];
    };
    expect(lookup.events.map((event) => event.eventType)).toEqual(
      expect.arrayContaining(['BillingPeriodClosed', 'InvoiceIssued', 'PaymentReceived']),
    );
    const billed = lookup.states.find((state) => state.entity === `invoice ${invoice?.invoiceId}`);
    // The amount due: net 2,212.30 + 19 % VAT 420.34.
    expect(billed).toMatchObject({ service: 'billing', available: true, state: { totalMinor: 263_264 } });

    // A correction of invoiced time: P-SEM booked 3.75 h instead of 1.75 h on the 1st (rate 100.00).
    // Reporting's utilisation follows the corrected timesheet; billing keeps the issued invoice and
    // routes the exact difference to finance.
    type Entries = { timeEntries: { entryId: string; personId: string; workDate: string }[] };
    const entries = await getJson<Entries>(
      `${url('ingress')}/psa/time-entries?projectId=${projects.nl}&status=APPROVED&limit=500`,
    );
    const corrected = entries.timeEntries.find(
      (entry) => entry.personId === 'P-SEM' && entry.workDate === `${FIRST_DEMO_PERIOD}-01`,
    );
    expect(corrected).toBeDefined();
    const correction = await fetch(`${url('ingress')}/psa/time-entries/${corrected?.entryId}/corrections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        hours: '1.75',
        reason: 'booked the whole day by mistake',
        approvedBy: 'U-LEAD',
      }),
    });
    expect(correction.status).toBe(201);
    expect(await correction.json()).toMatchObject({ outcome: 'CORRECTED', revision: 2 });

    type Utilisation = { rows: { personId: string; utilisationBasisPoints: number }[] };
    const corrections = await eventually(async () => {
      const report = await getJson<Utilisation>(
        `${url('reporting')}/reports/utilisation?period=${FIRST_DEMO_PERIOD}`,
      );
      const exceptions = await getJson<{
        owners: { ownerRole: string; exceptions: { code: string; entityId: string; message: string }[] }[];
      }>(`${url('reporting')}/exceptions?status=open`);
      const finance = exceptions.owners
        .find((owner) => owner.ownerRole === 'FINANCE_OPERATIONS')
        ?.exceptions.filter((exception) => exception.code === 'TIME_CORRECTED_AFTER_INVOICING');
      const sem = report.rows.find((row) => row.personId === 'P-SEM');
      return sem?.utilisationBasisPoints !== 4_688 && finance?.length ? { sem, finance } : undefined;
    }, 60_000);
    // 80.5 h / 176 h = 45.74 %.
    expect(corrections.sem?.utilisationBasisPoints).toBe(4_574);
    expect(corrections.finance).toEqual([
      expect.objectContaining({ message: expect.stringContaining('-20000.00') }),
    ]);
    const nlInvoice = await getJson<{ totalMinor: number }>(
      `${url('billing')}/invoices/${issued.find((i) => i.legalEntityId === 'LE-NL')?.invoiceId}`,
    );
    expect(nlInvoice.totalMinor).toBe(875_890);
  });

  async function getJson<T>(target: string): Promise<T> {
    const response = await fetch(target);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }
});
