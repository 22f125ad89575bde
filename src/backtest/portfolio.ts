/**
 * Portfolio mode (ACTION_PLAN Phase 5, `PortfolioManager`): several strategies
 * trading one capital pool, each in its own sleeve with a target weight
 * (the plan's example: V3 15 %, V4 15 %, V6 20 %, V8 30 %, …), rebalanced on a
 * schedule when a sleeve's weight drifts too far from its target.
 *
 * ## Design: unit-notional runs, one replay
 *
 * A trade's entries and exits do not depend on capital: the engine decides
 * from prices, signals, frequency limits and holds only, never from the
 * account. Its P&L and fees are linear in its notional (qty = notional /
 * entryPrice; fees are rates on the traded value). So each strategy is run
 * ONCE with a unit fixed notional (`sizing: {mode:'fixed', notional: 1}`, a
 * very large engine capital so it is never "ruined"), and its unit ledger is
 * then replayed, together with the other strategies' ledgers, in one
 * time-ordered event stream against one pool of capital:
 *
 *  - each strategy owns a sleeve, initially `capital × target weight`;
 *  - at an entry, notional N = sleeve value × `fraction` (the configuration's
 *    sizing; `fixed` sizing gives a fixed N instead); a sleeve with value ≤ 0
 *    skips the trade (the engine's "ruined" rule, which a rebalance can lift);
 *  - at the exit the sleeve gains N × (unit net P&L); the portfolio ledger
 *    row is the unit row with qty, fees and P&L scaled by N.
 *
 * With one strategy at 100 % this reproduces the strategy's own
 * fraction-sized backtest (the test checks the final capital to 1e-9).
 *
 * ## Valuation (what is approximated)
 *
 * Sleeves are **marked to market at every mark** (rebalance checks, UTC day
 * ends, trade exits and the end) with the tape's last known price at that
 * instant: the last trade at or before t on a trade tape; on bars, the close
 * of the last completed bar, or the open of the bar starting exactly at t.
 * An open position is worth N·(side·(mark − entry)/entry − unit entry fee):
 * the entry fee is counted as paid, the exit fee (and any exit slippage) only
 * when the exit happens. The drift check, the rebalance and the equity curve
 * all use this one valuation. Between marks nothing is valued (drawdown is
 * measured on the marked points, not on every bar's low). On bars the engine
 * stamps a stop/target fill inside bar i with bar i's open time, so a mark at
 * that instant already includes it (at most one bar early).
 *
 * ## Rebalancing
 *
 * Checks run every `rebalanceEveryMs` (default one day), anchored at
 * 1970-01-01 00:00 UTC, so a daily check is at 00:00 UTC. At a check, with
 * w_i = V_i / ΣV, a strategy has drifted when |w_i − target_i| / target_i >
 * `driftBand` (relative, as the plan's `abs(current − target) / target >
 * 0.10`). If any has, all sleeves are moved toward their targets by
 * transfers among sleeves (no fee: one account). A sleeve with an open
 * position can receive any amount (it waits as cash until its next entry;
 * the open position keeps its size) but can only give its free cash,
 * value − unrealised − N, i.e. nothing at fraction 1: unrealised gains
 * cannot be drawn without closing the trade. When withdrawals are limited the
 * amount moved is min(Σ available, Σ needed), taken from givers and given to
 * receivers pro rata, so the total is conserved; such a rebalance is logged
 * with `limitedByOpenPositions` and its weights after may still be outside
 * the band (the next check tries again). Every triggered check is logged
 * with its time, the strategy that drifted most, its signed drift, every
 * strategy over the band, and the weights before and after.
 *
 * Event order at one instant: exits, then marks (check / day end), then
 * entries — so an exit at 00:00 is in that day's mark and an entry at 00:00
 * is sized from the rebalanced sleeve. A strategy's own events stay in ledger
 * order (entry before its exit even when both share a timestamp).
 *
 * ## Statistics
 *
 * - Daily returns: periods end at each UTC midnight and at the end (the first
 *   and last may be partial). A sleeve's daily return is time-weighted
 *   (chained across rebalances), so transfers are not returns.
 * - Sharpe: mean / sd of daily portfolio returns × √365 (24/7), null with
 *   fewer than 2 days or zero variance. Max drawdown: on the marked equity.
 * - Correlations: Pearson of the sleeves' daily returns (null when a sleeve
 *   never moves).
 * - Diversification ratio: Σ w̄_i · sd(sleeve_i) / sd(portfolio), with w̄_i
 *   the sleeve's mean start-of-day weight (the weights the daily portfolio
 *   return is actually made of; ≈ the targets when rebalancing keeps them
 *   close); > 1 when the strategies' risks partly cancel.
 * - "Alone": each strategy replayed the same way with the whole capital.
 */
import type { MarkPrice } from '../data/tape';
import { annualisedSharpe, DAY_MS, DAYS_PER_YEAR, maxDrawdown } from '../analytics/equity';
import { meanOrNaN, sampleSd } from '../analytics/stats';
import type { Sizing } from '../core/rules';
import type { LedgerRow } from '../core/ledger';

/** The plan's rebalance rule: "Rebalance if difference > 10%". */
export const DEFAULT_DRIFT_BAND = 0.1;
/** The plan's "Rebalance daily". */
export const DEFAULT_REBALANCE_EVERY_MS = DAY_MS;

/** One strategy in a replay: its target weight and its ledger at unit notional. */
export interface PortfolioLeg {
  id: string;
  /** Target weight in (0, 1]; the legs' weights sum to 1. */
  weight: number;
  /** Round trips at notional 1 (entryPrice · qty = 1), in ledger (time) order. */
  unitLedger: readonly LedgerRow[];
}

export interface ReplayOptions {
  /** Initial capital of the pool (> 0). */
  capital: number;
  /** Start of the window (the capital is there at this time). */
  fromMs: number;
  /** End of the window (extended to the last exit if that is later). */
  toMs: number;
  /** Per-trade notional inside a sleeve. Default fraction 1 (the whole sleeve). */
  sizing?: Sizing;
  /** Relative drift that triggers a rebalance. Default 0.10. */
  driftBand?: number;
  /** Check interval in ms (anchored at the epoch, i.e. 00:00 UTC for a day); Infinity = never. Default one day. */
  rebalanceEveryMs?: number;
  /** Mark-to-market price; without it open positions are valued at cost (unrealised = 0). */
  markPrice?: MarkPrice;
}

/** A portfolio-sized round trip: the unit row scaled by `notional`; `capitalAfter` is the sleeve's cash after it. */
export type PortfolioTrade = LedgerRow & { notional: number };

export interface RebalanceRecord {
  time: number;
  iso: string;
  /** Human-readable reason, e.g. `V8 weight 36.2% vs target 30.0% (drift +20.7% > 10.0%)`. */
  trigger: string;
  /** The strategy with the largest |drift|. */
  strategy: string;
  /** Its signed relative drift (w − target) / target. */
  drift: number;
  /** Every strategy outside the band, with its signed drift. */
  drifted: { id: string; drift: number }[];
  weightsBefore: Record<string, number>;
  weightsAfter: Record<string, number>;
  /** Amount moved into each sleeve (negative: out of it). Sums to 0. */
  transfers: Record<string, number>;
  /** Total amount moved (Σ of the positive transfers). */
  moved: number;
  /** True when open positions kept some sleeve from giving what its target asked. */
  limitedByOpenPositions: boolean;
  /** Portfolio value at the check (unchanged by the rebalance). */
  equity: number;
}

/** Every rebalance check, triggered or not. */
export interface RebalanceCheck {
  time: number;
  weights: Record<string, number>;
  /** Largest |w − target| / target (NaN when the pool is worth ≤ 0 and no check was possible). */
  maxDrift: number;
  rebalanced: boolean;
}

export type EquityEvent = 'start' | 'exit' | 'mark' | 'rebalance' | 'end';

/** The marked equity curve: one point per exit time, mark and rebalance (a rebalance adds a point after the transfers). */
export interface PortfolioEquity {
  time: number[];
  event: EquityEvent[];
  equity: number[];
  sleeves: Record<string, number[]>;
}

export interface SleeveSummary {
  id: string;
  targetWeight: number;
  initialValue: number;
  finalValue: number;
  finalWeight: number;
  /** Realised net P&L of the sleeve's trades (its contribution). */
  pnl: number;
  /** pnl / initial capital of the pool: the contributions sum to the portfolio's total return. */
  contribution: number;
  fees: number;
  trades: number;
  /** Entries skipped because the sleeve was worth ≤ 0. */
  skippedEntries: number;
  /** Net amount received from rebalances (Σ over sleeves = 0). */
  transfersIn: number;
  /** Sample sd of the sleeve's daily (time-weighted) returns; null with fewer than 2 days. */
  dailyVol: number | null;
  /** Mean of the sleeve's weight at the start of each day (after that instant's rebalance). */
  meanWeight: number;
}

export interface ReplayResult {
  capital: number;
  fromMs: number;
  toMs: number;
  finalEquity: number;
  totalReturn: number;
  /** Daily, 24/7 annualised (√365). */
  sharpe: number | null;
  maxDrawdown: number;
  maxDrawdownAbs: number;
  equity: PortfolioEquity;
  /**
   * Daily periods: end times, the portfolio's returns, each sleeve's (time-weighted) returns, and each
   * sleeve's weight at the period's start (after any rebalance at that instant).
   */
  daily: { time: number[]; returns: number[]; sleeves: Record<string, number[]>; startWeights: Record<string, number[]> };
  trades: PortfolioTrade[];
  rebalances: RebalanceRecord[];
  checks: RebalanceCheck[];
  sleeves: Record<string, SleeveSummary>;
}

function nextMultiple(t: number, step: number): number {
  return Math.floor(t / step) * step + step;
}

function fmtPct(x: number, signed = false): string {
  const s = `${(x * 100).toFixed(1)}%`;
  return signed && x >= 0 ? `+${s}` : s;
}

/**
 * Replay unit-notional ledgers against one capital pool (the core of
 * portfolio mode; see the module notes). Pure: no tape access beyond
 * `markPrice`.
 *
 * @throws RangeError on invalid weights, options, or a ledger that is not at
 *   unit notional or not in time order.
 */
export function replayPortfolio(legs: readonly PortfolioLeg[], opts: ReplayOptions): ReplayResult {
  const S = legs.length;
  if (S === 0) throw new RangeError('replayPortfolio: no strategies');
  const capital = opts.capital;
  if (!(Number.isFinite(capital) && capital > 0)) throw new RangeError(`replayPortfolio: capital must be > 0, got ${capital}`);
  const band = opts.driftBand ?? DEFAULT_DRIFT_BAND;
  if (!(Number.isFinite(band) && band >= 0)) throw new RangeError(`replayPortfolio: driftBand must be ≥ 0, got ${band}`);
  const every = opts.rebalanceEveryMs ?? DEFAULT_REBALANCE_EVERY_MS;
  if (!(every > 0)) throw new RangeError(`replayPortfolio: rebalanceEveryMs must be > 0 (Infinity = never), got ${every}`);
  const sizing: Sizing = opts.sizing ?? { mode: 'fraction', fraction: 1 };
  const ids = legs.map((l) => l.id);
  if (new Set(ids).size !== S) throw new RangeError(`replayPortfolio: duplicate strategy ids in ${ids.join(',')}`);
  let wsum = 0;
  for (const l of legs) {
    if (!(Number.isFinite(l.weight) && l.weight > 0)) throw new RangeError(`replayPortfolio: weight of ${l.id} must be > 0, got ${l.weight}`);
    wsum += l.weight;
  }
  if (Math.abs(wsum - 1) > 1e-9) throw new RangeError(`replayPortfolio: weights sum to ${wsum}, not 1`);
  let end = opts.toMs;
  for (const l of legs) {
    const rows = l.unitLedger;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      const notional = r.entryPrice * r.qty;
      if (!(Math.abs(notional - 1) <= 1e-9)) {
        throw new RangeError(`replayPortfolio: ${l.id} trade ${k} has notional ${notional}, expected a unit-notional ledger (sizing fixed 1)`);
      }
      if (r.exitTime < r.entryTime || (k > 0 && r.entryTime < rows[k - 1].exitTime)) {
        throw new RangeError(`replayPortfolio: ${l.id} trade ${k} is out of time order`);
      }
    }
    if (rows.length) end = Math.max(end, rows[rows.length - 1].exitTime);
  }
  const from = opts.fromMs;
  if (!(end >= from)) throw new RangeError(`replayPortfolio: toMs (${opts.toMs}) is before fromMs (${from})`);
  const mark = opts.markPrice;
  const target = legs.map((l) => l.weight);

  // Sleeve state.
  const cash = target.map((w) => capital * w);
  const initial = cash.slice();
  const openK = new Array<number>(S).fill(-1); // index of the open trade, −1 when flat
  const notional = new Array<number>(S).fill(0);
  const next = new Array<number>(S).fill(0); // next trade to enter
  const pnl = new Array<number>(S).fill(0);
  const fees = new Array<number>(S).fill(0);
  const nTrades = new Array<number>(S).fill(0);
  const skipped = new Array<number>(S).fill(0);
  const transfersIn = new Array<number>(S).fill(0);

  const trades: PortfolioTrade[] = [];
  const rebalances: RebalanceRecord[] = [];
  const checks: RebalanceCheck[] = [];
  const eq: PortfolioEquity = { time: [], event: [], equity: [], sleeves: Object.fromEntries(ids.map((id) => [id, [] as number[]])) };
  const daily = {
    time: [] as number[],
    returns: [] as number[],
    sleeves: Object.fromEntries(ids.map((id) => [id, [] as number[]])),
    startWeights: Object.fromEntries(ids.map((id) => [id, [] as number[]])),
  };
  const dayStart = (v: readonly number[]) => {
    const total = sum(v);
    ids.forEach((id, s) => daily.startWeights[id].push(total !== 0 ? v[s] / total : NaN));
  };

  const values = (t: number): number[] => {
    const out = new Array<number>(S);
    let m: number | null | undefined;
    for (let s = 0; s < S; s++) {
      let v = cash[s];
      const k = openK[s];
      if (k >= 0 && notional[s] > 0 && mark) {
        if (m === undefined) m = mark(t);
        if (m !== null) {
          const r = legs[s].unitLedger[k];
          const side = r.side === 'long' ? 1 : -1;
          v += notional[s] * (side * (m - r.entryPrice) * r.qty - r.entryFee);
        }
      }
      out[s] = v;
    }
    return out;
  };
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const weightsOf = (v: readonly number[], total: number) => Object.fromEntries(ids.map((id, s) => [id, total !== 0 ? v[s] / total : NaN]));
  const point = (t: number, ev: EquityEvent, v: readonly number[]) => {
    const last = eq.time.length - 1;
    const total = sum(v);
    if (ev === 'exit' && last >= 0 && eq.time[last] === t && eq.event[last] === 'exit') {
      // Several exits at one instant: one point.
      eq.equity[last] = total;
      ids.forEach((id, s) => (eq.sleeves[id][last] = v[s]));
      return;
    }
    eq.time.push(t);
    eq.event.push(ev);
    eq.equity.push(total);
    ids.forEach((id, s) => eq.sleeves[id].push(v[s]));
  };

  // Time-weighted sleeve returns: growth since the day began, chained across rebalances.
  const growth = new Array<number>(S).fill(1);
  const base = initial.slice();
  let dayStartEquity = capital;
  let portfolioRuined = false;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 1);

  const rebalanceCheck = (t: number, v: number[]): void => {
    const total = sum(v);
    const wBefore = weightsOf(v, total);
    if (!(total > 0)) {
      checks.push({ time: t, weights: wBefore, maxDrift: NaN, rebalanced: false });
      return;
    }
    const drifts = v.map((x, s) => (x / total - target[s]) / target[s]);
    let worst = 0;
    for (let s = 1; s < S; s++) if (Math.abs(drifts[s]) > Math.abs(drifts[worst])) worst = s;
    const maxDrift = Math.abs(drifts[worst]);
    const over = drifts.map((d, s) => ({ id: ids[s], drift: d })).filter((d) => Math.abs(d.drift) > band);
    checks.push({ time: t, weights: wBefore, maxDrift, rebalanced: over.length > 0 });
    if (over.length === 0) return;
    const delta = v.map((x, s) => target[s] * total - x);
    const give = new Array<number>(S).fill(0);
    const need = new Array<number>(S).fill(0);
    let wanted = 0;
    for (let s = 0; s < S; s++) {
      if (delta[s] > 0) need[s] = delta[s];
      else if (delta[s] < 0) {
        const free = openK[s] >= 0 ? Math.max(0, cash[s] - notional[s]) : Math.max(0, cash[s]);
        give[s] = Math.min(-delta[s], free);
        wanted += -delta[s];
      }
    }
    const sumGive = sum(give);
    const sumNeed = sum(need);
    const moved = Math.min(sumGive, sumNeed);
    const transfers: Record<string, number> = {};
    for (let s = 0; s < S; s++) {
      const x = moved > 0 ? (need[s] > 0 ? (need[s] * moved) / sumNeed : -(give[s] * moved) / sumGive) : 0;
      cash[s] += x;
      transfersIn[s] += x;
      transfers[ids[s]] = x;
    }
    const after = values(t);
    // Chain the time-weighted returns across the transfer.
    for (let s = 0; s < S; s++) {
      growth[s] *= ratio(v[s], base[s]);
      base[s] = after[s];
    }
    const d = drifts[worst];
    rebalances.push({
      time: t,
      iso: new Date(t).toISOString(),
      trigger:
        `${ids[worst]} weight ${fmtPct(v[worst] / total)} vs target ${fmtPct(target[worst])} (drift ${fmtPct(d, true)} > ${fmtPct(band)})` +
        (over.length > 1 ? `; also ${over.filter((o) => o.id !== ids[worst]).map((o) => `${o.id} ${fmtPct(o.drift, true)}`).join(', ')}` : ''),
      strategy: ids[worst],
      drift: d,
      drifted: over,
      weightsBefore: wBefore,
      weightsAfter: weightsOf(after, sum(after)),
      transfers,
      moved,
      limitedByOpenPositions: sumGive < wanted * (1 - 1e-12) - 1e-12,
      equity: total,
    });
    point(t, 'rebalance', after);
  };

  const dayEnd = (t: number, v: number[]): void => {
    const total = sum(v);
    daily.time.push(t);
    if (!(dayStartEquity > 0)) portfolioRuined = true;
    daily.returns.push(dayStartEquity > 0 ? total / dayStartEquity - 1 : 0);
    dayStartEquity = total;
    for (let s = 0; s < S; s++) {
      growth[s] *= ratio(v[s], base[s]);
      daily.sleeves[ids[s]].push(growth[s] - 1);
      growth[s] = 1;
      base[s] = v[s];
    }
  };

  point(from, 'start', cash);
  dayStart(cash);
  let nextDay = nextMultiple(from, DAY_MS);
  let nextCheck = Number.isFinite(every) ? nextMultiple(from, every) : Infinity;
  let endDone = false;
  // Priorities at one instant: exit 0, mark 1, entry 2, end 3.
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    let bestP = 9;
    for (let s = 0; s < S; s++) {
      const rows = legs[s].unitLedger;
      let t: number;
      let p: number;
      if (openK[s] >= 0) {
        t = rows[openK[s]].exitTime;
        p = 0;
      } else if (next[s] < rows.length) {
        t = rows[next[s]].entryTime;
        p = 2;
      } else continue;
      if (t < bestT || (t === bestT && p < bestP)) {
        best = s;
        bestT = t;
        bestP = p;
      }
    }
    let markT = Math.min(nextDay, nextCheck);
    let markP = 1;
    if (markT >= end) {
      markT = endDone ? Infinity : end;
      markP = 3;
    }
    if (best < 0 && markT === Infinity) break;
    if (best >= 0 && (bestT < markT || (bestT === markT && bestP < markP))) {
      const s = best;
      const rows = legs[s].unitLedger;
      if (bestP === 2) {
        const k = next[s]++;
        openK[s] = k;
        const n = cash[s] > 0 ? (sizing.mode === 'fixed' ? sizing.notional : cash[s] * sizing.fraction) : 0;
        notional[s] = n;
        if (!(n > 0)) skipped[s]++;
      } else {
        const k = openK[s];
        const r = rows[k];
        const n = notional[s];
        openK[s] = -1;
        if (n > 0) {
          const net = n * r.netPnl;
          cash[s] += net;
          pnl[s] += net;
          fees[s] += n * (r.entryFee + r.exitFee);
          nTrades[s]++;
          trades.push({
            ...r,
            qty: r.qty * n,
            entryFee: r.entryFee * n,
            exitFee: r.exitFee * n,
            grossPnl: r.grossPnl * n,
            netPnl: net,
            capitalAfter: cash[s],
            notional: n,
          });
          point(r.exitTime, 'exit', values(r.exitTime));
        }
        notional[s] = 0;
      }
      continue;
    }
    // A mark.
    const t = markT;
    const v = values(t);
    if (markP === 3) {
      point(t, 'end', v);
      dayEnd(t, v);
      endDone = true;
      continue;
    }
    const isDay = t === nextDay;
    const isCheck = t === nextCheck;
    point(t, 'mark', v);
    if (isDay) {
      dayEnd(t, v);
      nextDay += DAY_MS;
    }
    if (isCheck) {
      rebalanceCheck(t, v);
      nextCheck += every;
    }
    if (isDay) dayStart(isCheck ? values(t) : v);
  }

  const finalV = values(end);
  const finalTotal = sum(finalV);
  const dd = maxDrawdown(eq.equity);
  const sleeves: Record<string, SleeveSummary> = {};
  ids.forEach((id, s) => {
    sleeves[id] = {
      id,
      targetWeight: target[s],
      initialValue: initial[s],
      finalValue: finalV[s],
      finalWeight: finalTotal !== 0 ? finalV[s] / finalTotal : NaN,
      pnl: pnl[s],
      contribution: pnl[s] / capital,
      fees: fees[s],
      trades: nTrades[s],
      skippedEntries: skipped[s],
      transfersIn: transfersIn[s],
      dailyVol: sampleSd(daily.sleeves[id]),
      meanWeight: meanOrNaN(daily.startWeights[id].slice(0, daily.returns.length)),
    };
  });
  return {
    capital,
    fromMs: from,
    toMs: end,
    finalEquity: finalTotal,
    totalReturn: finalTotal / capital - 1,
    sharpe: portfolioRuined ? null : annualisedSharpe(daily.returns, DAYS_PER_YEAR),
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownAbs: dd.maxDrawdownAbs,
    equity: eq,
    daily,
    trades,
    rebalances,
    checks,
    sleeves,
  };
}
