import { EventPayloads, EventType, ProjectCreated, TimeEntryApproved } from '@throughline/contracts';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

/** An event as another service publishes it. */
export function event<T extends EventType>(type: T, data: EventPayloads[T], source = 'ingress') {
  return createEvent(type, data, { source });
}

/**
 * A time-and-materials project in EUR over 2031 with one Consultant role, priced from its legal
 * entity's rate cards (as created before ProjectCreated v2); a test overrides what it is about.
 */
export function projectCreated(projectId: string, overrides: Partial<ProjectCreated> = {}): ProjectCreated {
  return {
    projectId,
    contractId: `CTR-${projectId}`,
    dealId: `D-${projectId}`,
    customerId: `C-${projectId}`,
    legalEntityId: 'LE-1',
    currency: 'EUR',
    billingType: 'TIME_AND_MATERIALS',
    templateId: 'TPL-1',
    name: projectId,
    startDate: '2031-01-01',
    endDate: '2031-12-31',
    budgetMinor: 1_000_000,
    phases: [],
    roles: [{ role: 'Consultant', hoursHundredths: 40_000, rateMinor: 12_345, skills: [] }],
    rateCardId: null,
    ...overrides,
  };
}

/** Billable time of the Consultant P-ADA, approved at 18:00 UTC on its work date. */
export function timeEntry(
  entryId: string,
  projectId: string,
  workDate: string,
  hoursHundredths: number,
): TimeEntryApproved {
  return {
    entryId,
    projectId,
    personId: 'P-ADA',
    role: 'Consultant',
    workDate,
    hoursHundredths,
    billable: true,
    approvedAt: Date.parse(`${workDate}T18:00:00Z`),
    approvedBy: 'U-APPROVER',
    sourceSystem: 'PSA',
    revision: 1,
    correctionReason: null,
  };
}

/** The billing service against the real stack, a probe on the events named, and JSON over HTTP. */
export class BillingUnderTest {
  private constructor(
    readonly service: TestService,
    readonly probe: EventProbe,
  ) {}

  /** `env` is set while the module is built (settings read at boot), then restored. */
  static async start(events: EventType[], env: Record<string, string> = {}): Promise<BillingUnderTest> {
    const config = testServiceConfig('billing');
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    let service: TestService;
    try {
      service = await startTestService(AppModule.forConfig(config), config);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const probe = await new EventProbe(service.runtime as MessagingRuntime).start(events);
    return new BillingUnderTest(service, probe);
  }

  post(path: string, body: unknown): Promise<Response> {
    return fetch(`${this.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async get<T = Awaited<ReturnType<Response['json']>>>(path: string): Promise<T> {
    return (await (await fetch(`${this.service.url}${path}`)).json()) as T;
  }

  async stop(): Promise<void> {
    await this.probe.stop();
    await this.service.stop();
  }
}
