/**
 * Seeded pseudo-random numbers: the resampling statistics (bootstrap, CSCV
 * noise tests, compounding Monte Carlo), the HMM's k-means++ restarts and its
 * simulator, random sweeps.
 *
 * Every random draw in edgelab goes through {@link Prng} so a run is
 * reproduced exactly from its seed; `Math.random` is never used. It lives in
 * util/ (below every layer) because signals/ (the HMM) needs it as much as
 * analytics/ does.
 *
 * Generator: xoshiro128** 1.0 (32-bit state words, period 2^128 − 1), by
 * D. Blackman and S. Vigna, "Scrambled Linear Pseudorandom Number
 * Generators", ACM Transactions on Mathematical Software 47(4), 2021
 * (reference C code: https://prng.di.unimi.it/xoshiro128starstar.c).
 * The 128-bit state is filled from the seed by a SplitMix-style hash, so
 * nearby seeds give unrelated streams.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * One step of a 32-bit SplitMix-style seeder (G. L. Steele, D. Lea & C. H. Flood, "Fast
 * Splittable Pseudorandom Number Generators", OOPSLA 2014): add the golden-ratio increment
 * 0x9E3779B9, then apply MurmurHash3's fmix32 finalizer. Both steps are bijections of the
 * 32-bit input, so different inputs always give different outputs.
 */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Deterministic xoshiro128** generator.
 *
 * - {@link nextUint32}: uniform integer in [0, 2^32).
 * - {@link nextFloat}: uniform double in [0, 1) with 53 random bits.
 * - {@link nextInt}: unbiased uniform integer in [0, n) (Lemire's multiply-and-reject method:
 *   D. Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS 29(1), 2019).
 * - {@link normal}: standard normal N(0, 1) by Marsaglia's polar method
 *   (G. Marsaglia & T. A. Bray, "A Convenient Method for Generating Normal Variables", SIAM Review 6(3), 1964).
 *
 * @example
 * const rng = new Prng(42);
 * rng.nextInt(6); // same value on every run with seed 42
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = 0;
  private hasSpareNormal = false;

  /**
   * @param seed a safe integer (|seed| ≤ 2^53 − 1); distinct seeds give distinct generator states.
   * @throws RangeError when the seed is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Prng: seed must be a safe integer, got ${seed}`);
    // The seed's 64-bit two's-complement words: low half seeds state words 0–1, high half
    // words 2–3. A splitmix32 output is a bijection of its input, so distinct seeds give
    // distinct states.
    const low = { x: seed >>> 0 };
    const high = { x: (Math.floor(seed / TWO_POW_32) ^ 0x5bd1e995) >>> 0 };
    this.s0 = splitmix32(low);
    this.s1 = splitmix32(low);
    this.s2 = splitmix32(high);
    this.s3 = splitmix32(high);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /**
   * Builds a generator straight from the four 32-bit state words (not all zero), bypassing the
   * seeding. Used to check the stream against the reference C implementation.
   */
  static fromState(s0: number, s1: number, s2: number, s3: number): Prng {
    const rng = new Prng(0);
    rng.s0 = s0 >>> 0;
    rng.s1 = s1 >>> 0;
    rng.s2 = s2 >>> 0;
    rng.s3 = s3 >>> 0;
    if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) === 0) throw new RangeError('Prng.fromState: the state must not be all zero');
    return rng;
  }

  /** Next raw output of xoshiro128**: a uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) built from 53 random bits (27 + 26 bits of two outputs). */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /**
   * Unbiased uniform integer in [0, n).
   *
   * For n ≤ 2^21 the product x·n (x a 32-bit output) is exact in a double, and Lemire's
   * method takes ⌊x·n / 2^32⌋, rejecting the few x whose low part falls below
   * (2^32 − n) mod n. Larger n use plain rejection sampling on x mod n.
   *
   * @param n exclusive upper bound, an integer with 1 ≤ n ≤ 2^32.
   * @throws RangeError when n is not such an integer.
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`Prng.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    if (n <= 2097152) {
      let m = this.nextUint32() * n;
      let low = m % TWO_POW_32;
      if (low < n) {
        const threshold = (TWO_POW_32 - n) % n;
        while (low < threshold) {
          m = this.nextUint32() * n;
          low = m % TWO_POW_32;
        }
      }
      return Math.floor(m / TWO_POW_32);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n); // accept x < limit: a whole number of copies of [0, n)
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * Standard normal draw N(0, 1) by Marsaglia's polar method: draw (u, v) uniform in the
   * square (−1, 1)², reject unless 0 < s = u² + v² < 1, then u·√(−2 ln s / s) and
   * v·√(−2 ln s / s) are two independent normals; the second is kept for the next call.
   */
  normal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.nextFloat() - 1;
      v = 2 * this.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    this.hasSpareNormal = true;
    return u * f;
  }
}

/**
 * Creates a seeded {@link Prng} (xoshiro128**).
 *
 * @param seed a safe integer; the same seed always gives the same stream.
 * @throws RangeError when the seed is not a safe integer.
 * @example
 * const rng = createPrng(7);
 * rng.nextFloat(); // reproducible uniform in [0, 1)
 */
export function createPrng(seed: number): Prng {
  return new Prng(seed);
}

/** What a consumer of random draws needs: uniforms in [0, 1) and standard normals. */
export interface RandomSource {
  nextFloat(): number;
  normal(): number;
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain; the common JS
 * form by bryc): uniform [0, 1) with 32 random bits, normals by Box–Muller
 * (cosine branch only, u1 taken in (0, 1]).
 *
 * Kept only for the HMM (`fitHmm` restarts, `sampleHmm`): V6's ledgers depend
 * on its stream through the k-means++ restarts, and swapping it for
 * {@link Prng} changes them (measured on `npm start`: V6 333 → 332 trades on
 * the Tardis tape, 2,763 → 2,759 on 5m bars before the plan). New code uses
 * {@link Prng}; moving the HMM to it is a deliberate, announced change of V6's
 * figures, not a refactor.
 */
export class Mulberry32 implements RandomSource {
  private a: number;

  /** @param seed any number; its low 32 bits (`seed >>> 0`) are the state. */
  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  nextUint32(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  normal(): number {
    const u1 = 1 - this.nextFloat();
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
