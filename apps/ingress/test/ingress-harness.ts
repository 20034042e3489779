import { EventType } from '@throughline/contracts';
import { MessagingRuntime } from '@throughline/messaging';
import { EventProbe, eventually } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { IngressConfig, loadIngressConfig } from '../src/ingress-config';
import {
  HubSpotStub,
  HubSpotStubData,
  signHubSpotRequest,
  signSalesforceRequest,
  startHubSpotStub,
} from '@throughline/crm-sandbox';

export const PUBLIC_URL = 'https://hooks.throughline.test/ingress';
export const HUBSPOT_SECRET = 'test-hubspot-app-secret';
export const SALESFORCE_SECRET = 'test-salesforce-secret';

export interface PostOptions {
  secret?: string;
  timestamp?: number;
  /** Sent as is instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface IngressHarness {
  service: TestService;
  probe: EventProbe;
  stub: HubSpotStub;
  ingress: IngressConfig;
  postHubSpot(
    body: unknown,
    options?: PostOptions,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  postSalesforce(
    body: unknown,
    options?: PostOptions,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  get<T = Record<string, unknown>>(path: string): Promise<T>;
  delivery(crm: 'hubspot' | 'salesforce', deliveryId: string): Promise<Record<string, unknown>>;
  /** Polls a delivery until `done` holds for it. */
  waitForDelivery(
    crm: 'hubspot' | 'salesforce',
    deliveryId: string,
    done: (delivery: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The whole ingress service on the real stack, a HubSpot stub and a probe on `eventTypes`. */
export async function startIngress(
  eventTypes: readonly EventType[],
  data: Partial<HubSpotStubData> = {},
): Promise<IngressHarness> {
  const stub = await startHubSpotStub({ ...data, accessToken: 'test-hubspot-token' });
  const ingress = loadIngressConfig({
    INGRESS_PUBLIC_URL: PUBLIC_URL,
    HUBSPOT_APP_SECRET: HUBSPOT_SECRET,
    HUBSPOT_ACCESS_TOKEN: stub.accessToken,
    HUBSPOT_API_URL: stub.url,
    SALESFORCE_WEBHOOK_SECRET: SALESFORCE_SECRET,
    INGRESS_WORKER_POLL_MS: '200',
    INGRESS_RETRY_BASE_MS: '300',
    HUBSPOT_REQUESTS_PER_SECOND: '50',
  });
  const config = testServiceConfig('ingress');
  const service = await startTestService(AppModule.forConfig(config, ingress), config);
  const probe = await new EventProbe(service.runtime as MessagingRuntime).start(eventTypes);

  const post = async (path: string, body: unknown, headers: Record<string, string>) => {
    const response = await fetch(`${service.url}${path}`, { method: 'POST', headers, body: body as string });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${service.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const delivery = (crm: 'hubspot' | 'salesforce', deliveryId: string) =>
    get<Record<string, unknown>>(`/deliveries/${crm}/${deliveryId}`);

  return {
    service,
    probe,
    stub,
    ingress,
    postHubSpot: (body, options = {}) => {
      const text = options.rawBody ?? JSON.stringify(body);
      const signed = signHubSpotRequest({
        secret: options.secret ?? HUBSPOT_SECRET,
        uri: `${PUBLIC_URL}/webhooks/hubspot`,
        body: text,
        timestamp: options.timestamp,
      });
      return post('/webhooks/hubspot', text, { ...signed, ...options.headers });
    },
    postSalesforce: (body, options = {}) => {
      const text = options.rawBody ?? JSON.stringify(body);
      const signed = signSalesforceRequest({
        secret: options.secret ?? SALESFORCE_SECRET,
        body: text,
        timestamp: options.timestamp,
      });
      return post('/webhooks/salesforce', text, { ...signed, ...options.headers });
    },
    get,
    delivery,
    waitForDelivery: (crm, deliveryId, done) =>
      eventually(async () => {
        const response = await fetch(`${service.url}/deliveries/${crm}/${deliveryId}`);
        if (!response.ok) return undefined;
        const row = (await response.json()) as Record<string, unknown>;
        return done(row) ? row : undefined;
      }),
    stop: async () => {
      await probe.stop();
      await service.stop();
      await stub.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
