/**
 * Maker study: does the plan's Phase 4 (post-only limit 0.02% away, 30 s,
 * then market) really cut fees from 0.04% to 0.02% with 80%+ maker fills —
 * and is the saved fee eaten by missed trades and adverse fills?
 *
 * A study = one set of orders under one fill model and one (offset,
 * timeout). Each order is simulated on its own against the recorded market
 * (no market impact, orders do not see each other), by
 * `simulateMakerOrder` (execution/maker.ts — conventions there).
 *
 * Measures, per study:
 *  - fillRate   = maker fills / orders (orders include post-only rejects);
 *  - makerShare = maker fills / all fills (maker + taker fallbacks);
 *  - effectiveFeeRate = total fees / total filled notional;
 *  - time to fill (maker fills): median and p90, ms from arrival;
 *  - markouts after each maker fill at 1 s, 10 s, 60 s, in bps of the fill
 *    price, SIGNED SO THAT POSITIVE = THE PRICE MOVED IN YOUR FAVOUR:
 *    buy: (mid(t+h) − fill)/fill, sell: (fill − mid(t+h))/fill; mid = the
 *    best bid/ask mid at t+h (the last print when there are no quotes).
 *    Negative markouts are adverse selection. Fills whose t+h lies beyond
 *    the data are left out (counts in `markoutN`).
 *  - allInCostVsTaker: mean cost per order against ALWAYS TAKING, in bps of
 *    the order's notional; positive = the maker route cost more. The
 *    benchmark is an immediate taker fill at the next print after the
 *    decision (price P_T, the engine's convention) paying the taker fee.
 *    With q = notional / current price and the benchmark notional N = P_T·q:
 *      filled (maker or taker fallback) at price P with fee F:
 *          cost = side·(P − P_T)·q + F − takerRate·N
 *      not filled (cancelled or post-only rejected) — the missed trade is
 *      charged its opportunity cost at the end of the order's life
 *      (implementation-shortfall style): the move the taker benchmark had
 *      captured by the first print P_D at or after the deadline, net of the
 *      taker fee it paid:
 *          cost = side·(P_D − P_T)·q − takerRate·N
 *    The breakdown splits the mean into fee (fee paid − taker fee of the
 *    benchmark), maker price improvement (fills at the limit vs P_T),
 *    fallback slippage (taker fallbacks vs P_T) and missed-trade moves.
 *    What happens after the deadline (the strategy's own edge on a trade it
 *    missed) is not counted: that depends on the strategy, not on execution.
 *
 * Orders come from a fixed schedule (alternating buy/sell) or from the entry
 * decisions of strategies run through `runBacktest`. Orders whose life (or
 * the study's `horizonMs`) runs past the end of the tape, and — when an L2
 * book is present — orders placed outside the book's span, are excluded
 * before any model runs, so every model and every sweep cell sees the SAME
 * orders.
 */
import { lastAtOrBefore, type MarketTape, type TradeTape } from '../data/tape';
import type { FeeModel } from '../execution/fees';
import { NotionalRateFeeModel, PLAN_FEES } from '../execution/fees';
import {
  PLAN_MAKER_PARAMS,
  midAt,
  simulateMakerOrder,
  validateMakerParams,
  type MakerFallback,
  type MakerFillModel,
  type MakerOrderOutcome,
  type MakerParams,
  type MarketView,
} from '../execution/maker';
import { runBacktest } from '../run/run';
import type { PresetFile } from '../config/run-config';
import { meanConfidenceInterval, wilsonInterval } from '../analytics/stats';
import { writeOutputsAtomic } from '../util/atomic-write';
import { toCsv } from '../util/csv';
import { jsonSafe } from '../util/json';

/** One order to simulate: decided on trade row `decisionRow`. */
export interface OrderRequest {
  decisionRow: number;
  side: 1 | -1;
  /** Where it came from: `schedule` or a strategy id. */
  source: string;
}

export const DEFAULT_MARKOUTS_MS: readonly number[] = [1_000, 10_000, 60_000];
/** The plan's notional is irrelevant to rates; 100 (quote currency) keeps fee columns readable. */
export const DEFAULT_NOTIONAL = 100;

// ───────────────────────────── orders ─────────────────────────────

/**
 * Orders every `everyMs`, alternating buy, sell, buy, … The k-th order is
 * decided on the last print at or before `startMs + k·everyMs` (start =
 * the first print, or the book's ready time when later). Times after
 * `endMs` (default: the last print) are not used.
 */
export function scheduleOrders(
  trades: TradeTape,
  everyMs: number,
  opts: { startMs?: number; endMs?: number; firstSide?: 1 | -1 } = {},
): OrderRequest[] {
  if (!(Number.isFinite(everyMs) && everyMs > 0)) throw new RangeError(`schedule interval must be > 0 ms, got ${everyMs}`);
  const n = trades.length;
  if (n === 0) return [];
  const start = Math.max(opts.startMs ?? trades.time[0], trades.time[0]);
  const end = Math.min(opts.endMs ?? trades.time[n - 1], trades.time[n - 1]);
  const out: OrderRequest[] = [];
  let side: 1 | -1 = opts.firstSide ?? 1;
  for (let t = start; t <= end; t += everyMs) {
    const row = lastAtOrBefore(trades.time, t);
    if (row < 0) continue;
    out.push({ decisionRow: row, side, source: 'schedule' });
    side = side === 1 ? -1 : 1;
  }
  return out;
}

/**
 * The entry decisions of strategies: `runBacktest(tape, {strategies, preset})`
 * and, for each ledger entry, its decision row (the row before the taker
 * fill, the engine's convention) and side (long = buy).
 */
export function strategyOrders(
  tape: TradeTape,
  strategies: string[],
  opts: { preset?: string; config?: PresetFile | string } = {},
): { orders: OrderRequest[]; perStrategy: Record<string, number> } {
  const res = runBacktest(tape as MarketTape, { strategies, preset: opts.preset ?? 'phase2', config: opts.config });
  const orders: OrderRequest[] = [];
  const perStrategy: Record<string, number> = {};
  for (const [id, r] of Object.entries(res.strategies)) {
    perStrategy[id] = r.ledger.length;
    for (const row of r.ledger) {
      orders.push({ decisionRow: Math.max(0, row.entryIndex - 1), side: row.side === 'long' ? 1 : -1, source: id });
    }
  }
  orders.sort((a, b) => a.decisionRow - b.decisionRow || a.source.localeCompare(b.source));
  return { orders, perStrategy };
}

export interface Exclusions {
  /** The order's life (or the study horizon) runs past the last print, or no print follows the decision. */
  censored: number;
  /** Placed before the L2 book is known (only when a book is present). */
  beforeBook: number;
  /** Placed after the book's last depth message (a --book shorter than the trades). */
  afterBook: number;
}

/** Keep the orders every model and sweep cell can simulate in full; count the rest. */
export function eligibleOrders(
  market: MarketView,
  orders: readonly OrderRequest[],
  horizonMs: number,
  latencyMs = 0,
): { orders: OrderRequest[]; excluded: Exclusions } {
  const { time, length: n } = market.trades;
  const last = n ? time[n - 1] : -Infinity;
  const excluded: Exclusions = { censored: 0, beforeBook: 0, afterBook: 0 };
  const kept: OrderRequest[] = [];
  for (const o of orders) {
    if (!(o.decisionRow >= 0 && o.decisionRow + 1 < n)) {
      excluded.censored++;
      continue;
    }
    const placed = time[o.decisionRow] + latencyMs;
    if (market.book && !(placed >= market.book.readyTime)) {
      excluded.beforeBook++;
      continue;
    }
    if (market.book && placed > market.book.endTime) {
      excluded.afterBook++;
      continue;
    }
    if (!(placed + horizonMs <= last)) {
      excluded.censored++;
      continue;
    }
    kept.push(o);
  }
  return { orders: kept, excluded };
}

// ───────────────────────────── one study ─────────────────────────────

export interface MakerStudyOptions {
  params: MakerParams;
  model: MakerFillModel;
  /** Default: the plan's 0.02% maker / 0.04% taker. */
  fees?: FeeModel;
  /** Quote notional per order (fees in orders.csv are in this currency). */
  notional?: number;
  /** Orders must have this much tape after arrival (≥ timeout); the sweep uses its longest timeout. */
  horizonMs?: number;
  markoutsMs?: readonly number[];
}

export interface CostParts {
  /** Fee paid − the benchmark's taker fee. */
  feeBps: number;
  /** Maker fills: side·(limit − P_T). */
  makerPriceBps: number;
  /** Taker fallbacks: side·(fallback print − P_T). */
  fallbackPriceBps: number;
  /** Unfilled orders: side·(first print at/after the deadline − P_T). */
  missedBps: number;
}

export interface MakerOrderRecord extends MakerOrderOutcome {
  source: string;
  /** Base quantity (notional / current price). */
  qty: number;
  /** Fee paid (quote currency); 0 when nothing traded. */
  fee: number;
  /** Maker fills: fill time − arrival (ms). */
  timeToFillMs: number | null;
  /** The always-take benchmark: the next print after the decision. */
  benchRow: number;
  benchPrice: number;
  /** Cost vs the benchmark (quote currency, and bps of the benchmark notional); positive = dearer. */
  costQuote: number;
  costBps: number;
  costParts: CostParts;
  /** Markouts after a maker fill (bps, + = in your favour), one per `markoutsMs`; null otherwise. */
  markoutBps: (number | null)[];
}

export interface MakerStudySummary {
  model: string;
  assumption: string;
  params: MakerParams;
  fees: { maker: number; taker: number; model: string };
  notional: number;
  orders: number;
  makerFills: number;
  takerFallbacks: number;
  cancelled: number;
  rejected: number;
  /** maker fills / orders. */
  fillRate: number | null;
  fillRateCI: [number, number] | null;
  /** maker fills / (maker fills + taker fallbacks). */
  makerShare: number | null;
  makerShareCI: [number, number] | null;
  /** total fees / total filled notional. */
  effectiveFeeRate: number | null;
  medianTimeToFillMs: number | null;
  p90TimeToFillMs: number | null;
  /** Mean markout per horizon (keys "1s", "10s", "60s"), bps, + = favourable. */
  markoutBps: Record<string, number | null>;
  markoutMedianBps: Record<string, number | null>;
  markoutN: Record<string, number>;
  /** Mean cost per order vs always taking, bps of notional; positive = the maker route is dearer. */
  allInCostVsTaker: number | null;
  allInCostCI: [number, number] | null;
  allInCostBreakdownBps: CostParts | null;
  /** Sum over orders, quote currency. */
  allInCostQuote: number;
  /** The plan's Phase 4 claims against this study. */
  planClaims: PlanClaims;
}

export type Verdict = 'holds' | 'fails' | 'not measurable';

export interface PlanClaims {
  makerShare: { claimed: number; measured: number | null; ci: [number, number] | null; verdict: Verdict };
  feeRate: { claimed: number; measured: number | null; verdict: Verdict; note: string };
}

export interface MakerStudyResult {
  records: MakerOrderRecord[];
  summary: MakerStudySummary;
  excluded: Exclusions;
  /** The markout horizons of `records[i].markoutBps`. */
  markoutsMs: readonly number[];
}

/** Markout key for a horizon: 1000 → "1s", 500 → "500ms". */
export function markoutKey(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Linear-interpolated quantile (type 7) of a sorted array; null when empty. */
function quantileSorted(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const h = (xs.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return xs[lo] + (xs[hi] - xs[lo]) * (h - lo);
}

function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Records for orders already known to be eligible (no exclusion here). */
function simulateRecords(market: MarketView, orders: readonly OrderRequest[], opts: Required<Omit<MakerStudyOptions, 'horizonMs'>>): MakerOrderRecord[] {
  const { price } = market.trades;
  const makerRate = opts.fees.rate('maker');
  const takerRate = opts.fees.rate('taker');
  const out: MakerOrderRecord[] = [];
  for (const o of orders) {
    const r = simulateMakerOrder(market, o.decisionRow, o.side, opts.params, opts.model);
    const benchRow = o.decisionRow + 1;
    const pT = price[benchRow];
    const qty = opts.notional / r.refPrice;
    const bench = pT * qty;
    const s = o.side;
    let fee = 0;
    let costQuote: number;
    const parts: CostParts = { feeBps: 0, makerPriceBps: 0, fallbackPriceBps: 0, missedBps: 0 };
    if (r.fillRow >= 0) {
      fee = r.fillPrice * qty * (r.liquidity === 'maker' ? makerRate : takerRate);
      const move = s * (r.fillPrice - pT) * qty;
      costQuote = move + fee - takerRate * bench;
      if (r.liquidity === 'maker') parts.makerPriceBps = (move / bench) * 1e4;
      else parts.fallbackPriceBps = (move / bench) * 1e4;
      parts.feeBps = ((fee - takerRate * bench) / bench) * 1e4;
    } else {
      const pD = r.deadlineRow >= 0 ? price[r.deadlineRow] : NaN;
      const move = s * (pD - pT) * qty;
      costQuote = move - takerRate * bench;
      parts.missedBps = (move / bench) * 1e4;
      parts.feeBps = -takerRate * 1e4;
    }
    const markoutBps: (number | null)[] = opts.markoutsMs.map((h) => {
      if (r.status !== 'filled') return null;
      const m = midAt(market, r.fillTime + h);
      return Number.isFinite(m) ? ((s * (m - r.fillPrice)) / r.fillPrice) * 1e4 : null;
    });
    out.push({
      ...r,
      source: o.source,
      qty,
      fee,
      timeToFillMs: r.status === 'filled' ? r.fillTime - r.placedTime : null,
      benchRow,
      benchPrice: pT,
      costQuote,
      costBps: (costQuote / bench) * 1e4,
      costParts: parts,
      markoutBps,
    });
  }
  return out;
}

/** Below this many fills the plan's claims are not judged. */
export const MIN_FILLS_FOR_VERDICT = 30;

function planClaims(makerFills: number, fills: number, effectiveFee: number | null, fees: { maker: number; taker: number }): PlanClaims {
  const ci = wilsonInterval(makerFills, fills);
  const share = fills ? makerFills / fills : null;
  const claimedShare = 0.8;
  const enough = fills >= MIN_FILLS_FOR_VERDICT;
  const shareVerdict: Verdict = !enough || ci === null ? 'not measurable' : ci[0] >= claimedShare ? 'holds' : ci[1] < claimedShare ? 'fails' : 'not measurable';
  const claimedFee = PLAN_FEES.maker;
  // With fixed rates the expected effective rate is maker·share + taker·(1 − share) (up to price differences), so
  // "0.02% average" needs every fill to be maker: it fails once the maker share's interval excludes 100%.
  let feeVerdict: Verdict = 'not measurable';
  if (enough && effectiveFee !== null && ci !== null) {
    if (effectiveFee <= claimedFee * (1 + 1e-9)) feeVerdict = 'holds';
    else if (fees.maker * ci[1] + fees.taker * (1 - ci[1]) > claimedFee * (1 + 1e-9)) feeVerdict = 'fails';
  }
  return {
    makerShare: { claimed: claimedShare, measured: share, ci, verdict: shareVerdict },
    feeRate: {
      claimed: claimedFee,
      measured: effectiveFee,
      verdict: feeVerdict,
      note:
        `effective rate ≈ ${(fees.maker * 100).toFixed(3)}%·makerShare + ${(fees.taker * 100).toFixed(3)}%·(1 − makerShare) ` +
        `(the taker fallback is charged), so the claimed ${(claimedFee * 100).toFixed(3)}% needs a maker share of 100%` +
        (enough ? '' : `; not judged below ${MIN_FILLS_FOR_VERDICT} fills`),
    },
  };
}

/** Summary statistics over a study's records. */
export function summarize(records: readonly MakerOrderRecord[], opts: Required<Omit<MakerStudyOptions, 'horizonMs'>>): MakerStudySummary {
  let makerFills = 0;
  let takerFallbacks = 0;
  let cancelled = 0;
  let rejected = 0;
  let feeTotal = 0;
  let filledNotional = 0;
  let costQuote = 0;
  const ttf: number[] = [];
  const costs: number[] = [];
  const parts: CostParts = { feeBps: 0, makerPriceBps: 0, fallbackPriceBps: 0, missedBps: 0 };
  const marks: number[][] = opts.markoutsMs.map(() => []);
  for (const r of records) {
    if (r.status === 'filled') makerFills++;
    else if (r.status === 'taker-fallback') takerFallbacks++;
    else if (r.status === 'cancelled') cancelled++;
    else rejected++;
    if (r.fillRow >= 0) {
      feeTotal += r.fee;
      filledNotional += r.fillPrice * r.qty;
    }
    if (r.timeToFillMs !== null) ttf.push(r.timeToFillMs);
    if (Number.isFinite(r.costBps)) {
      costs.push(r.costBps);
      costQuote += r.costQuote;
      parts.feeBps += r.costParts.feeBps;
      parts.makerPriceBps += r.costParts.makerPriceBps;
      parts.fallbackPriceBps += r.costParts.fallbackPriceBps;
      parts.missedBps += r.costParts.missedBps;
    }
    r.markoutBps.forEach((m, i) => {
      if (m !== null) marks[i].push(m);
    });
  }
  const n = records.length;
  const fills = makerFills + takerFallbacks;
  ttf.sort((a, b) => a - b);
  const markoutBps: Record<string, number | null> = {};
  const markoutMedianBps: Record<string, number | null> = {};
  const markoutN: Record<string, number> = {};
  opts.markoutsMs.forEach((h, i) => {
    const k = markoutKey(h);
    const xs = marks[i].slice().sort((a, b) => a - b);
    markoutBps[k] = mean(xs);
    markoutMedianBps[k] = quantileSorted(xs, 0.5);
    markoutN[k] = xs.length;
  });
  const nc = costs.length;
  const effectiveFeeRate = filledNotional > 0 ? feeTotal / filledNotional : null;
  const rates = { maker: opts.fees.rate('maker'), taker: opts.fees.rate('taker') };
  return {
    model: opts.model.label,
    assumption: opts.model.assumption,
    params: { ...opts.params },
    fees: { ...rates, model: opts.fees.name },
    notional: opts.notional,
    orders: n,
    makerFills,
    takerFallbacks,
    cancelled,
    rejected,
    fillRate: n ? makerFills / n : null,
    fillRateCI: wilsonInterval(makerFills, n),
    makerShare: fills ? makerFills / fills : null,
    makerShareCI: wilsonInterval(makerFills, fills),
    effectiveFeeRate,
    medianTimeToFillMs: quantileSorted(ttf, 0.5),
    p90TimeToFillMs: quantileSorted(ttf, 0.9),
    markoutBps,
    markoutMedianBps,
    markoutN,
    allInCostVsTaker: mean(costs),
    allInCostCI: meanConfidenceInterval(costs),
    allInCostBreakdownBps: nc
      ? {
          feeBps: parts.feeBps / nc,
          makerPriceBps: parts.makerPriceBps / nc,
          fallbackPriceBps: parts.fallbackPriceBps / nc,
          missedBps: parts.missedBps / nc,
        }
      : null,
    allInCostQuote: costQuote,
    planClaims: planClaims(makerFills, fills, effectiveFeeRate, rates),
  };
}

function resolveOptions(opts: MakerStudyOptions): Required<Omit<MakerStudyOptions, 'horizonMs'>> {
  validateMakerParams(opts.params);
  const notional = opts.notional ?? DEFAULT_NOTIONAL;
  if (!(notional > 0 && Number.isFinite(notional))) throw new RangeError(`notional must be > 0, got ${notional}`);
  return {
    params: opts.params,
    model: opts.model,
    fees: opts.fees ?? new NotionalRateFeeModel(PLAN_FEES, 'plan'),
    notional,
    markoutsMs: opts.markoutsMs ?? DEFAULT_MARKOUTS_MS,
  };
}

/**
 * Simulate `orders` under one fill model and one (offset, timeout). Orders
 * that cannot be simulated in full are excluded first (see `eligibleOrders`).
 */
export function runMakerStudy(market: MarketView, orders: readonly OrderRequest[], opts: MakerStudyOptions): MakerStudyResult {
  const o = resolveOptions(opts);
  if (o.model.needsBook && !market.book) throw new RangeError(`the ${o.model.label} fill model needs an L2 book`);
  const horizon = Math.max(o.params.timeoutMs, opts.horizonMs ?? 0);
  const { orders: kept, excluded } = eligibleOrders(market, orders, horizon, o.params.latencyMs);
  const records = simulateRecords(market, kept, o);
  return { records, summary: summarize(records, o), excluded, markoutsMs: o.markoutsMs };
}

// ───────────────────────────── sweep ─────────────────────────────

export interface SweepRow {
  offsetPct: number;
  timeoutMs: number;
  orders: number;
  fillRate: number | null;
  makerShare: number | null;
  effectiveFeeRate: number | null;
  medianTimeToFillMs: number | null;
  markoutBps: Record<string, number | null>;
  allInCostVsTaker: number | null;
  allInCostCI: [number, number] | null;
}

export interface SweepResult {
  model: string;
  fallback: MakerFallback;
  rows: SweepRow[];
  /** The cell with the lowest mean all-in cost (ties: the higher fill rate). */
  best: SweepRow | null;
  /**
   * Whether the best cell is distinguishable from always taking: its cost
   * interval lies entirely below 0 ('cheaper'), above 0 ('dearer'), or
   * straddles it ('no difference'). Intervals treat orders as independent;
   * orders whose lives overlap are not, so they are optimistic.
   */
  bestVsTaker: 'cheaper' | 'dearer' | 'no difference' | null;
  excluded: Exclusions;
}

export const DEFAULT_SWEEP_OFFSETS_PCT: readonly number[] = [0, 0.01, 0.02, 0.03, 0.04, 0.05];
export const DEFAULT_SWEEP_TIMEOUTS_MS: readonly number[] = [5_000, 10_000, 30_000, 60_000];

/**
 * Every (offset, timeout) on the same orders (eligible for the longest
 * timeout), under one fill model. Reports the cell minimising all-in cost.
 */
export function sweepMakerStudy(
  market: MarketView,
  orders: readonly OrderRequest[],
  opts: Omit<MakerStudyOptions, 'params' | 'horizonMs'> & {
    offsetsPct?: readonly number[];
    timeoutsMs?: readonly number[];
    fallback?: MakerFallback;
    latencyMs?: number;
  },
): SweepResult {
  const offsets = opts.offsetsPct ?? DEFAULT_SWEEP_OFFSETS_PCT;
  const timeouts = opts.timeoutsMs ?? DEFAULT_SWEEP_TIMEOUTS_MS;
  if (offsets.length === 0 || timeouts.length === 0) throw new RangeError('the sweep needs at least one offset and one timeout');
  const fallback = opts.fallback ?? 'taker';
  const latencyMs = opts.latencyMs ?? 0;
  const horizon = Math.max(...timeouts);
  const base = resolveOptions({ ...opts, params: { ...PLAN_MAKER_PARAMS, fallback, latencyMs } });
  if (base.model.needsBook && !market.book) throw new RangeError(`the ${base.model.label} fill model needs an L2 book`);
  const { orders: kept, excluded } = eligibleOrders(market, orders, horizon, latencyMs);
  const rows: SweepRow[] = [];
  for (const offsetPct of offsets) {
    for (const timeoutMs of timeouts) {
      const o = { ...base, params: { offsetPct, timeoutMs, fallback, latencyMs } };
      validateMakerParams(o.params);
      const s = summarize(simulateRecords(market, kept, o), o);
      rows.push({
        offsetPct,
        timeoutMs,
        orders: s.orders,
        fillRate: s.fillRate,
        makerShare: s.makerShare,
        effectiveFeeRate: s.effectiveFeeRate,
        medianTimeToFillMs: s.medianTimeToFillMs,
        markoutBps: s.markoutBps,
        allInCostVsTaker: s.allInCostVsTaker,
        allInCostCI: s.allInCostCI,
      });
    }
  }
  let best: SweepRow | null = null;
  for (const r of rows) {
    if (r.allInCostVsTaker === null) continue;
    if (
      best === null ||
      best.allInCostVsTaker === null ||
      r.allInCostVsTaker < best.allInCostVsTaker - 1e-12 ||
      (Math.abs(r.allInCostVsTaker - best.allInCostVsTaker) <= 1e-12 && (r.fillRate ?? 0) > (best.fillRate ?? 0))
    ) {
      best = r;
    }
  }
  const ci = best?.allInCostCI ?? null;
  const bestVsTaker = best === null ? null : ci === null ? 'no difference' : ci[1] < 0 ? 'cheaper' : ci[0] > 0 ? 'dearer' : 'no difference';
  return { model: base.model.label, fallback, rows, best, bestVsTaker, excluded };
}

// ───────────────────────────── outputs ─────────────────────────────

/** orders.csv: the contract columns first, then diagnostics. */
export const ORDER_COLUMNS = [
  'placedTime',
  'side',
  'limitPrice',
  'status',
  'fillTime',
  'fillPrice',
  'liquidity',
  'fee',
  'source',
  'decisionTime',
  'refPrice',
  'refSource',
  'timeToFillMs',
  'queueAheadAtJoin',
  'benchPrice',
  'costBps',
] as const;

export function ordersToCsv(records: readonly MakerOrderRecord[], markoutsMs: readonly number[] = DEFAULT_MARKOUTS_MS): string {
  const markCols = markoutsMs.map((h) => `markout${markoutKey(h)}Bps`);
  const rows: unknown[][] = [];
  for (const r of records) {
    rows.push([
      r.placedTime,
      r.side === 1 ? 'buy' : 'sell',
      r.limitPrice,
      r.status,
      r.fillRow >= 0 ? r.fillTime : null,
      r.fillRow >= 0 ? r.fillPrice : null,
      r.liquidity,
      r.fee,
      r.source,
      r.decisionTime,
      r.refPrice,
      r.refSource,
      r.timeToFillMs,
      r.queueAheadAtJoin,
      r.benchPrice,
      r.costBps,
      ...r.markoutBps,
    ]);
  }
  return toCsv([...ORDER_COLUMNS, ...markCols], rows);
}

export const COST_DEFINITION =
  'allInCostVsTaker: mean per order, bps of notional, positive = dearer than always taking. Benchmark: an immediate taker fill at the ' +
  'next print after the decision (P_T) paying the taker fee. Filled at P with fee F: side·(P − P_T)·q + F − taker·P_T·q. ' +
  'Not filled (cancelled / post-only rejected): side·(P_D − P_T)·q − taker·P_T·q, P_D = first print at or after the deadline ' +
  '(the move the taker had captured by then, net of its fee).';
export const MARKOUT_DEFINITION =
  'markoutBps: after each maker fill, side·(mid(t+h) − fillPrice)/fillPrice in bps: POSITIVE = the price moved in your favour, ' +
  'negative = adverse selection. mid = best bid/ask mid (last print without quotes).';

/** summary.json for `edgelab maker-sim` (the study summary plus the sweep, when run). */
export function makerSummaryJson(res: MakerStudyResult, sweep: SweepResult | null, extra: Record<string, unknown> = {}): string {
  // The contract's fields first, then everything else.
  const { orders, fillRate, makerShare, effectiveFeeRate, medianTimeToFillMs, markoutBps, allInCostVsTaker, ...rest } = res.summary;
  return (
    JSON.stringify(
      {
        orders,
        fillRate,
        makerShare,
        effectiveFeeRate,
        medianTimeToFillMs,
        markoutBps,
        allInCostVsTaker,
        ...rest,
        excluded: res.excluded,
        definitions: { allInCostVsTaker: COST_DEFINITION, markoutBps: MARKOUT_DEFINITION, times: 'ms since the Unix epoch; durations in ms' },
        ...(sweep ? { sweep } : {}),
        ...extra,
      },
      jsonSafe,
      2,
    ) + '\n'
  );
}

export function writeMakerSimOutputs(outDir: string, res: MakerStudyResult, sweep: SweepResult | null, extra: Record<string, unknown> = {}): string[] {
  const files = {
    'orders.csv': ordersToCsv(res.records, res.markoutsMs),
    'summary.json': makerSummaryJson(res, sweep, extra),
  };
  writeOutputsAtomic(outDir, files);
  return Object.keys(files);
}
