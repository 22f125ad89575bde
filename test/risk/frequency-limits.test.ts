import { describe, expect, it } from 'vitest';
import { FrequencyLimiter } from '../../src/risk/frequency-limits';

/** The plan's own rule (1.1 can_trade), written out literally: count entries with now − t < window. */
function planCanTrade(history: number[], now: number, limits: [number, number][]): boolean {
  return limits.every(([cap, w]) => history.filter((t) => now - t < w).length < cap);
}

describe('FrequencyLimiter', () => {
  it('agrees with the plan’s list-scanning can_trade on a random event stream', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lim = new FrequencyLimiter({ perMinute: 1, perHour: 10, perDay: 50 });
    const history: number[] = [];
    const caps: [number, number][] = [
      [1, 60_000],
      [10, 3_600_000],
      [50, 86_400_000],
    ];
    let t = 0;
    let allowed = 0;
    for (let k = 0; k < 20_000; k++) {
      t += Math.floor(rand() * 120_000);
      const expected = planCanTrade(history, t, caps);
      expect(lim.allows(t)).toBe(expected);
      if (expected) {
        lim.record(t);
        history.push(t);
        allowed++;
      }
    }
    expect(allowed).toBeGreaterThan(100);
  });

  it('names the rule that refused', () => {
    const lim = new FrequencyLimiter({ perMinute: 1, perHour: 2, perDay: null });
    lim.record(0);
    expect(lim.allows(59_999)).toBe(false);
    expect(FrequencyLimiter.ruleName(lim.lastBlockedRule)).toBe('minute');
    expect(lim.allows(60_000)).toBe(true);
    lim.record(60_000);
    expect(lim.allows(120_000)).toBe(false);
    expect(FrequencyLimiter.ruleName(lim.lastBlockedRule)).toBe('hour');
    expect(lim.allows(3_600_000)).toBe(true);
  });

  it('null limits allow everything', () => {
    const lim = new FrequencyLimiter(null);
    for (let k = 0; k < 100; k++) {
      expect(lim.allows(k)).toBe(true);
      lim.record(k);
    }
  });
});
