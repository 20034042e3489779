import {
  startTestService,
  testAuthorization,
  testServiceConfig,
  TestService,
} from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

jest.setTimeout(120_000);

/** Who closes a period comes from the credential (#11): closedBy must be the caller or someone it acts for. */
describe('closing a billing period takes the actor from the credential (real stack, real tokens)', () => {
  let service: TestService;

  beforeAll(async () => {
    const config = testServiceConfig('billing');
    service = await startTestService(AppModule.forConfig(config), config);
  });
  afterAll(async () => {
    await service?.stop();
  });

  const close = async (period: string, closedBy: string, client = 'throughline-tests-delegate') => {
    const response = await fetch(`${service.url}/billing-periods/${period}/close`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: await testAuthorization(['billing:close'], client),
      },
      body: JSON.stringify({ closedBy }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('refuses closedBy naming someone else (403, the period stays open) and closes as the delegated user', async () => {
    const refused = await close('2032-01', 'U-MALLORY');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ type: 'urn:throughline:problem:actor-mismatch' });
    const periods = (await (await fetch(`${service.url}/billing-periods`)).json()) as { period: string }[];
    expect(periods.map((p) => p.period)).not.toContain('2032-01');

    const closed = await close('2032-01', 'U-DELEGATED');
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ period: '2032-01', closedBy: 'U-DELEGATED' });
  });
});
