import { ConfigurationError } from '@throughline/platform';

import { loadFiguresConfig } from './config';

describe('report settings', () => {
  it('defaults to 8 h per weekday and a 10-point risk threshold', () => {
    expect(loadFiguresConfig({})).toEqual({
      capacityHoursPerDayHundredths: 800,
      riskThresholdBasisPoints: 1_000,
    });
  });

  it('reads decimal hours and points exactly', () => {
    expect(
      loadFiguresConfig({
        REPORTING_CAPACITY_HOURS_PER_DAY: '7.5',
        REPORTING_RISK_THRESHOLD_POINTS: '12.25',
      }),
    ).toEqual({ capacityHoursPerDayHundredths: 750, riskThresholdBasisPoints: 1_225 });
  });

  it('names every bad variable', () => {
    expect(() =>
      loadFiguresConfig({ REPORTING_CAPACITY_HOURS_PER_DAY: '25', REPORTING_RISK_THRESHOLD_POINTS: 'ten' }),
    ).toThrow(ConfigurationError);
    expect(() => loadFiguresConfig({ REPORTING_CAPACITY_HOURS_PER_DAY: '0' })).toThrow(
      /REPORTING_CAPACITY_HOURS_PER_DAY/,
    );
    expect(() => loadFiguresConfig({ REPORTING_RISK_THRESHOLD_POINTS: '7.125' })).toThrow(
      /REPORTING_RISK_THRESHOLD_POINTS/,
    );
  });
});
