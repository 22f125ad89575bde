import { describe, expect, it } from 'vitest';
import { fitOu } from '../../src/signals/ou';

describe('fitOu (exact AR(1) discretisation)', () => {
  it('recovers a noiseless AR(1): x_{k+1} = 0.1 + 0.8 x_k', () => {
    const x = [2];
    for (let k = 0; k < 20; k++) x.push(0.1 + 0.8 * x[k]);
    const f = fitOu(x, 1000);
    expect(f.b).toBeCloseTo(0.8, 10);
    expect(f.a).toBeCloseTo(0.1, 10);
    expect(f.mu).toBeCloseTo(0.5, 10); // a / (1 − b)
    expect(f.theta).toBeCloseTo(-Math.log(0.8) / 1000, 14); // per ms
    expect(f.halfLife).toBeCloseTo((Math.LN2 / -Math.log(0.8)) * 1000, 6); // ≈ 3106.3 ms
    expect(f.sigmaEq).toBeCloseTo(0, 6);
  });

  it('matches a hand calculation with noise', () => {
    // x = [1, 0.6, 0.9, 0.5, 0.8, 0.6]; pairs (x_k, x_{k+1}):
    // (1,.6) (.6,.9) (.9,.5) (.5,.8) (.8,.6); m = 5
    // mean x = (1+.6+.9+.5+.8)/5 = 0.76; mean y = (.6+.9+.5+.8+.6)/5 = 0.68
    // Sxx = .24²+.16²+.14²+.26²+.04² = .0576+.0256+.0196+.0676+.0016 = 0.172
    // Sxy = .24(−.08) + (−.16)(.22) + .14(−.18) + (−.26)(.12) + .04(−.08)
    //     = −.0192 − .0352 − .0252 − .0312 − .0032 = −0.114
    // b = −0.114/0.172 = −0.66279… → not in (0,1): not mean-reverting as OU ⇒ NaN outputs
    const f = fitOu([1, 0.6, 0.9, 0.5, 0.8, 0.6], 1);
    expect(f.b).toBeCloseTo(-0.114 / 0.172, 12);
    expect(f.a).toBeCloseTo(0.68 - (-0.114 / 0.172) * 0.76, 12);
    expect(Number.isNaN(f.theta)).toBe(true);
    expect(Number.isNaN(f.mu)).toBe(true);
  });

  it('hand calculation with b in (0,1): residual variance on n − 2 degrees of freedom', () => {
    // x = [0, 1, 1, 2, 1.5]: pairs (0,1) (1,1) (1,2) (2,1.5); m = 4
    // mean x = 1, mean y = 1.375
    // Sxx = 1 + 0 + 0 + 1 = 2; Sxy = (−1)(−.375) + 0 + 0 + (1)(.125) = 0.5
    // b = 0.25, a = 1.375 − 0.25 = 1.125, mu = a/(1−b) = 1.5
    // residuals: 1−1.125 = −.125; 1−1.375 = −.375; 2−1.375 = .625; 1.5−1.625 = −.125
    // SSE = .015625 + .140625 + .390625 + .015625 = 0.5625; s² = SSE/(4−2) = 0.28125
    // sigmaEq = sqrt(s²/(1−b²)) = sqrt(0.28125/0.9375) = sqrt(0.3)
    const f = fitOu([0, 1, 1, 2, 1.5], 60_000);
    expect(f.b).toBeCloseTo(0.25, 12);
    expect(f.a).toBeCloseTo(1.125, 12);
    expect(f.mu).toBeCloseTo(1.5, 12);
    expect(f.sigmaEq).toBeCloseTo(Math.sqrt(0.3), 12);
    expect(f.theta).toBeCloseTo(Math.log(4) / 60_000, 15);
    expect(f.halfLife).toBeCloseTo(30_000, 6); // ln2 / (ln4/60 s) = 30 s
    expect(f.sigma).toBeCloseTo(Math.sqrt(0.3) * Math.sqrt((2 * Math.log(4)) / 60_000), 12);
  });

  it('edge cases: constant series and too few points give NaN, never a throw', () => {
    expect(Number.isNaN(fitOu([5, 5, 5, 5, 5], 1).b)).toBe(true);
    expect(Number.isNaN(fitOu([1, 2], 1).mu)).toBe(true);
    expect(Number.isNaN(fitOu([], 1).mu)).toBe(true);
  });
});
