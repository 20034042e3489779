/**
 * Every scope a route may require: the one list, documented in README ("Authentication and
 * scopes"). A token or API key carries some of them; a route names the one it needs with
 * `@RequireScope`.
 */
export const SCOPES = {
  'erp:write': 'ERP master data and finance facts: customers, legal entities, rate cards, payments',
  'psa:write': 'PSA time, expenses, milestones, projects and plans',
  'psa:approve': 'approve and correct time and expenses',
  'psa:read': 'timesheets and expenses as recorded by ingress',
  'crm:write': 'CRM-side writes that are not signed webhooks',
  'billing:close': 'close a billing period',
  'billing:issue': 'issue invoices',
  'billing:write-off': 'write off receivables',
  'finance:read': 'invoices, receivables, actuals, billing periods and schedules, margin, AR ageing, leakage',
  'reports:read': 'reporting read models',
  'ops:read': 'operational views: deliveries, refused bodies, exceptions, SLA state',
  'ops:replay': 'replay dead letters and refused deliveries',
  'projections:admin': 'rebuild and manage projections',
  'outbound:read': 'outbound calls and their state',
  'contract:read': 'deals and contract setup state',
  'project:read': 'projects, plans, forecasts',
  'staffing:write': 'assignments',
  'metrics:read': 'Prometheus metrics (when METRICS_AUTH=scope)',
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.prototype.hasOwnProperty.call(SCOPES, value);
}
