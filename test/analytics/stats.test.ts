import { describe, expect, it } from 'vitest';
import {
  meanOrNaN,
  pearson,
  sampleSd,
  meanConfidenceInterval,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  wilsonInterval,
} from '../../src/analytics/stats';

describe('normalQuantile (AS 241)', () => {
  it('matches known quantiles to ~1e-15', () => {
    // Reference values: R qnorm / scipy.stats.norm.ppf.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12); // tail branch r > 5
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
  });
});

describe('studentTQuantile', () => {
  it('matches the printed t table (3 dp; e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)', () => {
    const table: [p: number, df: number, t: number][] = [
      [0.975, 1, 12.706],
      [0.975, 2, 4.303],
      [0.975, 4, 2.776],
      [0.975, 5, 2.571],
      [0.975, 9, 2.262],
      [0.975, 10, 2.228],
      [0.975, 29, 2.045],
      [0.975, 30, 2.042],
      [0.975, 60, 2.0],
      [0.975, 120, 1.98],
      [0.975, Infinity, 1.96],
      [0.995, 1, 63.657],
      [0.995, 10, 3.169],
      [0.95, 1, 6.314],
      [0.95, 10, 1.812],
    ];
    for (const [p, df, t] of table) {
      expect(Math.abs(studentTQuantile(p, df) - t), `t(${p}, ${df})`).toBeLessThanOrEqual(5e-4);
      expect(studentTQuantile(1 - p, df)).toBeCloseTo(-studentTQuantile(p, df), 12); // symmetry
    }
  });

  it('matches full-precision references (R qt / scipy.stats.t.ppf) to 1e-9', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 9);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157162798205, 9);
    expect(studentTQuantile(0.975, 29)).toBeCloseTo(2.045229642132703, 9);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(studentTQuantile(0.995, 1)).toBeCloseTo(63.656741162871526, 8);
    expect(studentTQuantile(0.975, 1000)).toBeCloseTo(1.9623390808264083, 9);
    // df → ∞ converges to the normal quantile 1.959964.
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966356814107, 8);
    expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.959963984540054, 14);
  });

  it('agrees with the closed forms for df = 1 (Cauchy) and df = 2', () => {
    for (const p of [0.001, 0.05, 0.3, 0.6, 0.9, 0.975, 0.999]) {
      const cauchy = Math.tan(Math.PI * (p - 0.5));
      const two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
      expect(studentTQuantile(p, 1)).toBeCloseTo(cauchy, 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo(two, 9);
    }
  });

  it('inverts studentTCdf', () => {
    for (const df of [1, 3, 7.5, 25, 300]) {
      for (const p of [1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-6]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  it('reproduces Newcombe (1998), Table I, score method (4 dp) and SciPy to 1e-12', () => {
    // R. G. Newcombe, "Two-sided confidence intervals for the single proportion:
    // comparison of seven methods", Statistics in Medicine 17 (1998) 857–872, Table I
    // (also R: prop.test(81, 263, correct = FALSE)$conf.int). Full-precision values from
    // scipy.stats.binomtest(k, n).proportion_ci(method='wilson').
    const cases: [k: number, n: number, lo4: number, hi4: number, lo: number, hi: number][] = [
      [81, 263, 0.2553, 0.3662, 0.2552885198782742, 0.36620957698280004],
      [15, 148, 0.0624, 0.1605, 0.06238639953073629, 0.16048724172330803],
      [0, 20, 0.0, 0.1611, 0.0, 0.16112515805281935],
      [1, 29, 0.0061, 0.1718, 0.006113214292762667, 0.17175521879320282],
    ];
    for (const [k, n, lo4, hi4, lo, hi] of cases) {
      const ci = wilsonInterval(k, n)!;
      expect(Math.abs(ci[0] - lo4)).toBeLessThanOrEqual(5e-5);
      expect(Math.abs(ci[1] - hi4)).toBeLessThanOrEqual(5e-5);
      expect(ci[0]).toBeCloseTo(lo, 12);
      expect(ci[1]).toBeCloseTo(hi, 12);
    }
  });

  it('hand calculation for 2/5', () => {
    // p̂ = 0.4, z = 1.959964, z² = 3.841459, z²/n = 0.768292, denominator 1.768292
    // centre = (0.4 + 3.841459/10) / 1.768292 = 0.784146 / 1.768292 = 0.443448
    // half   = 1.959964 / 1.768292 · √(0.24/5 + 3.841459/100) = 1.108392 · 0.293963 = 0.325827
    // → [0.117621, 0.769276]
    const [lo, hi] = wilsonInterval(2, 5)!;
    expect(lo).toBeCloseTo(0.117621, 5);
    expect(hi).toBeCloseTo(0.769276, 5);
  });

  it('all successes: upper bound 1, lower n/(n + z²)', () => {
    const z2 = 1.959963984540054 ** 2;
    const [lo, hi] = wilsonInterval(3, 3)!;
    expect(hi).toBe(1);
    expect(lo).toBeCloseTo(3 / (3 + z2), 12); // 0.438503
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(4, 3)).toThrow(RangeError);
  });
});

describe('meanConfidenceInterval', () => {
  it('mean ± t(0.975, n−1)·s/√n, by hand', () => {
    // x = [30, −10, 50, −40, 0]: mean 6; deviations 24, −16, 44, −46, −6;
    // squares 576 + 256 + 1936 + 2116 + 36 = 4920; s² = 4920/4 = 1230;
    // s/√n = √(1230/5) = 15.684387; t(0.975, 4) = 2.776445 → half-width 43.546840
    const [lo, hi] = meanConfidenceInterval([30, -10, 50, -40, 0])!;
    expect(lo).toBeCloseTo(-37.54684, 4);
    expect(hi).toBeCloseTo(49.54684, 4);
  });

  it('null below two observations; zero width for a constant sample', () => {
    expect(meanConfidenceInterval([])).toBeNull();
    expect(meanConfidenceInterval([3])).toBeNull();
    expect(meanConfidenceInterval([2, 2, 2])).toEqual([2, 2]);
  });
});

describe('sampleSd, meanOrNaN, pearson (simple-statistics underneath)', () => {
  it('sample (n − 1) standard deviation, not population: [1,2,3,4] → √(5/3), not √(5/4)', () => {
    // mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5
    expect(sampleSd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(sampleSd([1, 2, 3, 4])).not.toBeCloseTo(Math.sqrt(5 / 4), 3);
    expect(sampleSd([7])).toBeNull();
    expect(sampleSd([])).toBeNull();
  });

  it('mean; NaN for nothing', () => {
    expect(meanOrNaN([0.25, 0.25, 0.5])).toBeCloseTo(1 / 3, 15);
    expect(meanOrNaN([])).toBeNaN();
  });

  it('pearson by hand, on the shorter length; null for constant or short series', () => {
    // x = 1,2,3; y = 2,4,7: dx = −1,0,1; dy = −7/3, −1/3, 8/3; Σdxdy = 5; Σdx² = 2; Σdy² = 114/9
    expect(pearson([1, 2, 3], [2, 4, 7, 100])).toBeCloseTo(5 / Math.sqrt(2 * (114 / 9)), 14);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(pearson([1], [2])).toBeNull();
    // deviations that underflow (variance 1e-600 → 0) count as constant, as before
    expect(pearson([1e-300, 2e-300, 3e-300], [1, 2, 3])).toBeNull();
  });
});
