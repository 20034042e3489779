import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sampleEventRecord } from '@throughline/contracts/testing';
import { ConfigurationError } from '@throughline/platform';

import { loadSlaSettings } from './config';
import { observationsOf } from './domain/observation';

/** The example firm file docker-compose.yml mounts for the sla service. */
const ERP_SLA_FILE = join(__dirname, '..', '..', '..', 'deploy', 'sla', 'erp-sla.json');

function configFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sla-config-')), 'slas.json');
  writeFileSync(file, content);
  return file;
}

describe('loadSlaSettings', () => {
  it('defaults to the built-in SLAs, checked every 5 s', () => {
    const settings = loadSlaSettings({});
    expect(settings.checkIntervalMs).toBe(5_000);
    expect(settings.slas.map((sla) => sla.name)).toEqual([
      'PROJECT_SETUP',
      'STAFFING_DEMAND',
      'FORECAST_REFRESH',
      'TIME_TO_BILLING',
      'INVOICE_AFTER_CLOSE',
    ]);
  });

  it('reads a firm config file and the check interval', () => {
    const file = configFile(
      JSON.stringify({
        slas: [
          {
            name: 'STAFFING_DEMAND',
            ownerRole: 'RESOURCE_MANAGEMENT',
            start: { eventType: 'ProjectCreated', key: 'projectId' },
            end: { eventType: 'StaffingDemandPublished', key: 'projectId' },
            thresholdMs: 60_000,
            enabled: false,
          },
        ],
      }),
    );
    const settings = loadSlaSettings({ SLA_CONFIG_FILE: file, SLA_CHECK_INTERVAL_MS: '250' });
    expect(settings.checkIntervalMs).toBe(250);
    expect(settings.slas.find((sla) => sla.name === 'STAFFING_DEMAND')).toMatchObject({
      thresholdMs: 60_000,
      enabled: false,
      moneyAtRisk: null,
    });
  });

  it('reads firm-wide and per-SLA holidays from the file', () => {
    const file = configFile(
      JSON.stringify({
        holidays: ['2026-12-25', '2026-12-28'],
        slas: [
          {
            name: 'CREDIT_NOTE',
            ownerRole: 'FINANCE_OPERATIONS',
            entityType: 'invoice',
            start: { eventType: 'BillingPeriodClosed', each: 'draftInvoices', key: 'invoiceId' },
            end: { eventType: 'InvoiceIssued', key: 'invoiceId' },
            businessDays: 2,
            timeZone: 'Europe/Berlin',
            holidays: ['2026-12-24'],
          },
        ],
      }),
    );
    const slas = loadSlaSettings({ SLA_CONFIG_FILE: file }).slas;
    expect(slas.find((sla) => sla.name === 'INVOICE_AFTER_CLOSE')?.holidays).toEqual([
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(slas.find((sla) => sla.name === 'CREDIT_NOTE')?.holidays).toEqual(['2026-12-24']);
    expect(slas.find((sla) => sla.name === 'PROJECT_SETUP')?.holidays).toEqual([]);
  });

  it('refuses to boot on a bad holiday, naming the file, the SLA and the value', () => {
    const file = configFile(
      JSON.stringify({
        slas: [
          {
            name: 'INVOICE_AFTER_CLOSE',
            ownerRole: 'FINANCE_OPERATIONS',
            start: { eventType: 'BillingPeriodClosed', each: 'draftInvoices', key: 'invoiceId' },
            end: { eventType: 'InvoiceIssued', key: 'invoiceId' },
            businessDays: 1,
            holidays: ['2026-12-25', '2026-12-32'],
          },
        ],
      }),
    );
    const boot = () => loadSlaSettings({ SLA_CONFIG_FILE: file });
    expect(boot).toThrow(ConfigurationError);
    expect(boot).toThrow(
      `SLA_CONFIG_FILE (${file}): Invalid SLA configuration:\n  config.slas.0.holidays.1: "2026-12-32" is not a calendar date YYYY-MM-DD (SLA INVOICE_AFTER_CLOSE)`,
    );
    const firmWide = configFile(JSON.stringify({ holidays: ['2026-12-25', 'Christmas'] }));
    expect(() => loadSlaSettings({ SLA_CONFIG_FILE: firmWide })).toThrow(
      /SLA_CONFIG_FILE .*config\.holidays\.1: "Christmas" is not a calendar date YYYY-MM-DD \(firm-wide holidays\)/s,
    );
  });

  describe('the example firm file deploy/sla/erp-sla.json', () => {
    const slas = loadSlaSettings({ SLA_CONFIG_FILE: ERP_SLA_FILE }).slas;
    const issuedAt = Date.parse('2026-12-01T09:00:00Z');
    const synced = (data: object) => ({
      eventType: 'OutboundRecordSynced',
      eventId: 'evt-synced',
      occurredAt: issuedAt + 60_000,
      payload: { ...sampleEventRecord('OutboundRecordSynced').data, externalId: 'INV-1', ...data },
    });

    it('adds INVOICE_REACHED_ERP to the built-ins: 15 minutes, finance, the invoice total at risk', () => {
      expect(slas.map((sla) => sla.name)).toEqual([
        'PROJECT_SETUP',
        'STAFFING_DEMAND',
        'FORECAST_REFRESH',
        'TIME_TO_BILLING',
        'INVOICE_AFTER_CLOSE',
        'INVOICE_REACHED_ERP',
      ]);
      const issued = {
        ...sampleEventRecord('InvoiceIssued').data,
        invoiceId: 'INV-1',
        issuedAt,
        totalMinor: 131_450,
        currency: 'EUR',
      };
      const observed = {
        eventType: 'InvoiceIssued',
        eventId: 'evt-issued',
        occurredAt: issuedAt + 5,
        payload: issued,
      };
      expect(observationsOf(slas, observed)).toContainEqual({
        terms: {
          sla: 'INVOICE_REACHED_ERP',
          ownerRole: 'FINANCE_OPERATIONS',
          entityType: 'invoice',
          thresholdMs: 900_000,
        },
        role: 'start',
        entityId: 'INV-1',
        dealId: null,
        at: issuedAt,
        moneyAtRiskMinor: 131_450,
        currency: 'EUR',
      });
    });

    it('ends the clock only when NetSuite took the invoice, at syncedAt', () => {
      expect(observationsOf(slas, synced({ syncedAt: issuedAt + 30_000 }))).toEqual([
        expect.objectContaining({ role: 'end', entityId: 'INV-1', at: issuedAt + 30_000 }),
      ]);
      expect(observationsOf(slas, synced({ target: 'hubspot' }))).toEqual([]);
      expect(observationsOf(slas, synced({ target: 'webhook:bi' }))).toEqual([]);
      expect(observationsOf(slas, synced({ entityType: 'Customer' }))).toEqual([]);
    });
  });

  it('fails fast naming the variable and the problem', () => {
    expect(() => loadSlaSettings({ SLA_CHECK_INTERVAL_MS: '0' })).toThrow(/SLA_CHECK_INTERVAL_MS/);
    const missing = () => loadSlaSettings({ SLA_CONFIG_FILE: '/nonexistent/slas.json' });
    expect(missing).toThrow(ConfigurationError);
    expect(missing).toThrow(/SLA_CONFIG_FILE: cannot read JSON from \/nonexistent\/slas.json/);
    expect(() => loadSlaSettings({ SLA_CONFIG_FILE: configFile('{ not json') })).toThrow(/SLA_CONFIG_FILE/);
    const invalid = configFile(JSON.stringify({ slas: [{ name: 'X', ownerRole: 'DELIVERY' }] }));
    expect(() => loadSlaSettings({ SLA_CONFIG_FILE: invalid })).toThrow(
      /SLA_CONFIG_FILE .*config\.slas\.0\.start: Required/s,
    );
  });
});
