import { ConfigurationError } from '@throughline/platform';

import { loadFiguresConfig } from './config';

describe('report settings', () => {
  it('defaults to 8 h per weekday, a 10-point risk threshold and no holidays', () => {
    expect(loadFiguresConfig({})).toEqual({
      capacityHoursPerDayHundredths: 800,
      riskThresholdBasisPoints: 1_000,
      holidays: [],
    });
    expect(loadFiguresConfig({ REPORTING_HOLIDAYS: '' }).holidays).toEqual([]);
  });

  it('reads the holidays as comma-separated ISO dates, sorted and once each', () => {
    expect(
      loadFiguresConfig({ REPORTING_HOLIDAYS: '2026-12-25, 2026-12-24,2027-01-01,2026-12-25,' }).holidays,
    ).toEqual(['2026-12-24', '2026-12-25', '2027-01-01']);
  });

  it('refuses a holiday that is not a calendar date, naming the variable and the value', () => {
    const boot = () => loadFiguresConfig({ REPORTING_HOLIDAYS: '2026-12-25,2026-02-30,25.12.2026' });
    expect(boot).toThrow(ConfigurationError);
    expect(boot).toThrow(
      'Invalid configuration:\n' +
        '  REPORTING_HOLIDAYS: "2026-02-30" is not a calendar date YYYY-MM-DD (comma-separated dates expected)\n' +
        '  REPORTING_HOLIDAYS: "25.12.2026" is not a calendar date YYYY-MM-DD (comma-separated dates expected)',
    );
  });

  it('reads decimal hours and points exactly', () => {
    expect(
      loadFiguresConfig({
        REPORTING_CAPACITY_HOURS_PER_DAY: '7.5',
        REPORTING_RISK_THRESHOLD_POINTS: '12.25',
      }),
    ).toEqual({ capacityHoursPerDayHundredths: 750, riskThresholdBasisPoints: 1_225, holidays: [] });
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
