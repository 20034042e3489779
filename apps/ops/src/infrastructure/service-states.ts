import { ServiceState, ServiceStates } from '../application/lookup-flow';
import { FlowEntities } from '../domain/flow';
import { Authorization } from './service-token';

export interface ServiceUrls {
  contract: string;
  project: string;
  billing: string;
  reporting: string;
}

export function serviceUrlsFrom(env: NodeJS.ProcessEnv): ServiceUrls {
  return {
    contract: env['CONTRACT_URL'] ?? 'http://127.0.0.1:3002',
    project: env['PROJECT_URL'] ?? 'http://127.0.0.1:3003',
    billing: env['BILLING_URL'] ?? 'http://127.0.0.1:3005',
    reporting: env['REPORTING_URL'] ?? 'http://127.0.0.1:3006',
  };
}

/** Each service's current state of a flow's deals, projects and invoices, over their HTTP APIs. */
export class HttpServiceStates implements ServiceStates {
  constructor(
    private readonly urls: ServiceUrls,
    private readonly authorization: Authorization = async () => undefined,
  ) {}

  async collect(entities: Readonly<FlowEntities>): Promise<ServiceState[]> {
    const requests: [string, string, string][] = [];
    for (const dealId of entities.dealIds) {
      requests.push([
        'contract',
        `deal ${dealId}`,
        `${this.urls.contract}/deals/${encodeURIComponent(dealId)}`,
      ]);
      requests.push([
        'project',
        `deal ${dealId}`,
        `${this.urls.project}/projects?dealId=${encodeURIComponent(dealId)}`,
      ]);
      requests.push([
        'reporting',
        `deal ${dealId}`,
        `${this.urls.reporting}/deals/${encodeURIComponent(dealId)}/timeline`,
      ]);
    }
    for (const projectId of entities.projectIds) {
      const id = encodeURIComponent(projectId);
      requests.push(['project', `project ${projectId} plan`, `${this.urls.project}/projects/${id}/plan`]);
      requests.push(['billing', `project ${projectId}`, `${this.urls.billing}/billing-schedules/${id}`]);
      requests.push(['reporting', `project ${projectId}`, `${this.urls.reporting}/reports/projects/${id}`]);
    }
    for (const invoiceId of entities.invoiceIds) {
      requests.push([
        'billing',
        `invoice ${invoiceId}`,
        `${this.urls.billing}/invoices/${encodeURIComponent(invoiceId)}`,
      ]);
    }
    return Promise.all(requests.map(([service, entity, url]) => this.fetchState(service, entity, url)));
  }

  private async fetchState(service: string, entity: string, url: string): Promise<ServiceState> {
    try {
      const authorization = await this.authorization();
      const response = await fetch(url, {
        headers: authorization ? { authorization } : {},
        signal: AbortSignal.timeout(5_000),
      });
      const body: unknown = await response.json().catch(() => null);
      return { service, entity, state: body, available: response.ok };
    } catch (error) {
      return { service, entity, state: `unavailable: ${(error as Error).message}`, available: false };
    }
  }
}
