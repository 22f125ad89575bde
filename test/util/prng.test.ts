import { describe, expect, it } from 'vitest';
import { Mulberry32, Prng, createPrng } from '../../src/util/prng';

describe('Prng (xoshiro128**)', () => {
  it('matches the reference C implementation (prng.di.unimi.it/xoshiro128starstar.c)', () => {
    // Outputs of the reference next() compiled with gcc, from state {1, 2, 3, 4}.
    const a = Prng.fromState(1, 2, 3, 4);
    const first = Array.from({ length: 8 }, () => a.nextUint32());
    expect(first).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
    for (let i = 8; i < 999; i++) a.nextUint32();
    expect(a.nextUint32()).toBe(3170714187); // output #999
    const b = Prng.fromState(0xdeadbeef, 0x01234567, 0x89abcdef, 0xcafebabe);
    expect([b.nextUint32(), b.nextUint32(), b.nextUint32(), b.nextUint32()]).toEqual([2576977298, 1162350735, 608706887, 3804210698]);
    for (let i = 4; i < 999; i++) b.nextUint32();
    expect(b.nextUint32()).toBe(538486919);
    expect(() => Prng.fromState(0, 0, 0, 0)).toThrow(RangeError);
  });

  it('is deterministic for a seed; different seeds give different streams', () => {
    const draw = (seed: number) => {
      const r = createPrng(seed);
      return Array.from({ length: 20 }, () => r.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(0)).not.toEqual(draw(2 ** 32)); // the high word of the seed matters
    expect(draw(-1)).not.toEqual(draw(1));
    expect(() => createPrng(0.5)).toThrow(RangeError);
    expect(() => createPrng(2 ** 53)).toThrow(RangeError);
  });

  it('nextFloat is uniform on [0, 1)', () => {
    const r = new Prng(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.nextFloat();
      sum += u;
      sumSq += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // mean 1/2 (SD of the mean √(1/12/n) = 6.5e−4), variance 1/12
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 3);
  });

  it('nextInt(n) is unbiased on [0, n): chi-square test, and handles large n', () => {
    const r = new Prng(2);
    const k = 7;
    const n = 70_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.nextInt(k)]++;
    const expected = n / k;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.46); // χ²(6) 0.999 quantile
    for (let i = 0; i < 1000; i++) {
      const v = r.nextInt(3_000_000_000); // rejection branch (n > 2^21)
      expect(Number.isInteger(v) && v >= 0 && v < 3_000_000_000).toBe(true);
    }
    expect(r.nextInt(1)).toBe(0);
    expect(() => r.nextInt(0)).toThrow(RangeError);
    expect(() => r.nextInt(2.5)).toThrow(RangeError);
  });

  it('normal() has mean 0, variance 1, skewness 0 and kurtosis 3', () => {
    const r = new Prng(3);
    const n = 200_000;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let within196 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s1 += z;
      s2 += z * z;
      s3 += z * z * z;
      s4 += z * z * z * z;
      if (Math.abs(z) < 1.959963984540054) within196++;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(s2 / n).toBeCloseTo(1, 1);
    expect(Math.abs(s3 / n)).toBeLessThan(4 * Math.sqrt(15 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(4 * Math.sqrt(96 / n));
    expect(Math.abs(within196 / n - 0.95)).toBeLessThan(4 * Math.sqrt((0.95 * 0.05) / n));
  });
});

describe('Mulberry32 (the HMM stream)', () => {
  // Reference: the generator and Box–Muller exactly as signals/hmm.ts had them
  // privately at 957fee9 (bryc's mulberry32). V6's ledgers depend on this stream.
  function referenceMulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function referenceNormal(rand: () => number): number {
    const u1 = 1 - rand();
    const u2 = rand();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  it('draws the same uniforms and normals as the former private copy, seed for seed', () => {
    for (const seed of [0, 1, 7, 2024, 0xffffffff, -3]) {
      const ref = referenceMulberry32(seed);
      const rng = new Mulberry32(seed);
      for (let k = 0; k < 1000; k++) {
        if (k % 3 === 2) expect(rng.normal()).toBe(referenceNormal(ref));
        else expect(rng.nextFloat()).toBe(ref());
      }
    }
  });

});
