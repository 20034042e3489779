import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

jest.setTimeout(60_000);

/**
 * What the fuzz suite (tools/fuzz) found passing validation: each was refused only because the
 * entity was unknown (404), so it would have been accepted for a known one.
 */
describe('billing refuses a malformed issue or write-off before looking the invoice or actual up (real stack)', () => {
  let service: TestService;

  beforeAll(async () => {
    const config = testServiceConfig('billing');
    service = await startTestService(AppModule.forConfig(config), config);
  });

  afterAll(() => service?.stop());

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status };
  };

  it('answers 400 where a well-formed request gets as far as the lookup (404)', async () => {
    const cases: [string, string, unknown][] = [
      ['an issue date in year 9999', '/invoices/INV-UNKNOWN/issue', { issuedOn: '9999-12-31' }],
      ['an issue date in year 0001', '/invoices/INV-UNKNOWN/issue', { issuedOn: '0001-01-01' }],
      ['an unknown key on issue', '/invoices/INV-UNKNOWN/issue', { issuedOn: '2026-12-01', extra: 1 }],
      ['a blank write-off reason', '/actuals/ACT-UNKNOWN/write-off', { reason: '   ' }],
      ['a 5,000-character reason', '/actuals/ACT-UNKNOWN/write-off', { reason: 'r'.repeat(5_000) }],
      [
        'an unknown key on write-off',
        '/actuals/ACT-UNKNOWN/write-off',
        { reason: 'goodwill', isAdmin: true },
      ],
    ];
    expect((await post('/invoices/INV-UNKNOWN/issue', { issuedOn: '2026-12-01' })).status).toBe(404);
    expect((await post('/actuals/ACT-UNKNOWN/write-off', { reason: 'goodwill' })).status).toBe(404);
    const answers = [];
    for (const [name, path, body] of cases) answers.push({ name, status: (await post(path, body)).status });
    expect(answers).toEqual(cases.map(([name]) => ({ name, status: 400 })));
  });
});
