import { describe, expect, it } from 'vitest';
import { probabilityOfBacktestOverfitting } from '../../src/analytics/pbo';
import { Prng } from '../../src/util/prng';

function noiseMatrix(seed: number, T: number, N: number, sd = 0.01): number[][] {
  const rng = new Prng(seed);
  return Array.from({ length: T }, () => Array.from({ length: N }, () => sd * rng.normal()));
}

/** Plain mean / sample SD, for cross-checking the block-moment Sharpe. */
function naiveSharpe(v: Float64Array): number {
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return m / Math.sqrt(s / (v.length - 1));
}

describe('probabilityOfBacktestOverfitting (CSCV, Bailey, Borwein, López de Prado & Zhu 2017)', () => {
  it('(d) hand-computed case: T = 4 rows, S = 4 blocks of one row, N = 3 configurations', () => {
    // Columns A, B, C; each block is one row, so every IS and OOS set has two rows x, y and
    // SR = mean/sd = ((x+y)/2)/(|x−y|/√2) = q/√2 with q = (x+y)/|x−y|. Ranks only need q.
    //        A   B   C
    //  r0:   4   3   2
    //  r1:   1  −1   4
    //  r2:   6   5  −2
    //  r3:   2   4  −3
    // q for each pair of rows:
    //  {0,1}: A 5/3, B 2/4 = 0.5, C 6/2 = 3     {2,3}: A 8/4 = 2, B 9/1 = 9, C −5/1 = −5
    //  {0,2}: A 10/2 = 5, B 8/2 = 4, C 0/4 = 0  {1,3}: A 3/1 = 3, B 3/5 = 0.6, C 1/7
    //  {0,3}: A 6/2 = 3, B 7/1 = 7, C −1/5      {1,2}: A 7/5 = 1.4, B 4/6 = 2/3, C 2/6 = 1/3
    // IS → IS-best n* → its OOS rank r̄ among 3 (3 = best) → ω̄ = r̄/4 → λ = ln(ω̄/(1−ω̄)):
    //  IS {0,1}: best C (3);   OOS {2,3}: C = −5 is worst   → r̄ 1, ω̄ 1/4, λ = −ln 3
    //  IS {0,2}: best A (5);   OOS {1,3}: A = 3 is best     → r̄ 3, ω̄ 3/4, λ = +ln 3
    //  IS {1,2}: best A (1.4); OOS {0,3}: A = 3 < B = 7     → r̄ 2, ω̄ 1/2, λ = 0
    //  IS {0,3}: best B (7);   OOS {1,2}: B = 2/3 < A = 1.4 → r̄ 2, ω̄ 1/2, λ = 0
    //  IS {1,3}: best A (3);   OOS {0,2}: A = 5 is best     → r̄ 3, ω̄ 3/4, λ = +ln 3
    //  IS {2,3}: best B (9);   OOS {0,1}: B = 0.5 is worst  → r̄ 1, ω̄ 1/4, λ = −ln 3
    // PBO = #{λ ≤ 0}/6 = 4/6 (the two medians, λ = 0, count as overfit).
    // Probability of loss: only IS {0,1}'s pick has OOS SR < 0 (C: −5/√2) → 1/6.
    // Degradation: x = IS q = [3, 5, 1.4, 7, 3, 9], y = OOS q = [−5, 3, 3, 2/3, 5, 0.5] (in the
    // enumeration order); x̄ = 4.7333, ȳ = 1.19444, Sxx = 40.5333, Sxy = −5.5556 → slope
    // β = −0.137061 (the same in SR units, both axes scale by 1/√2), intercept ȳ/√2 − β x̄/√2 = 1.303340.
    const M = Object.freeze([
      Object.freeze([4, 3, 2]),
      Object.freeze([1, -1, 4]),
      Object.freeze([6, 5, -2]),
      Object.freeze([2, 4, -3]),
    ]);
    const r = probabilityOfBacktestOverfitting(M, { blocks: 4 });
    expect(r).toMatchObject({ rows: 4, configs: 3, blocks: 4, blockSizes: [1, 1, 1, 1], combinations: 6 });
    const byMask = new Map<number, { sel: number; omega: number; logit: number; oos: number }>();
    r.inSampleBlocks.forEach((mask, c) => byMask.set(mask, { sel: r.selected[c], omega: r.omegas[c], logit: r.logits[c], oos: r.oosPerformance[c] }));
    const A = 0, B = 1, C = 2;
    const ln3 = Math.log(3);
    const expected: [mask: number, sel: number, omega: number, logit: number][] = [
      [0b0011, C, 1 / 4, -ln3],
      [0b0101, A, 3 / 4, ln3],
      [0b0110, A, 1 / 2, 0],
      [0b1001, B, 1 / 2, 0],
      [0b1010, A, 3 / 4, ln3],
      [0b1100, B, 1 / 4, -ln3],
    ];
    for (const [mask, sel, omega, logit] of expected) {
      const got = byMask.get(mask)!;
      expect(got.sel, `mask ${mask.toString(2)}`).toBe(sel);
      expect(got.omega).toBeCloseTo(omega, 15);
      expect(got.logit).toBeCloseTo(logit, 14);
    }
    expect(byMask.get(0b0011)!.oos).toBeCloseTo(-5 / Math.SQRT2, 13);
    expect(r.pbo).toBeCloseTo(4 / 6, 15);
    expect(r.probabilityOfLoss).toBeCloseTo(1 / 6, 15);
    expect(r.degradation.slope).toBeCloseTo(-0.1370614035087721, 12);
    expect(r.degradation.intercept).toBeCloseTo(1.3033404596212579, 12);
    expect(r.degradation.points).toBe(6);
    expect(r.meanLogit).toBeCloseTo(0, 14);
  });

  it('(e) relative rank ω = r/(N+1) with r = 1 (worst) … N (best) and midranks for OOS ties', () => {
    // N = 4, S = 2 (IS = rows 0–1 or rows 2–3); SR of two rows x, y = (x+y)/(√2|x−y|).
    const M = [
      [0.05, 0.01, 0.0, -0.01],
      [0.06, 0.02, 0.01, 0.0],
      [0.01, 0.0, 0.03, -0.02],
      [0.02, 0.03, 0.04, 0.02],
    ];
    // IS rows 0–1: c0 (0.05, 0.06) → 0.11/(√2·0.01) = 7.78 is best (c1 2.12, c2 0.71, c3 −0.71).
    // OOS rows 2–3: c0 (0.01, 0.02) → 0.03/(√2·0.01) = 2.1213; c1 (0, 0.03) → 0.03/(√2·0.03) = 0.7071;
    //               c2 (0.03, 0.04) → 0.07/(√2·0.01) = 4.9497; c3 (−0.02, 0.02) → 0.
    //   → c0 ranks 3rd of 4 (above c1 and c3, below c2): ω = 3/5, λ = ln(3/2).
    // IS rows 2–3: c2 is best (4.95). OOS rows 0–1: c2 (0, 0.01) → 0.7071, c0 (0.05, 0.06) → 7.78,
    //   c1 (0.01, 0.02) → 2.1213, c3 (−0.01, 0) → −0.7071 → c2 ranks 2nd: ω = 2/5, λ = ln(2/3).
    const r = probabilityOfBacktestOverfitting(M, { blocks: 2 });
    expect(r.combinations).toBe(2);
    expect(Array.from(r.selected)).toEqual([0, 2]);
    expect(r.omegas[0]).toBeCloseTo(3 / 5, 15);
    expect(r.logits[0]).toBeCloseTo(Math.log(1.5), 14);
    expect(r.omegas[1]).toBeCloseTo(2 / 5, 15);
    expect(r.pbo).toBe(0.5);

    // Ties: identical configurations → every OOS place is shared → midrank (N+1)/2, ω = ½, λ = 0.
    const col = noiseMatrix(4, 40, 1).map((row) => row[0]);
    const tied = col.map((x) => [x, x, x, x, x]);
    const t = probabilityOfBacktestOverfitting(tied, { blocks: 4 });
    for (const w of t.omegas) expect(w).toBe(0.5);
    expect(t.pbo).toBe(1); // λ = 0 counts as "no better than the median"
  });

  it('(a) pure noise: PBO ≈ ½ on average over seeded matrices', () => {
    // For skill-less configurations the OOS rank of the IS winner is uniform on 1..N, so with N
    // even P(λ ≤ 0) = ½ exactly. One matrix's PBO is very noisy (its C(S, S/2) combinations
    // share the same data: across seeds its SD is ≈ 0.19 here), so average 100 matrices
    // (T = 160, N = 50, S = 8): the mean's SD is ≈ 0.019; accept 0.5 ± 0.07 (≈ 3.5 SD).
    let sum = 0;
    let omegaSum = 0;
    let omegaCount = 0;
    for (let k = 0; k < 100; k++) {
      const r = probabilityOfBacktestOverfitting(noiseMatrix(500 + k, 160, 50), { blocks: 8 });
      expect(r.combinations).toBe(70);
      sum += r.pbo;
      for (const w of r.omegas) {
        omegaSum += w;
        omegaCount++;
      }
    }
    expect(Math.abs(sum / 100 - 0.5)).toBeLessThan(0.07);
    expect(Math.abs(omegaSum / omegaCount - 0.5)).toBeLessThan(0.04); // E[ω] = ½ under the null
  });

  it('(a′) pure noise with the default S = 16 (12 870 combinations)', () => {
    let sum = 0;
    for (let k = 0; k < 6; k++) sum += probabilityOfBacktestOverfitting(noiseMatrix(900 + k, 320, 20)).pbo;
    // 6 matrices: SD of the mean ≈ 0.19/√6 = 0.08; a wide, still informative band.
    expect(Math.abs(sum / 6 - 0.5)).toBeLessThan(0.25);
  });

  it('(b) one configuration genuinely better in every block → PBO = 0', () => {
    // Noise SD 1% for all; config 7 also earns +5% a period, so its Sharpe (≈ 5) dwarfs any
    // noise Sharpe (|SR| ≲ 0.3 over ≥ 80 rows): it wins every IS set and every OOS set.
    const M = noiseMatrix(31, 320, 30);
    for (const row of M) row[7] += 0.05;
    const r = probabilityOfBacktestOverfitting(M);
    expect(r.blocks).toBe(16);
    expect(r.combinations).toBe(12870);
    expect(r.pbo).toBe(0);
    expect(r.probabilityOfLoss).toBe(0);
    expect(new Set(r.selected)).toEqual(new Set([7]));
    for (const lambda of r.logits) expect(lambda).toBeCloseTo(Math.log(30), 12); // ω = N/(N+1)
  });

  it('(c) overfit construction: each configuration good in exactly half the blocks → PBO ≈ 1', () => {
    // S = 8 blocks of 10 rows; one configuration per 4-block subset (N = C(8,4) = 70), earning
    // +1% a period in its 4 blocks and −1% in the other 4, plus N(0, 0.5%) noise. The IS winner
    // is the configuration whose good blocks are exactly the IS blocks — and all of its OOS
    // blocks are bad: it ranks last OOS (ω = 1/71) and loses money.
    const S = 8;
    const subsets: number[] = [];
    for (let m = 0; m < 1 << S; m++) {
      let bits = 0;
      for (let b = 0; b < S; b++) if (m & (1 << b)) bits++;
      if (bits === S / 2) subsets.push(m);
    }
    expect(subsets.length).toBe(70);
    const rng = new Prng(77);
    const M = Array.from({ length: 80 }, (_, t) =>
      subsets.map((good) => ((good >> Math.floor(t / 10)) & 1 ? 0.01 : -0.01) + 0.005 * rng.normal()),
    );
    const r = probabilityOfBacktestOverfitting(M, { blocks: S });
    expect(r.pbo).toBeGreaterThanOrEqual(0.95);
    expect(r.probabilityOfLoss).toBeGreaterThanOrEqual(0.95);
    expect(r.meanLogit).toBeLessThan(-3); // ≈ ln(1/70) = −4.25
    r.inSampleBlocks.forEach((mask, c) => expect(subsets[r.selected[c]]).toBe(mask));
  });

  it('a custom metric matches the built-in block-moment Sharpe (uneven blocks)', () => {
    const M = noiseMatrix(12, 103, 9); // 103 rows / 8 blocks: sizes 12 or 13
    const a = probabilityOfBacktestOverfitting(M, { blocks: 8 });
    const b = probabilityOfBacktestOverfitting(M, { blocks: 8, metric: naiveSharpe });
    expect(a.blockSizes.reduce((x, y) => x + y)).toBe(103);
    expect(new Set(a.blockSizes)).toEqual(new Set([12, 13]));
    expect(Array.from(b.selected)).toEqual(Array.from(a.selected));
    expect(Array.from(b.omegas)).toEqual(Array.from(a.omegas));
    for (let c = 0; c < a.combinations; c++) {
      expect(b.isPerformance[c]).toBeCloseTo(a.isPerformance[c], 12);
      expect(b.oosPerformance[c]).toBeCloseTo(a.oosPerformance[c], 12);
    }
  });

  it('zero-variance configurations (no trades) score 0 and do not break the ranking', () => {
    const M = noiseMatrix(3, 64, 6);
    for (const row of M) row[5] = 0; // a configuration that never traded
    const r = probabilityOfBacktestOverfitting(M, { blocks: 8 });
    expect(Number.isFinite(r.pbo)).toBe(true);
    for (const w of r.omegas) expect(w).toBeGreaterThan(0);
  });

  it('handles small inputs: fewer rows than S, too few rows or configurations, invalid arguments', () => {
    const ten = probabilityOfBacktestOverfitting(noiseMatrix(1, 10, 4)); // S = 16 requested, 10 rows
    expect(ten.blocks).toBe(10);
    expect(ten.combinations).toBe(252);
    expect(ten.blockSizes).toEqual(Array(10).fill(1));
    const odd = probabilityOfBacktestOverfitting(noiseMatrix(1, 5, 4)); // 5 rows → S = 4
    expect(odd.blocks).toBe(4);
    expect(odd.blockSizes).toEqual([1, 1, 1, 2]);

    const three = probabilityOfBacktestOverfitting(noiseMatrix(1, 3, 4), { blocks: 2 });
    expect(three.pbo).toBeNaN();
    expect(three.insufficient).toMatch(/4 rows/);
    const single = probabilityOfBacktestOverfitting(noiseMatrix(1, 40, 1));
    expect(single.pbo).toBeNaN();
    expect(single.insufficient).toMatch(/2 configurations/);
    expect(probabilityOfBacktestOverfitting([]).pbo).toBeNaN();

    expect(() => probabilityOfBacktestOverfitting(noiseMatrix(1, 40, 3), { blocks: 7 })).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting(noiseMatrix(1, 40, 3), { blocks: 26 })).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting([[1, 2], [3]], { blocks: 2 })).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting([[1, NaN], [3, 4], [5, 6], [7, 8]], { blocks: 2 })).toThrow(RangeError);
  });
});
