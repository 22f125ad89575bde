import { describe, expect, it } from 'vitest';
import { blockBootstrapMeanCI, bootstrapMeanCI } from '../../src/analytics/bootstrap';
import { Prng } from '../../src/util/prng';
import { meanConfidenceInterval } from '../../src/analytics/stats';

function normalSample(rng: Prng, n: number, mu = 0, sigma = 1): number[] {
  return Array.from({ length: n }, () => mu + sigma * rng.normal());
}

describe('bootstrapMeanCI', () => {
  it('is deterministic for a seed, different across seeds, and does not mutate its input', () => {
    const xs = Object.freeze(normalSample(new Prng(1), 200, 0.1));
    const a = bootstrapMeanCI(xs, { seed: 11, samples: 2000 });
    const b = bootstrapMeanCI(xs, { seed: 11, samples: 2000 });
    const c = bootstrapMeanCI(xs, { seed: 12, samples: 2000 });
    expect(b).toEqual(a);
    expect(c.lo).not.toBe(a.lo);
    expect(a.ci).toEqual([a.lo, a.hi]);
    expect(a).toMatchObject({ n: 200, samples: 2000, confidence: 0.95, seed: 11, blockLength: 1 });
    expect(a.lo).toBeLessThan(a.mean);
    expect(a.hi).toBeGreaterThan(a.mean);
    expect(a.distribution.min).toBeLessThanOrEqual(a.lo);
    expect(a.distribution.max).toBeGreaterThanOrEqual(a.hi);
  });

  it('matches the Student-t interval on a large normal sample', () => {
    // n = 2000 from N(0.05, 1): SE = s/√n ≈ 0.0224. The percentile endpoints carry Monte Carlo
    // error ≈ √(0.025·0.975/B)/φ(1.96)·SE ≈ 0.027·SE with B = 10 000; allow 0.1·SE.
    const xs = normalSample(new Prng(3), 2000, 0.05);
    const boot = bootstrapMeanCI(xs, { seed: 5 });
    const t = meanConfidenceInterval(xs)!;
    const se = (t[1] - t[0]) / (2 * 1.9611514201705613); // t(0.975, 1999)
    expect(Math.abs(boot.lo - t[0])).toBeLessThan(0.1 * se);
    expect(Math.abs(boot.hi - t[1])).toBeLessThan(0.1 * se);
    // the bootstrap SE of the mean ≈ s/√n (√((n−1)/n) smaller in expectation)
    expect(Math.abs(boot.distribution.sd / se - 1)).toBeLessThan(0.03);
    expect(Math.abs(boot.distribution.bias)).toBeLessThan(0.05 * se);
  });

  it('covers the true mean about 95% of the time (200 seeded N(0,1) samples of n = 50)', () => {
    // Binomial(200, 0.95): sd = √(200·0.95·0.05) = 3.08 CIs; accept 190 ± 3 sd → [181, 199].
    // (The percentile interval slightly under-covers at n = 50, ≈ 94%, still well inside.)
    const rng = new Prng(99);
    let covered = 0;
    for (let k = 0; k < 200; k++) {
      const r = bootstrapMeanCI(normalSample(rng, 50), { seed: 1000 + k, samples: 2000 });
      if (r.lo <= 0 && 0 <= r.hi) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(181);
    expect(covered).toBeLessThanOrEqual(199);
  });

  it('respects the confidence level', () => {
    const xs = normalSample(new Prng(8), 300);
    const r90 = bootstrapMeanCI(xs, { seed: 1, confidence: 0.9, samples: 4000 });
    const r99 = bootstrapMeanCI(xs, { seed: 1, confidence: 0.99, samples: 4000 });
    expect(r99.hi - r99.lo).toBeGreaterThan(r90.hi - r90.lo);
  });

  it('edge cases: NaN interval for n < 2, a point for a constant sample, RangeError for bad input', () => {
    const one = bootstrapMeanCI([3]);
    expect(one.lo).toBeNaN();
    expect(one.hi).toBeNaN();
    expect(one.mean).toBe(3);
    expect(bootstrapMeanCI([]).mean).toBeNaN();
    const flat = bootstrapMeanCI([2, 2, 2, 2], { samples: 100 });
    expect(flat.ci).toEqual([2, 2]);
    expect(() => bootstrapMeanCI([1, NaN])).toThrow(RangeError);
    expect(() => bootstrapMeanCI([1, 2], { samples: 1 })).toThrow(RangeError);
    expect(() => bootstrapMeanCI([1, 2], { confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapMeanCI([1, 2], { seed: 0.5 })).toThrow(RangeError);
  });
});

describe('blockBootstrapMeanCI (stationary bootstrap, Politis & Romano 1994)', () => {
  /** AR(1) x_t = φ x_{t−1} + ε_t with N(0, 1) innovations, started from its stationary law. */
  function ar1(rng: Prng, n: number, phi: number): number[] {
    const out = new Array<number>(n);
    let x = rng.normal() / Math.sqrt(1 - phi * phi);
    for (let t = 0; t < n; t++) {
      x = phi * x + rng.normal();
      out[t] = x;
    }
    return out;
  }

  it('widens the interval to the long-run variance on an autocorrelated series', () => {
    // For AR(1) the long-run variance of the mean is (1+φ)/(1−φ) times the IID one:
    // φ = 0.5 → SE ratio √3 = 1.732. The IID bootstrap misses this; blocks of mean length 25
    // (≫ the autocorrelation time 1/(1−φ) = 2) recover most of it (block bootstraps are
    // biased low by O(1/L)). Accept a ratio in [1.45, 1.95].
    const xs = ar1(new Prng(21), 4000, 0.5);
    const iid = bootstrapMeanCI(xs, { seed: 2, samples: 4000 });
    const blk = blockBootstrapMeanCI(xs, { seed: 2, samples: 4000, blockLength: 25 });
    const ratio = blk.distribution.sd / iid.distribution.sd;
    expect(ratio).toBeGreaterThan(1.45);
    expect(ratio).toBeLessThan(1.95);
    expect(blk.hi - blk.lo).toBeGreaterThan(1.4 * (iid.hi - iid.lo));
    expect(blk.blockLength).toBe(25);
  });

  it('on IID data agrees with the IID bootstrap, and blockLength = 1 is the IID bootstrap', () => {
    const xs = normalSample(new Prng(4), 1000);
    const iid = bootstrapMeanCI(xs, { seed: 3, samples: 4000 });
    const blk = blockBootstrapMeanCI(xs, { seed: 3, samples: 4000, blockLength: 10 });
    expect(Math.abs(blk.distribution.sd / iid.distribution.sd - 1)).toBeLessThan(0.08);
    expect(blockBootstrapMeanCI(xs, { seed: 3, samples: 4000, blockLength: 1 })).toEqual(iid);
  });

  it('is deterministic, defaults the block length to round(n^(1/3)), and validates it', () => {
    const xs = ar1(new Prng(5), 1000, 0.3);
    const a = blockBootstrapMeanCI(xs, { seed: 9, samples: 1000 });
    expect(blockBootstrapMeanCI(xs, { seed: 9, samples: 1000 })).toEqual(a);
    expect(a.blockLength).toBe(10);
    expect(() => blockBootstrapMeanCI(xs, { blockLength: 0.5 })).toThrow(RangeError);
    expect(() => blockBootstrapMeanCI(xs, { blockLength: NaN })).toThrow(RangeError);
  });
});
