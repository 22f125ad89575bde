/**
 * The decision-column scans the engine and the confirmation gate use
 * (src/core/signals.ts), checked against the plain per-row reading on random
 * columns, at every alignment, including views that start off a 4-byte boundary.
 */
import { describe, expect, it } from 'vitest';
import { countDecisions, countPositive, decisionWords, firstDecisionFrom, firstExitFlagFrom } from '../../src/core/signals';
import { createPrng } from '../../src/util/prng';

function column(seed: number, n: number, density: number): Int8Array {
  const rnd = createPrng(seed);
  const buf = new Int8Array(n + 3);
  for (let i = 0; i < buf.length; i++) {
    const u = rnd.nextFloat();
    // every byte value a decision column can hold, and some it should not (±127, −128) to prove the bit trick
    buf[i] = u < density ? [1, -1, 2, -128, 127][Math.floor(rnd.nextFloat() * 5)] : 0;
  }
  return buf;
}

describe('decision scans', () => {
  it('countDecisions and countPositive count the non-zero and the positive rows of any range, aligned or not', () => {
    for (const density of [0, 0.01, 0.3, 1]) {
      const buf = column(9, 301, density);
      for (const off of [0, 1, 3]) {
        const a = new Int8Array(buf.buffer, off, 297);
        const words = decisionWords(a);
        expect(words === null).toBe(off !== 0);
        for (const [from, to] of [[0, 297], [1, 2], [5, 5], [3, 250], [4, 8], [7, 296]]) {
          let want = 0;
          for (let i = from; i < to; i++) if (a[i] !== 0) want++;
          expect(countDecisions(a, words, from, to), `density ${density} offset ${off} [${from}, ${to})`).toBe(want);
          let pos = 0;
          for (let i = from; i < to; i++) if (a[i] > 0) pos++;
          expect(countPositive(a, words, from, to), `positive, density ${density} offset ${off} [${from}, ${to})`).toBe(pos);
        }
      }
    }
  });

  it('firstDecisionFrom and firstExitFlagFrom find the first row the per-row test finds', () => {
    const a = column(4, 1000, 0.02);
    const words = decisionWords(a);
    const flags = Uint8Array.from(a, (x) => (x === 0 ? 0 : (x & 3) || 1));
    for (let from = 0; from < 1000; from += 37) {
      let want = from;
      while (want < 1000 && a[want] === 0) want++;
      expect(firstDecisionFrom(a, words, from, 1000)).toBe(want);
      for (const mask of [1, 2]) {
        let w = from;
        while (w < 1000 && (flags[w] & mask) === 0) w++;
        expect(firstExitFlagFrom(flags, mask, from, 1000)).toBe(w);
      }
    }
  });
});
