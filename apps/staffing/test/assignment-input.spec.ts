import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

jest.setTimeout(60_000);

/**
 * What the fuzz suite (tools/fuzz) found staffing accepting: every one of these passed validation and
 * was refused only because the project was unknown, so for a known project it was stored.
 */
describe('staffing refuses a malformed assignment before looking anything up (real stack)', () => {
  let service: TestService;

  beforeAll(async () => {
    const config = testServiceConfig('staffing');
    service = await startTestService(AppModule.forConfig(config), config);
  });

  afterAll(() => service?.stop());

  const valid = {
    projectId: 'PRJ-UNKNOWN',
    personId: 'P-1',
    role: 'Architect',
    hoursHundredths: 8_000,
    startDate: '2026-12-01',
    endDate: '2026-12-31',
    costRateMinor: 6_000,
  };
  const put = async (assignmentId: string, body: unknown) => {
    const response = await fetch(`${service.url}/assignments/${assignmentId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, detail: ((await response.json()) as { detail: string }).detail };
  };

  it('answers 400 naming the field, where a well-formed one gets as far as the project lookup (404)', async () => {
    expect((await put('A-1', valid)).status).toBe(404);
    const cases: [string, string, unknown, RegExp][] = [
      ['shell metacharacters in projectId', 'A-1', { ...valid, projectId: 'P;rm -rf /' }, /projectId/],
      ['a personId of 5,000 characters', 'A-1', { ...valid, personId: 'P'.repeat(5_000) }, /personId/],
      ['a blank role', 'A-1', { ...valid, role: '   ' }, /role/],
      ['a start in year 9999', 'A-1', { ...valid, startDate: '9999-12-31' }, /startDate/],
      ['no such day', 'A-1', { ...valid, endDate: '2026-02-30' }, /endDate/],
      ['1e300 hours', 'A-1', { ...valid, hoursHundredths: 1e300 }, /hoursHundredths/],
      ['a cost rate past 2^53', 'A-1', { ...valid, costRateMinor: 2 ** 53 }, /costRateMinor/],
      ['an unknown key', 'A-1', { ...valid, isAdmin: true }, /isAdmin/],
      ['a hostile assignment id', encodeURIComponent('$(reboot)'), valid, /assignmentId/],
    ];
    const answers = [];
    for (const [name, assignmentId, body, field] of cases) {
      const answer = await put(assignmentId, body);
      answers.push({ name, status: answer.status, names: field.test(answer.detail) });
    }
    expect(answers).toEqual(cases.map(([name]) => ({ name, status: 400, names: true })));
  });
});
