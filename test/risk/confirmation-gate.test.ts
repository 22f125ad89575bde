/**
 * The confirmation gate visits decisions sample by sample (one verdict per
 * sample and side, rows between decisions skipped four at a time). The
 * reference here is the rule row by row: a decision passes when its side's
 * mask at that row (the gate's own maskAt, found by sampleOfRow) has at
 * least minConfirmations confirmations; blocked ones are counted by mask.
 */
import { describe, expect, it } from 'vitest';
import { syntheticTrades } from '../../bench/synthetic';
import { applyConfirmationGate } from '../../src/risk/confirmation-gate';
import { confirmationNames, countConfirmations } from '../../src/signals/confirmation';
import { createPrng } from '../../src/util/prng';

describe('confirmation gate', () => {
  // ~3 days of prints (1-minute samples, so the 24 h volume ratio and the 2 h trend exist).
  const tape = syntheticTrades(300_000, 5, 1000);
  const rnd = createPrng(3);
  const entry = new Int8Array(tape.length);
  for (let i = 0; i < tape.length; i++) {
    const u = rnd.nextFloat();
    if (u < 0.01) entry[i] = 1;
    else if (u < 0.02) entry[i] = -1;
    else if (u < 0.021) entry.fill(u < 0.0205 ? 1 : -1, i, Math.min(tape.length, i + 500)); // runs, as a per-sample strategy writes
  }
  for (const min of [1, 2, 3]) {
    it(`equals the row-by-row rule (minConfirmations ${min})`, () => {
      const s = { minConfirmations: min, volumeRatioMin: 1.5, regimeMinProb: 0.6 };
      const g = applyConfirmationGate(tape, entry, s);
      const out = new Int8Array(tape.length);
      const blockedBy: Record<string, number> = {};
      let decisions = 0;
      let passed = 0;
      for (let i = 0; i < tape.length; i++) {
        const e = entry[i];
        if (e === 0) continue;
        decisions++;
        const mk = e > 0 ? g.maskAt(i) & 15 : g.maskAt(i) >> 4;
        if (countConfirmations(mk) >= min) {
          out[i] = e;
          passed++;
        } else {
          const k = confirmationNames(mk).join('+') || 'none';
          blockedBy[k] = (blockedBy[k] ?? 0) + 1;
        }
      }
      expect(passed).toBeGreaterThan(0);
      expect(decisions - passed).toBeGreaterThan(0);
      expect(g.entry).toEqual(out);
      expect(g.report).toEqual({ decisions, passed, blocked: decisions - passed, blockedBy });
    });
  }
});
