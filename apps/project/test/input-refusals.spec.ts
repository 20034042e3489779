import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

jest.setTimeout(60_000);

const PATH = '/projects/PRJ-UNKNOWN/milestones/M-1/complete';

/**
 * What the fuzz suite (tools/fuzz) found passing validation: each was refused only because the
 * entity was unknown (404), so it would have been accepted for a known one.
 */
describe('project refuses a malformed milestone completion before looking the project up (real stack)', () => {
  let service: TestService;

  beforeAll(async () => {
    const config = testServiceConfig('project');
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
      ['a completion in year 9999', PATH, { completedOn: '9999-12-31', completedBy: 'u-pm' }],
      ['shell metacharacters in completedBy', PATH, { completedOn: '2026-12-01', completedBy: 'u;rm -rf /' }],
      ['a 5,000-character completedBy', PATH, { completedOn: '2026-12-01', completedBy: 'u'.repeat(5_000) }],
      ['an unknown key', PATH, { completedOn: '2026-12-01', completedBy: 'u-pm', extra: 1 }],
    ];
    expect((await post(PATH, { completedOn: '2026-12-01', completedBy: 'u-pm' })).status).toBe(404);
    const answers = [];
    for (const [name, path, body] of cases) answers.push({ name, status: (await post(path, body)).status });
    expect(answers).toEqual(cases.map(([name]) => ({ name, status: 400 })));
  });
});
