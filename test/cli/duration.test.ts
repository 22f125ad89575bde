import { describe, expect, test } from 'vitest';
import { parseDuration, parseDurationList } from '../../src/cli/duration';
import { UserError } from '../../src/util/errors';

describe('parseDuration: explicit units only', () => {
  test('each unit, by hand', () => {
    expect(parseDuration('250ms', '--x')).toBe(250);
    expect(parseDuration('30s', '--x')).toBe(30_000);
    expect(parseDuration('5m', '--x')).toBe(300_000);
    expect(parseDuration('1h', '--x')).toBe(3_600_000);
    expect(parseDuration('1d', '--x')).toBe(86_400_000);
    expect(parseDuration('1w', '--x')).toBe(604_800_000);
    expect(parseDuration('1.5h', '--x')).toBe(5_400_000);
    expect(parseDuration(' 12H ', '--x')).toBe(43_200_000);
  });

  test('a bare number is refused, saying why (it meant seconds in one command and ms in another)', () => {
    for (const bare of ['30', '3600000', '1.5']) {
      expect(() => parseDuration(bare, '--timeout')).toThrow(UserError);
      expect(() => parseDuration(bare, '--timeout')).toThrow(new RegExp(`--timeout: '${bare.replace('.', '\\.')}' has no unit; write it with one \\(250ms, 30s, 5m, 1h, 1d\\)`));
    }
  });

  test('zero only where allowed; never only where allowed; junk and sub-ms refused', () => {
    expect(() => parseDuration('0s', '--schedule')).toThrow(/at least 1ms/);
    expect(parseDuration('0s', '--timeout', { allowZero: true })).toBe(0);
    expect(parseDuration('0', '--timeout', { allowZero: true })).toBe(0); // zero is zero in every unit
    expect(parseDuration('never', '--rebalance-every', { allowNever: true })).toBe(Infinity);
    expect(() => parseDuration('never', '--schedule')).toThrow(/'never' is not a duration/);
    expect(() => parseDuration('daily', '--rebalance-every', { allowNever: true })).toThrow(/'daily' is not a duration \(use 250ms, 30s, 5m, 1h, 1d, or 'never'\)/);
    expect(() => parseDuration('-5s', '--x')).toThrow(/not a duration/);
    expect(() => parseDuration('0.5ms', '--x')).toThrow(/at least 1ms/);
    expect(() => parseDuration('1.0005s', '--x')).toThrow(/whole number of milliseconds/);
  });

  test('lists', () => {
    expect(parseDurationList('5s, 10s,1m', '--sweep-timeouts', { allowZero: true })).toEqual([5000, 10_000, 60_000]);
    expect(() => parseDurationList('5,10', '--sweep-timeouts')).toThrow(/'5' has no unit/);
    expect(() => parseDurationList('5s,,10s', '--sweep-timeouts')).toThrow(/comma-separated list of durations/);
  });
});
