import { dataKindFromEnv } from './headers';

describe('dataKindFromEnv (the throughline-data header, #13 item 7)', () => {
  it('takes THROUGHLINE_DATA when it is live, demo or test', () => {
    expect(dataKindFromEnv({ THROUGHLINE_DATA: 'demo' })).toBe('demo');
    expect(dataKindFromEnv({ THROUGHLINE_DATA: 'live', NODE_ENV: 'test' })).toBe('live');
  });

  it('defaults to test under Jest and to live elsewhere', () => {
    expect(dataKindFromEnv({ NODE_ENV: 'test' })).toBe('test');
    expect(dataKindFromEnv({ NODE_ENV: 'production' })).toBe('live');
    expect(dataKindFromEnv({})).toBe('live');
  });

  it('refuses anything else instead of mislabelling the data', () => {
    expect(() => dataKindFromEnv({ THROUGHLINE_DATA: 'prod' })).toThrow(
      /THROUGHLINE_DATA must be one of live, demo, test/,
    );
  });
});
