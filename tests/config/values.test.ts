import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { interpolateString, parseDuration, parseStartDate } from '../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86400],
    ['1h30m', 5400],
    ['1D', 86400],
    ['45', 45],
    [45, 45],
    [0, 0],
  ] as const)('%s -> %i seconds', (input, seconds) => {
    expect(parseDuration(input, 'f.yml', 'lookback')).toBe(seconds);
  });

  it.each(['', '-5', '1.5h', '10 m', 'm', '30m1h', '1w'])('rejects %j', (input) => {
    expect(() => parseDuration(input, 'f.yml', 'lookback')).toThrow(ConfigError);
  });

  it('rejects negative and fractional numbers', () => {
    expect(() => parseDuration(-1, 'f.yml', 'lookback')).toThrow('f.yml: lookback: invalid duration "-1"');
    expect(() => parseDuration(1.5, 'f.yml', 'lookback')).toThrow('f.yml: lookback: invalid duration "1.5"');
  });
});

describe('parseStartDate', () => {
  it.each([
    ['2024-01-01', 1704067200],
    ['2024-01-01T00:00:00Z', 1704067200],
    ['2024-01-01T01:30:00+01:30', 1704067200],
    ['2023-12-31T19:00-05:00', 1704067200],
    ['2024-01-01 00:00:00', 1704067200],
    ['2024-02-29T12:00:00.250Z', 1709208000],
  ])('%s -> %i', (input, seconds) => {
    expect(parseStartDate(input, 'f.yml', 'start_date')).toBe(seconds);
  });

  it.each(['2023-02-29', '2024-13-01', '2024-01-01T24:00:00Z', '01/02/2024', 'yesterday'])('rejects %s', (input) => {
    expect(() => parseStartDate(input, 'f.yml', 'start_date')).toThrow(/^f\.yml: start_date: invalid date/);
  });
});

describe('interpolateString', () => {
  const env = { A: 'x', EMPTY: '' };
  it.each([
    ['${A}', 'x'],
    ['pre-${A}-post', 'pre-x-post'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY}', ''],
    ['${A:-unused}', 'x'],
    ['$$', '$'],
    ['$${A}', '${A}'],
    ['a$b', 'a$b'],
    ['cost: $5 # not a comment', 'cost: $5 # not a comment'],
  ])('%s -> %s', (input, out) => {
    expect(interpolateString(input, env, 'f.yml', 'x')).toBe(out);
  });

  it('names the variable, file and field when a variable is missing', () => {
    expect(() => interpolateString('${NOPE}', env, 'connections.yml', 'environments.default.connections.intercom[0].access_token')).toThrow(
      'connections.yml: environments.default.connections.intercom[0].access_token: environment variable NOPE is not set',
    );
  });

  it('rejects a malformed reference', () => {
    expect(() => interpolateString('${A B}', env, 'f', 'x')).toThrow(/invalid variable reference/);
  });
});
