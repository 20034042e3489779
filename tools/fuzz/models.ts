import { ServiceName } from '../demo/services';

/**
 * What a field (or path parameter) of a write route accepts, so the fuzzer knows which values must
 * be refused: a value of another JSON type, one outside the kind's rules, or none when required.
 */
export type FieldKind =
  /** Free text, trimmed, 1..max characters (`blank`: untrimmed; `empty`: '' too). */
  | { kind: 'text'; max: number; blank?: boolean; empty?: boolean }
  /** An id of letters, digits, ".", "_", ":", "-" (1..max), e.g. externalId / masterDataId. */
  | { kind: 'id'; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'currency' }
  /** A calendar date YYYY-MM-DD in a sane range. */
  | { kind: 'date' }
  | { kind: 'int'; min: number; max: number }
  /** An exact decimal as a string (JSON numbers refused). */
  | { kind: 'decimal' }
  /** Hours as a decimal string or number, above 0 and at most 24. */
  | { kind: 'hours' }
  | { kind: 'boolean' }
  /** Epoch milliseconds or an ISO-8601 date-time, not far in the future. */
  | { kind: 'instant' }
  /** An array: non-empty unless `empty`, at most `maxItems`. */
  | { kind: 'array'; maxItems?: number; empty?: boolean }
  /** A category code such as TRAVEL. */
  | { kind: 'category' }
  /** A Salesforce id: 15 or 18 letters and digits. */
  | { kind: 'salesforceId' }
  | { kind: 'uuid' }
  /** A JSON string that must hold a JSON array (Salesforce LineItems__c). */
  | { kind: 'jsonText' }
  /** Exactly this string. */
  | { kind: 'literal'; value: string }
  /** Any JSON object (its fields are fuzzed on their own). */
  | { kind: 'object' }
  /** `beginning` or a past ISO-8601 date-time with offset (projection rebuilds). */
  | { kind: 'rebuildFrom' }
  /** A billing period YYYY-MM in a sane range. */
  | { kind: 'period' }
  /** A positive 64-bit-safe integer in a path (a version number). */
  | { kind: 'intPath' }
  /** Only looked up (an unknown value is a 404): hostile values must still never reach a 5xx. */
  | { kind: 'lookup' };

export interface FieldSpec {
  type: FieldKind;
  /** Missing → refused. */
  required: boolean;
  /** null accepted. */
  nullable?: boolean;
}

export interface RouteModel {
  service: ServiceName;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Nest's pattern, as discovered (`/erp/customers/:customerId`). */
  route: string;
  /** Valid values of the path parameters and what each accepts. */
  params: Record<string, { valid: string; type: FieldKind }>;
  /** A body the route accepts (undefined: the route takes none). */
  body?: unknown;
  /** Fields by dotted path in the body ("rates.0.rateMinor"): what each accepts. */
  fields: Record<string, FieldSpec>;
  /** Unknown keys are refused at these object paths ('' = the body); passthrough objects are left out. */
  strictObjects: readonly string[];
  /** CRM webhooks: signed with the service's secret, and signatures are fuzzed too. */
  signature?: 'hubspot' | 'salesforce';
  /** Body limit of the route (bytes). */
  bodyLimit: number;
  /**
   * What the valid request is answered with the fuzzed service's empty database (the suite's positive
   * control, sent after the fuzzing): an accepted status, or the lookup 4xx of an unknown id.
   */
  control: readonly number[];
}

const KB100 = 100 * 1024;
const MB1 = 1024 * 1024;
const text = (max: number, required = true, nullable = false): FieldSpec => ({
  type: { kind: 'text', max },
  required,
  nullable,
});
const id = (max: number, required = true): FieldSpec => ({ type: { kind: 'id', max }, required });
const currency: FieldSpec = { type: { kind: 'currency' }, required: true };
const date = (required = true, nullable = false): FieldSpec => ({
  type: { kind: 'date' },
  required,
  nullable,
});
const int = (min: number, max: number, required = true, nullable = false): FieldSpec => ({
  type: { kind: 'int', min, max },
  required,
  nullable,
});
const bool: FieldSpec = { type: { kind: 'boolean' }, required: true };
const decimal = (required = true): FieldSpec => ({ type: { kind: 'decimal' }, required });
const enumOf = (values: readonly string[], required = true): FieldSpec => ({
  type: { kind: 'enum', values },
  required,
});
const SAFE = Number.MAX_SAFE_INTEGER;
/** The test client's subject; it may act for anyone, so any well-formed user id is its own. */
const APPROVER = 'fuzz-approver';

/** Every write route of every service, and what it accepts. A discovered write route without one fails the suite. */
export const MODELS: readonly RouteModel[] = [
  // ingress: ERP master data
  {
    service: 'ingress',
    method: 'PUT',
    route: '/erp/customers/:customerId',
    params: { customerId: { valid: 'C-FUZZ-1', type: { kind: 'id', max: 64 } } },
    body: { name: 'Acme Fuzz', status: 'ACTIVE', billingCurrency: 'EUR' },
    fields: { name: text(200), status: enumOf(['ACTIVE', 'BLOCKED']), billingCurrency: currency },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'PUT',
    route: '/erp/legal-entities/:legalEntityId',
    params: { legalEntityId: { valid: 'LE-FUZZ', type: { kind: 'id', max: 64 } } },
    body: { name: 'Fuzz GmbH', country: 'DE', currency: 'EUR', taxRegistrationId: 'DE123456789' },
    fields: {
      name: text(200),
      currency,
      taxRegistrationId: text(64, false, true),
    },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'PUT',
    route: '/erp/rate-cards/:rateCardId',
    params: { rateCardId: { valid: 'RC-FUZZ', type: { kind: 'id', max: 64 } } },
    body: {
      legalEntityId: 'LE-FUZZ',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
      rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
    },
    fields: {
      legalEntityId: id(64),
      currency,
      effectiveFrom: date(),
      effectiveTo: date(false, true),
      rates: { type: { kind: 'array' }, required: true },
      'rates.0.role': text(200),
      'rates.0.rateMinor': int(0, SAFE),
      'rates.0.costRateMinor': int(0, SAFE, false, true),
    },
    strictObjects: ['', 'rates.0'],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'PUT',
    route: '/erp/project-templates/:templateId',
    params: { templateId: { valid: 'TPL-FUZZ', type: { kind: 'id', max: 64 } } },
    body: {
      name: 'Fuzz template',
      billingType: 'FIXED_FEE_MILESTONE',
      durationDays: 90,
      phases: [
        {
          name: 'Build',
          offsetDays: 0,
          durationDays: 90,
          milestones: [{ name: 'Go-live', offsetDays: 90, percentOfFee: 10_000 }],
        },
      ],
    },
    fields: {
      name: text(200),
      billingType: enumOf([
        'TIME_AND_MATERIALS',
        'FIXED_FEE_MILESTONE',
        'FIXED_FEE_PERCENT_COMPLETE',
        'RETAINER',
      ]),
      durationDays: int(90, 36_600),
      phases: { type: { kind: 'array' }, required: true },
      'phases.0.name': text(200),
      'phases.0.offsetDays': int(0, 0),
      'phases.0.milestones.0.percentOfFee': int(0, 10_000, false, true),
    },
    strictObjects: ['', 'phases.0', 'phases.0.milestones.0'],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'PUT',
    route: '/erp/tax-regimes/:legalEntityId',
    params: { legalEntityId: { valid: 'LE-FUZZ', type: { kind: 'id', max: 64 } } },
    body: {
      country: 'DE',
      standardTaxCode: 'S',
      rates: [{ taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: '2021-01-01', effectiveTo: null }],
    },
    fields: {
      standardTaxCode: id(32),
      rates: { type: { kind: 'array' }, required: true },
      'rates.0.taxCode': id(32),
      'rates.0.rateBasisPoints': int(0, 10_000),
      'rates.0.effectiveFrom': date(),
      'rates.0.effectiveTo': date(false, true),
    },
    strictObjects: ['', 'rates.0'],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'PUT',
    route: '/erp/customer-tax-profiles/:customerId',
    params: { customerId: { valid: 'C-FUZZ-1', type: { kind: 'id', max: 64 } } },
    body: { country: 'NL', taxId: 'NL859012345B01' },
    fields: { taxId: text(64, false, true) },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'POST',
    route: '/erp/master-data',
    params: {},
    body: {
      customers: [{ customerId: 'C-FUZZ-2', name: 'Globex Fuzz', status: 'BLOCKED', billingCurrency: 'USD' }],
    },
    fields: {
      customers: { type: { kind: 'array', empty: true }, required: false },
      'customers.0.customerId': id(64),
      'customers.0.name': text(200),
      'customers.0.status': enumOf(['ACTIVE', 'BLOCKED']),
      'customers.0.billingCurrency': currency,
    },
    strictObjects: ['', 'customers.0'],
    bodyLimit: KB100,
    control: [200],
  },
  // ingress: PSA
  {
    service: 'ingress',
    method: 'POST',
    route: '/psa/time-entries',
    params: {},
    body: {
      entryId: 'TE-FUZZ-1',
      projectId: 'PRJ-FUZZ',
      personId: 'u-fuzz',
      role: 'Consultant',
      workDate: '2026-12-01',
      hours: '7.5',
      billable: true,
    },
    fields: {
      entryId: id(128),
      projectId: id(128),
      personId: id(128),
      role: text(200),
      workDate: date(),
      hours: { type: { kind: 'hours' }, required: true },
      billable: bool,
      approvedAt: { type: { kind: 'instant' }, required: false, nullable: true },
    },
    strictObjects: [''],
    bodyLimit: MB1,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'POST',
    route: '/psa/time-entries/:entryId/corrections',
    params: { entryId: { valid: 'TE-FUZZ-NONE', type: { kind: 'id', max: 128 } } },
    body: { hours: '6', reason: 'typed 7.5 instead of 6', approvedBy: APPROVER },
    fields: {
      hours: { type: { kind: 'hours' }, required: false },
      reason: text(1_000),
      approvedBy: id(128),
      approvedAt: { type: { kind: 'instant' }, required: false, nullable: true },
    },
    strictObjects: [''],
    bodyLimit: MB1,
    control: [404],
  },
  {
    service: 'ingress',
    method: 'POST',
    route: '/psa/expenses',
    params: {},
    body: {
      expenseId: 'EX-FUZZ-1',
      projectId: 'PRJ-FUZZ',
      personId: 'u-fuzz',
      incurredOn: '2026-12-01',
      amount: '12.50',
      currency: 'EUR',
      category: 'TRAVEL',
      billable: true,
    },
    fields: {
      expenseId: id(128),
      projectId: id(128),
      personId: id(128),
      incurredOn: date(),
      amount: decimal(),
      currency,
      category: { type: { kind: 'category' }, required: true },
      receiptReference: text(200, false, true),
      billable: bool,
    },
    strictObjects: [''],
    bodyLimit: MB1,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'POST',
    route: '/psa/approvals',
    params: {},
    body: { approvedBy: APPROVER, timeEntryIds: ['TE-FUZZ-NONE'] },
    fields: {
      approvedBy: id(128),
      approvedAt: { type: { kind: 'instant' }, required: false, nullable: true },
      timeEntryIds: { type: { kind: 'array', maxItems: 500 }, required: true },
      'timeEntryIds.0': id(128),
    },
    strictObjects: [''],
    bodyLimit: MB1,
    control: [200, 404],
  },
  // ingress: finance
  {
    service: 'ingress',
    method: 'POST',
    route: '/erp/payments',
    params: {},
    body: {
      paymentId: 'PAY-FUZZ-1',
      invoiceId: 'INV-FUZZ',
      customerId: 'C-FUZZ-1',
      currency: 'EUR',
      amount: '10.00',
      receivedOn: '2026-12-01',
      reference: 'bank transfer',
    },
    fields: {
      paymentId: id(128),
      invoiceId: id(128),
      customerId: id(128),
      currency,
      amount: decimal(),
      receivedOn: date(),
      reference: text(200, false, true),
    },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'POST',
    route: '/crm/change-orders',
    params: {},
    body: {
      changeOrderId: 'CO-FUZZ-1',
      projectId: 'PRJ-FUZZ',
      description: 'two more sprints',
      effectiveDate: '2026-12-01',
      budgetDelta: '1000.00',
      currency: 'EUR',
      newEndDate: null,
      roleChanges: [{ role: 'Consultant', hoursDelta: '16', rate: null }],
      approvedBy: APPROVER,
    },
    fields: {
      changeOrderId: id(128),
      projectId: id(128),
      description: text(2_000),
      effectiveDate: date(),
      budgetDelta: decimal(),
      currency,
      newEndDate: date(false, true),
      'roleChanges.0.role': text(200),
      approvedBy: id(128),
    },
    strictObjects: ['', 'roleChanges.0'],
    bodyLimit: KB100,
    control: [200],
  },
  {
    service: 'ingress',
    method: 'POST',
    route: '/deliveries/hubspot/:deliveryId/retry',
    params: { deliveryId: { valid: '4242', type: { kind: 'lookup' } } },
    fields: {},
    strictObjects: [],
    bodyLimit: KB100,
    control: [404],
  },
  // ingress: CRM webhooks (signed; unknown keys pass, as the CRMs add fields)
  {
    service: 'ingress',
    method: 'POST',
    route: '/webhooks/hubspot',
    params: {},
    body: [
      {
        eventId: 1,
        subscriptionId: 2_131_841,
        portalId: 62_515,
        appId: 1_160_452,
        occurredAt: Date.parse('2026-12-01T10:00:00Z'),
        subscriptionType: 'deal.propertyChange',
        attemptNumber: 0,
        objectId: 71_001,
        propertyName: 'dealstage',
        propertyValue: 'appointmentscheduled',
        changeSource: 'CRM_UI',
      },
    ],
    fields: {
      '0.eventId': int(0, SAFE),
      '0.subscriptionId': int(0, SAFE),
      '0.portalId': int(0, SAFE),
      '0.occurredAt': int(Date.parse('2000-01-01T00:00:00Z'), Date.parse('2101-01-01T00:00:00Z') - 1),
      '0.subscriptionType': { type: { kind: 'text', max: 100, blank: true }, required: true },
      '0.attemptNumber': int(0, 1_000),
      '0.objectId': int(1, SAFE),
      '0.propertyValue': { type: { kind: 'text', max: 10_000, empty: true }, required: false },
    },
    strictObjects: [],
    signature: 'hubspot',
    bodyLimit: KB100,
    control: [202],
  },
  {
    service: 'ingress',
    method: 'POST',
    route: '/webhooks/salesforce',
    params: {},
    body: {
      eventUuid: '00000000-0000-4000-8000-000000000001',
      replayId: '18034',
      schema: 'Opportunity_Closed_Won__e',
      createdDate: '2026-12-01T10:00:00.000Z',
      payload: {
        OpportunityId__c: '0065g00000FuZZ1AAB',
        Name__c: 'Cloud migration',
        StageName__c: 'Prospecting',
        Amount__c: '1000.00',
        CurrencyIsoCode__c: 'EUR',
        CloseDate__c: '2026-11-30',
        AccountId__c: '0015g00000XyZ12AAB',
        AccountName__c: 'Globex Inc.',
        ErpCustomerId__c: 'C-200',
        TemplateId__c: 'TPL-TM',
        OwnerEmail__c: null,
        LineItems__c: '[]',
      },
    },
    fields: {
      eventUuid: { type: { kind: 'uuid' }, required: true },
      schema: { type: { kind: 'literal', value: 'Opportunity_Closed_Won__e' }, required: true },
      payload: { type: { kind: 'object' }, required: true },
      'payload.OpportunityId__c': { type: { kind: 'salesforceId' }, required: true },
      'payload.AccountId__c': { type: { kind: 'salesforceId' }, required: false, nullable: true },
      // Decimals as strings: a JSON number is a 400; a bad decimal string is a REJECTED delivery (mapping).
      // Any string (no length of its own: the body limit bounds it).
      'payload.Amount__c': {
        type: { kind: 'text', max: KB100, empty: true },
        required: false,
        nullable: true,
      },
      'payload.Name__c': {
        type: { kind: 'text', max: 10_000, empty: true },
        required: false,
        nullable: true,
      },
      'payload.LineItems__c': { type: { kind: 'jsonText' }, required: false, nullable: true },
    },
    strictObjects: [],
    signature: 'salesforce',
    bodyLimit: KB100,
    control: [200],
  },
  // billing
  {
    service: 'billing',
    method: 'POST',
    route: '/invoices/:invoiceId/issue',
    params: { invoiceId: { valid: 'INV-FUZZ-NONE', type: { kind: 'lookup' } } },
    body: { issuedOn: '2026-12-01' },
    fields: { issuedOn: date(false) },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [404],
  },
  {
    service: 'billing',
    method: 'POST',
    route: '/actuals/:actualId/write-off',
    params: { actualId: { valid: 'ACT-FUZZ-NONE', type: { kind: 'lookup' } } },
    body: { reason: 'client goodwill' },
    fields: { reason: text(1_000) },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [404],
  },
  {
    service: 'billing',
    method: 'POST',
    route: '/billing-periods/:period/close',
    params: { period: { valid: '2026-11', type: { kind: 'period' } } },
    body: { closedBy: APPROVER },
    fields: { closedBy: id(128) },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [200],
  },
  // project
  {
    service: 'project',
    method: 'POST',
    route: '/projects/:projectId/milestones/:milestoneId/complete',
    params: {
      projectId: { valid: 'PRJ-FUZZ-NONE', type: { kind: 'lookup' } },
      milestoneId: { valid: 'M-1', type: { kind: 'lookup' } },
    },
    body: { completedOn: '2026-12-01', completedBy: APPROVER },
    fields: { completedOn: date(), completedBy: id(128) },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [404],
  },
  // reporting
  {
    service: 'reporting',
    method: 'POST',
    route: '/projections/rebuild',
    params: {},
    body: { from: 'beginning' },
    fields: { from: { type: { kind: 'rebuildFrom' }, required: true } },
    strictObjects: [''],
    bodyLimit: KB100,
    control: [202],
  },
  {
    service: 'reporting',
    method: 'DELETE',
    route: '/projections/:version',
    params: { version: { valid: '999', type: { kind: 'intPath' } } },
    fields: {},
    strictObjects: [],
    bodyLimit: KB100,
    control: [404],
  },
  // staffing
  {
    service: 'staffing',
    method: 'PUT',
    route: '/assignments/:assignmentId',
    params: { assignmentId: { valid: 'AS-FUZZ-1', type: { kind: 'id', max: 128 } } },
    body: {
      projectId: 'PRJ-FUZZ',
      personId: 'u-fuzz',
      role: 'Consultant',
      hoursHundredths: 8_000,
      startDate: '2026-12-01',
      endDate: '2026-12-31',
      costRateMinor: 6_000,
      status: 'CONFIRMED',
    },
    fields: {
      projectId: id(128),
      personId: id(128),
      role: text(200),
      hoursHundredths: int(0, 10_000_000),
      startDate: date(),
      endDate: date(),
      costRateMinor: int(0, SAFE),
      status: enumOf(['PROPOSED', 'CONFIRMED', 'CANCELLED'], false),
    },
    strictObjects: [''],
    bodyLimit: KB100,
    // No staffing demand for the project in an empty database.
    control: [404],
  },
];

export function modelKey(model: Pick<RouteModel, 'service' | 'method' | 'route'>): string {
  return `${model.service} ${model.method} ${model.route}`;
}
