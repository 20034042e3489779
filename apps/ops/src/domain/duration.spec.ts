import { formatAge, parseDuration, parseInstant } from './duration';
import { UsageError } from './errors';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '2', 'h', '2x', '1.5h', '-2h', '2h ', 'two hours'])('"%s" is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseInstant', () => {
  it('reads durations as time before now', () => {
    expect(parseInstant('2h', NOW)).toBe(NOW - 7_200_000);
  });

  it('reads ISO 8601 dates and date-times, UTC unless a zone is given', () => {
    expect(parseInstant('2026-02-28', NOW)).toBe(Date.parse('2026-02-28T00:00:00Z'));
    expect(parseInstant('2026-02-28T10:15', NOW)).toBe(Date.parse('2026-02-28T10:15:00Z'));
    expect(parseInstant('2026-02-28T10:15:30.5Z', NOW)).toBe(Date.parse('2026-02-28T10:15:30.500Z'));
    expect(parseInstant('2026-02-28T10:15:30+02:00', NOW)).toBe(Date.parse('2026-02-28T08:15:30Z'));
  });

  it.each(['yesterday', '28/02/2026', '2026-02-30T25:00:00Z', '2026-13-01', '1700000000000'])(
    'rejects "%s" with a usage error naming the option',
    (text) => {
      expect(() => parseInstant(text, NOW, '--since')).toThrow(UsageError);
      expect(() => parseInstant(text, NOW, '--since')).toThrow(`invalid --since "${text}"`);
    },
  );
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [45_000, '45s'],
    [725_000, '12m 5s'],
    [3 * 3_600_000 + 5_000, '3h'],
    [3 * 3_600_000 + 20 * 60_000, '3h 20m'],
    [4 * 86_400_000 + 2 * 3_600_000 + 59_000, '4d 2h'],
    [-5_000, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
