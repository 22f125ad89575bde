import { describe, expect, it } from 'vitest';
import { compoundingMonteCarlo } from '../../src/analytics/monte-carlo';

describe('compoundingMonteCarlo', () => {
  it('deterministic +1% trades follow the closed form E_m = 10 · 1.01^(10m) on every path', () => {
    // 10 trades a month. Target 20: 1.01^k ≥ 2 ⇔ k ≥ ln 2 / ln 1.01 = 69.66 → trade 70, which is
    // in month 7 (trades 61–70): 10·1.01^69 = 19.869 < 20 ≤ 10·1.01^70 = 20.068.
    const r = compoundingMonteCarlo(Object.freeze([0.01, 0.01, 0.01]), { tradesPerMonth: 10, months: 12, target: 20, paths: 500, seed: 3 });
    expect(Array.from(r.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (let m = 1; m <= 12; m++) {
      const closed = 10 * 1.01 ** (10 * m);
      for (const q of [r.median, r.p05, r.p95]) expect(Math.abs(q[m - 1] / closed - 1)).toBeLessThan(1e-13);
      expect(r.pReachedTarget[m - 1]).toBe(m >= 7 ? 1 : 0);
      expect(r.pRuined[m - 1]).toBe(0);
    }
  });

  it('all-negative returns never reach the target, and ruin arrives exactly when expected', () => {
    // −10% a trade: 10·0.9^k ≤ 0.1 (the default ruin level, 1% of 10) ⇔ k ≥ ln 0.01 / ln 0.9 = 43.71
    // → trade 44, in month 5 with 10 trades a month. A ruined path stops: equity frozen at 10·0.9^44.
    const r = compoundingMonteCarlo([-0.1], { tradesPerMonth: 10, months: 8, paths: 100, seed: 1 });
    expect(r.ruinEquity).toBeCloseTo(0.1, 15);
    for (let m = 1; m <= 8; m++) {
      expect(r.pReachedTarget[m - 1]).toBe(0);
      expect(r.pRuined[m - 1]).toBe(m >= 5 ? 1 : 0);
      const k = Math.min(10 * m, 44);
      expect(r.median[m - 1]).toBeCloseTo(10 * 0.9 ** k, 12);
    }

    // Mixed losses −5%, −10%, −20%: ruin needs at least ⌈ln 0.01/ln 0.8⌉ = 21 trades (all −20%)
    // and at most ⌈ln 0.01/ln 0.95⌉ = 90 (all −5%): none ruined by month 2, all by month 9.
    const mixed = compoundingMonteCarlo([-0.05, -0.1, -0.2], { tradesPerMonth: 10, months: 10, paths: 2000, seed: 2 });
    for (let m = 0; m < 10; m++) {
      expect(mixed.pReachedTarget[m]).toBe(0);
      if (m > 0) expect(mixed.pRuined[m]).toBeGreaterThanOrEqual(mixed.pRuined[m - 1]);
    }
    expect(mixed.pRuined[1]).toBe(0);
    expect(mixed.pRuined[8]).toBe(1);
    expect(mixed.pRuined[4]).toBeGreaterThan(0);
  });

  it('two-point returns: medians and percentiles from the binomial law, first-passage target probability', () => {
    // Returns {+20%, +20%, −10%}: up with p = 2/3. After k trades with u ups, E = S·1.2^u·0.9^(k−u),
    // u ~ Binomial(k, 2/3). S = 1, 4 trades a month.
    // Month 1 (k = 4): P(u ≤ 0, 1, 2, 3) = 1/81, 9/81, 33/81, 65/81 = 0.012, 0.111, 0.407, 0.802
    //   median: u = 3 → 1.2³·0.9 = 1.5552;   p05: u = 1 → 1.2·0.9³ = 0.8748;   p95: u = 4 → 1.2⁴ = 2.0736
    //   target 2 is reached only with 4 ups: P = (2/3)⁴ = 16/81 = 0.19753
    // Month 2 (k = 8): P(u ≤ 2, 3, 4, 5, 6, 7) = 0.020, 0.088, 0.259, 0.532, 0.805, 0.961
    //   median: u = 5 → 1.2⁵·0.9³ = 1.81398528;  p05: u = 3 → 1.2³·0.9⁵ = 1.02036672;  p95: u = 7 → 1.2⁷·0.9 = 3.2248627
    //   First passage to 2 within 8 trades (enumerating the 2⁸ sequences): 1264/2187 = 0.57796 —
    //   more than P(E_8 ≥ 2) = P(u ≥ 6) = 0.468, since a path can touch 2 and fall back.
    // With 20 000 paths every percentile's order statistics sit well inside one u-class (the
    // nearest class boundary is ≥ 7 binomial SDs away), so those values are exact.
    const r = compoundingMonteCarlo([0.2, 0.2, -0.1], { startEquity: 1, target: 2, tradesPerMonth: 4, months: 2, paths: 20_000, seed: 11 });
    expect(r.median[0]).toBeCloseTo(1.2 ** 3 * 0.9, 12);
    expect(r.p05[0]).toBeCloseTo(1.2 * 0.9 ** 3, 12);
    expect(r.p95[0]).toBeCloseTo(1.2 ** 4, 12);
    expect(r.median[1]).toBeCloseTo(1.2 ** 5 * 0.9 ** 3, 12);
    expect(r.p05[1]).toBeCloseTo(1.2 ** 3 * 0.9 ** 5, 12);
    expect(r.p95[1]).toBeCloseTo(1.2 ** 7 * 0.9, 12);
    // binomial SD of a proportion over 20 000 paths ≤ 0.0035; allow 4 SD
    expect(Math.abs(r.pReachedTarget[0] - 16 / 81)).toBeLessThan(4 * Math.sqrt(((16 / 81) * (65 / 81)) / 20_000));
    expect(Math.abs(r.pReachedTarget[1] - 1264 / 2187)).toBeLessThan(4 * Math.sqrt((0.578 * 0.422) / 20_000));
    expect(r.pRuined[1]).toBe(0); // the worst 8-trade path, 0.9⁸ = 0.43, stays above 0.01
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const returns = [0.03, -0.02, 0.05, -0.04, 0.01, -0.01, 0.02];
    const opts = { tradesPerMonth: 20, months: 6, paths: 3000 };
    const a = compoundingMonteCarlo(returns, { ...opts, seed: 5 });
    const b = compoundingMonteCarlo(returns, { ...opts, seed: 5 });
    const c = compoundingMonteCarlo(returns, { ...opts, seed: 6 });
    expect(b).toEqual(a);
    expect(Array.from(c.median)).not.toEqual(Array.from(a.median));
    expect(a).toMatchObject({ startEquity: 10, target: 300_000, ruinEquity: 0.1, tradesPerMonth: 20, months: 6, paths: 3000, seed: 5, sampleSize: 7 });
    for (let m = 0; m < 6; m++) {
      expect(a.p05[m]).toBeLessThanOrEqual(a.median[m]);
      expect(a.median[m]).toBeLessThanOrEqual(a.p95[m]);
    }
  });

  it('uses the documented defaults: 10 000 paths × 36 months', () => {
    const returns = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? -0.02 : 0.015));
    const r = compoundingMonteCarlo(returns, { tradesPerMonth: 30 });
    expect(r.month.length).toBe(36);
    expect(r.paths).toBe(10_000);
  });

  it('validates its inputs', () => {
    expect(() => compoundingMonteCarlo([], { tradesPerMonth: 1 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01, -1.5], { tradesPerMonth: 1 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01, NaN], { tradesPerMonth: 1 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01], { tradesPerMonth: 0 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01], { tradesPerMonth: 2.5 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01], { tradesPerMonth: 1, months: 0 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01], { tradesPerMonth: 1, paths: 0 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01], { tradesPerMonth: 1, startEquity: 0 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01], { tradesPerMonth: 1, ruinEquity: 10 })).toThrow(RangeError);
    expect(() => compoundingMonteCarlo([0.01], { tradesPerMonth: 1, seed: 1.5 })).toThrow(RangeError);
    // a total loss (−100%) is allowed and ruins the path
    expect(compoundingMonteCarlo([-1], { tradesPerMonth: 1, months: 1, paths: 10 }).pRuined[0]).toBe(1);
  });
});
