import { describe, expect, it } from 'vitest';
import { syntheticTrades } from '../../bench/synthetic';
import { RULE, V1_LIKE, engineWay, fusedWay } from '../../bench/same-rule';
import { EXIT_REASONS } from '../../src/core/ledger';
import { makeTradeTape } from '../../src/data/tape';

// The bench's two ways of writing one rule must be the same backtest: same
// round trips (entry and exit rows, side, prices), same exit reasons, same P&L
// to the last bit. 450,000 seeded trades ≈ 2.5 hours: the first third as
// generated (it trends, so stops and targets fire), the rest with its log-price
// moves damped 20× (quiet, so positions live to the 30-minute time exit).
describe('the V1-like rule as a Strategy through runBacktest and as a fused loop', () => {
  const raw = syntheticTrades(450_000, 5);
  const J = 150_000;
  const pJ = raw.price[J];
  const tape = makeTradeTape({
    time: raw.time,
    price: raw.price.map((p, i) => (i < J ? p : pJ * Math.pow(p / pJ, 0.05))),
    amount: raw.amount,
    side: raw.side,
  });
  const run = engineWay(tape).strategies.V1LIKE;
  const engine = run.ledger;
  const fused = fusedWay(tape);

  it('makes enough round trips of every kind to mean something', () => {
    expect(engine.length).toBeGreaterThan(20);
    const reasons = new Set(engine.map((r) => r.exitReason));
    expect(reasons.has('stop')).toBe(true);
    expect(reasons.has('target')).toBe(true);
    expect(reasons.has('time')).toBe(true);
  });

  it('gives identical round trips, exit reasons and P&L', () => {
    expect(fused.count).toBe(engine.length);
    for (let k = 0; k < engine.length; k++) {
      const r = engine[k];
      expect({ k, entry: fused.entryIndex[k], exit: fused.exitIndex[k], side: fused.side[k] }).toEqual({
        k,
        entry: r.entryIndex,
        exit: r.exitIndex,
        side: r.side === 'long' ? 1 : -1,
      });
      expect(fused.entryPrice[k]).toBe(r.entryPrice);
      expect(fused.exitPrice[k]).toBe(r.exitPrice);
      expect(EXIT_REASONS[fused.reason[k]]).toBe(r.exitReason);
      expect(fused.netPnl[k]).toBe(r.netPnl);
    }
  });

  it('follows the rule as written: fills on the print after the decision, 60 s apart, fees on both legs', () => {
    for (let k = 0; k < engine.length; k++) {
      const r = engine[k];
      if (k > 0) expect(r.entryTime - engine[k - 1].entryTime).toBeGreaterThanOrEqual(RULE.minSpacingMs);
      expect(r.entryPrice).toBe(tape.price[r.entryIndex]);
      expect(r.entryFee).toBeCloseTo(RULE.notional * RULE.feeRate, 12);
      if (r.exitReason === 'time') expect(r.exitTime - r.entryTime).toBeGreaterThanOrEqual(RULE.maxHoldMs);
      if (r.exitReason === 'target') expect(r.exitPrice).toBe(r.targetPrice);
    }
  });

  it("counts every refused entry decision as a naive replay of the 60 s rule does (the engine skips refused spans in bulk)", () => {
    const entry = V1_LIKE.signals(tape, { windowTrades: RULE.windowTrades, threshold: RULE.threshold }).entry;
    let k = 0;
    let lastFill = -Infinity;
    let decisions = 0;
    let refused = 0;
    for (let i = 0; i < tape.length; i++) {
      // Open from the fill row up to the row before the exit; an 'end' exit closes after the last row.
      const open = k < engine.length && i >= engine[k].entryIndex && (i < engine[k].exitIndex || engine[k].exitReason === 'end');
      if (k < engine.length && i === engine[k].exitIndex) k++;
      if (open || entry[i] === 0) continue;
      if (k < engine.length && i === engine[k].entryIndex - 1) {
        // The decision that opened trade k.
        decisions++;
        lastFill = engine[k].entryTime;
        continue;
      }
      decisions++;
      if (tape.time[i] - lastFill < RULE.minSpacingMs) refused++;
    }
    expect(refused).toBeGreaterThan(1000);
    expect(run.gate.entrySignals).toBe(decisions);
    expect(run.gate.blocked).toEqual({ minute: refused, hour: 0, day: 0 });
  });
});

