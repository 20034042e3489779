import { ConfigurationError } from '@throughline/platform';

import { loadSetupConfig } from './config';

describe('loadSetupConfig', () => {
  it('defaults to a 15 minute deadline checked every 5 seconds', () => {
    expect(loadSetupConfig({})).toEqual({ deadlineMs: 900_000, deadlineCheckMs: 5_000 });
  });

  it('reads both variables', () => {
    expect(loadSetupConfig({ SETUP_DEADLINE_MS: '60000', SETUP_DEADLINE_CHECK_MS: '250' })).toEqual({
      deadlineMs: 60_000,
      deadlineCheckMs: 250,
    });
  });

  it('fails fast naming a bad variable', () => {
    expect(() => loadSetupConfig({ SETUP_DEADLINE_MS: 'soon' })).toThrow(ConfigurationError);
    expect(() => loadSetupConfig({ SETUP_DEADLINE_CHECK_MS: '0' })).toThrow(/SETUP_DEADLINE_CHECK_MS/);
  });
});
