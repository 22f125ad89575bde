/**
 * An independent re-check of a ledger against the tape it came from.
 *
 * The engine is one fast pass; this is the slow, literal reading of the fill
 * rules, row by row, written separately so that a bug in one is caught by the
 * other. It checks: entries and exits are traded prices (or the stop/target
 * level where the rules say so) at those times; stops and targets fire at the
 * FIRST print that crosses them; nothing crossed a level before a signal,
 * time or end exit; signal/time exits respect the minimum hold; frequency
 * limits hold in every rolling window; fees are notional × rate on each leg.
 * Used by tests on real data and by `edgelab backtest --audit`.
 *
 * Deliberately NOT built on src/exits/fill-rules.ts (the levels, tolerance
 * and trigger tests the engine and compare-exits share): this file is the
 * check of that code, so it must not share it. Keep it importing nothing
 * from src/exits/; its tolerances and comparisons are written out here.
 */
import type { BarTape, TradeTape } from '../data/tape';
import type { FeeModel } from '../execution/fees';
import type { TradeRules } from '../core/rules';
import type { LedgerRow } from '../core/ledger';

const REL = 1e-9;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= REL * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Largest number of entries inside any window [t, t + w). */
export function maxEntriesInWindow(entryTimes: readonly number[], w: number): number {
  let best = 0;
  for (let a = 0, b = 0; b < entryTimes.length; b++) {
    while (entryTimes[b] - entryTimes[a] >= w) a++;
    best = Math.max(best, b - a + 1);
  }
  return best;
}

function auditCommon(rows: readonly LedgerRow[], rules: TradeRules, fees: FeeModel, problems: string[], makerEntries = false): void {
  const times = rows.map((r) => r.entryTime);
  const l = rules.limits;
  if (l) {
    const check = (cap: number | null, w: number, name: string) => {
      if (cap === null) return;
      const m = maxEntriesInWindow(times, w);
      if (m > cap) problems.push(`${m} entries within one ${name} (limit ${cap})`);
    };
    check(l.perMinute, 60_000, 'minute');
    check(l.perHour, 3_600_000, 'hour');
    check(l.perDay, 86_400_000, 'day');
  }
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (k > 0 && r.entryTime < rows[k - 1].exitTime) problems.push(`trade ${k}: overlaps the previous trade`);
    if (!close(r.entryFee, r.entryPrice * r.qty * fees.rate(r.entryLiquidity))) problems.push(`trade ${k}: entry fee ${r.entryFee} ≠ notional × ${r.entryLiquidity} rate`);
    if (!close(r.exitFee, r.exitPrice * r.qty * fees.rate(r.exitLiquidity))) problems.push(`trade ${k}: exit fee ${r.exitFee} ≠ notional × ${r.exitLiquidity} rate`);
    if ((r.exitReason === 'signal' || r.exitReason === 'time') && r.exitTime - r.entryTime < rules.minHoldMs) {
      problems.push(`trade ${k}: ${r.exitReason} exit after ${r.exitTime - r.entryTime} ms, inside the ${rules.minHoldMs} ms minimum hold`);
    }
    const expectLiq = r.exitReason === 'target' ? 'maker' : 'taker';
    if (r.exitLiquidity !== expectLiq) problems.push(`trade ${k}: ${r.exitReason} exit should be ${expectLiq}`);
    if (r.entryLiquidity !== 'taker' && !makerEntries) problems.push(`trade ${k}: entries are taker fills`);
  }
}

/**
 * Audit a tick backtest. Assumes no slippage model (prices must be prints).
 * Returns a list of problems; empty means the ledger follows the rules.
 */
export function auditTickLedger(
  tape: TradeTape,
  rows: readonly LedgerRow[],
  rules: TradeRules,
  fees: FeeModel,
  opts: { makerEntries?: boolean } = {},
): string[] {
  const problems: string[] = [];
  auditCommon(rows, rules, fees, problems, opts.makerEntries);
  const { time, price } = tape;
  const eps = 1e-12;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const s = r.side === 'long' ? 1 : -1;
    const ei = r.entryIndex;
    const xi = r.exitIndex;
    if (r.entryLiquidity === 'maker') {
      // A resting buy limit fills at its price when a print goes strictly through it (trade-through model).
      if (time[ei] !== r.entryTime || !(s > 0 ? price[ei] < r.entryPrice : price[ei] > r.entryPrice)) {
        problems.push(`trade ${k}: maker entry at ${r.entryPrice} but the print at row ${ei} (${price[ei]}) does not go through it`);
      }
    } else if (time[ei] !== r.entryTime || price[ei] !== r.entryPrice) problems.push(`trade ${k}: entry ${r.entryPrice}@${r.entryTime} is not the print at row ${ei}`);
    if (time[xi] !== r.exitTime) problems.push(`trade ${k}: exit time is not the time of row ${xi}`);
    if (r.exitReason === 'target') {
      if (r.targetPrice === null || r.exitPrice !== r.targetPrice) problems.push(`trade ${k}: target exit not at the target price`);
    } else if (price[xi] !== r.exitPrice) problems.push(`trade ${k}: ${r.exitReason} exit ${r.exitPrice} is not the print at row ${xi}`);
    // The first print after entry (from when the bracket is live) that crosses a level.
    const live = rules.bracketDuringHold === 'active' ? r.entryTime : r.entryTime + rules.minHoldMs;
    let first = -1;
    let firstReason = '';
    for (let j = ei + 1; j <= xi && first < 0; j++) {
      if (time[j] < live) continue;
      const p = price[j];
      if (r.stopPrice !== null && (s > 0 ? p <= r.stopPrice * (1 + eps) : p >= r.stopPrice * (1 - eps))) {
        first = j;
        firstReason = 'stop';
      } else if (r.targetPrice !== null && (s > 0 ? p > r.targetPrice * (1 + eps) : p < r.targetPrice * (1 - eps))) {
        first = j;
        firstReason = 'target';
      }
    }
    if (r.exitReason === 'stop' || r.exitReason === 'target') {
      if (first !== xi || firstReason !== r.exitReason) {
        problems.push(`trade ${k}: ${r.exitReason} at row ${xi}, but the first crossing is ${first < 0 ? 'none' : `${firstReason} at row ${first}`}`);
      }
    } else if (first >= 0) {
      problems.push(`trade ${k}: ${r.exitReason} exit at row ${xi} although the ${firstReason} was crossed at row ${first}`);
    }
  }
  return problems;
}

/** Audit a bar backtest (pessimistic intra-bar rule, no tick tape, no slippage). */
export function auditBarLedger(bars: BarTape, rows: readonly LedgerRow[], rules: TradeRules, fees: FeeModel): string[] {
  const problems: string[] = [];
  auditCommon(rows, rules, fees, problems);
  const { time, open, high, low } = bars;
  const eps = 1e-12;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const s = r.side === 'long' ? 1 : -1;
    const ei = r.entryIndex;
    const xi = r.exitIndex;
    if (time[ei] !== r.entryTime || open[ei] !== r.entryPrice) problems.push(`trade ${k}: entry is not bar ${ei}'s open`);
    const live = rules.bracketDuringHold === 'active' ? r.entryTime : r.entryTime + rules.minHoldMs;
    let first = -1;
    let firstReason = '';
    let firstPrice = NaN;
    for (let j = ei; j <= xi && first < 0; j++) {
      if (time[j] < live) continue;
      // a signal/time exit at bar j's open happens before that bar's range
      if (j === xi && (r.exitReason === 'signal' || r.exitReason === 'time')) break;
      const stopT = r.stopPrice === null ? NaN : r.stopPrice * (1 + s * eps);
      const tgtT = r.targetPrice === null ? NaN : r.targetPrice * (1 + s * eps);
      const stopHit = s > 0 ? low[j] <= stopT : high[j] >= stopT;
      const tgtHit = s > 0 ? high[j] > tgtT : low[j] < tgtT;
      if (stopHit) {
        first = j;
        firstReason = 'stop'; // pessimistic: the stop first when both are inside one bar
        const gapped = s > 0 ? open[j] <= stopT : open[j] >= stopT;
        firstPrice = gapped ? open[j] : r.stopPrice!;
      } else if (tgtHit) {
        first = j;
        firstReason = 'target';
        firstPrice = r.targetPrice!;
      }
    }
    if (r.exitReason === 'stop' || r.exitReason === 'target') {
      if (first !== xi || firstReason !== r.exitReason || !close(firstPrice, r.exitPrice)) {
        problems.push(`trade ${k}: ${r.exitReason} ${r.exitPrice} at bar ${xi}, expected ${first < 0 ? 'none' : `${firstReason} ${firstPrice} at bar ${first}`}`);
      }
    } else if (first >= 0) {
      problems.push(`trade ${k}: ${r.exitReason} exit at bar ${xi} although the ${firstReason} was reached at bar ${first}`);
    } else if ((r.exitReason === 'signal' || r.exitReason === 'time') && open[xi] !== r.exitPrice) {
      problems.push(`trade ${k}: ${r.exitReason} exit is not bar ${xi}'s open`);
    }
  }
  return problems;
}
