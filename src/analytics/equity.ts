/**
 * Equity-curve analytics: the curve itself, drawdown, period-sampled
 * returns with an annualised Sharpe ratio, and calendar-month returns.
 *
 * Model: equity starts at `initialCapital` at `fromMs` and changes by each
 * trade's `netPnl` at its `exitTime` (realised P&L only — open positions are
 * not marked to market; a ledger row exists only once a round trip closed).
 */
import type { LedgerRow } from '../core/ledger';

/** What the equity analytics read of a trade: when it closed and what it made net (a ledger row or a trade-log trade). */
export type RealisedTrade = Pick<LedgerRow, 'exitTime' | 'netPnl'>;
import ss from './ss';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Crypto trades 24/7: 365 trading days a year. */
export const DAYS_PER_YEAR = 365;
/** Spans of at least this length use daily Sharpe sampling, shorter ones hourly. */
export const DAILY_SHARPE_MIN_SPAN_MS = 30 * DAY_MS;

export interface EquityCurve {
  /** ms since epoch: `fromMs`, then each exit time in exit order. */
  time: number[];
  /** Equity at the matching time: initialCapital, then after each exit. */
  equity: number[];
}

export type SharpeBasis = 'daily' | 'hourly';

export interface SharpeResult {
  /** Annualised Sharpe ratio, null if fewer than 2 periods, zero variance, or equity ≤ 0. */
  sharpe: number | null;
  basis: SharpeBasis;
  /** Number of period returns the ratio was computed from. */
  periods: number;
}

export interface MonthlyReturn {
  /** UTC calendar month, `YYYY-MM`. */
  month: string;
  /** equity at month end / equity at month start − 1; null if start equity ≤ 0. */
  return: number | null;
}

/** Row indices ordered by exit time (stable: ties keep ledger order). */
function exitOrder(rows: readonly RealisedTrade[]): number[] {
  const idx = rows.map((_, i) => i);
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = rows[i].exitTime >= rows[i - 1].exitTime;
  if (!sorted) idx.sort((a, b) => rows[a].exitTime - rows[b].exitTime);
  return idx;
}

/**
 * Realised equity curve: starts at `initialCapital` at `fromMs`, then one
 * point per trade at its `exitTime`, equity_k = initialCapital + Σ_{j≤k} netPnl_j,
 * with trades in exit-time order (ties keep ledger order). Rows need not be
 * sorted. Used by notebooks and plots and for drawdown.
 *
 * @returns `{ time, equity }`, both of length rows.length + 1.
 */
export function equityCurve(rows: readonly RealisedTrade[], initialCapital: number, fromMs: number): EquityCurve {
  const time = [fromMs];
  const equity = [initialCapital];
  let e = initialCapital;
  for (const i of exitOrder(rows)) {
    e += rows[i].netPnl;
    time.push(rows[i].exitTime);
    equity.push(e);
  }
  return { time, equity };
}

/**
 * Maximum peak-to-trough drawdown of an equity series (evaluated at each
 * point — for a realised curve, at each exit):
 *
 *   peak_k = max_{j≤k} equity_j
 *   maxDrawdownAbs = max_k (peak_k − equity_k)
 *   maxDrawdown    = max_k (peak_k − equity_k) / peak_k     (fraction, ≥ 0)
 *
 * The two maxima are taken independently (the largest fractional drawdown
 * need not be the largest absolute one). The fraction exceeds 1 only if equity
 * goes negative; points with a non-positive peak are skipped for it.
 */
export function maxDrawdown(equity: readonly number[]): { maxDrawdown: number; maxDrawdownAbs: number } {
  let peak = -Infinity;
  let frac = 0;
  let abs = 0;
  for (const e of equity) {
    if (e > peak) peak = e;
    const dd = peak - e;
    if (dd > abs) abs = dd;
    if (peak > 0 && dd / peak > frac) frac = dd / peak;
  }
  return { maxDrawdown: frac, maxDrawdownAbs: abs };
}

/** Exit times clamped into [fromMs, toMs] with their P&L, in exit order. */
function clampedExits(
  rows: readonly RealisedTrade[],
  fromMs: number,
  toMs: number,
): { t: Float64Array; pnl: Float64Array } {
  const order = exitOrder(rows);
  const t = new Float64Array(order.length);
  const pnl = new Float64Array(order.length);
  order.forEach((i, k) => {
    t[k] = Math.min(Math.max(rows[i].exitTime, fromMs), toMs);
    pnl[k] = rows[i].netPnl;
  });
  return { t, pnl };
}

/**
 * Simple returns of the realised equity sampled at period ends:
 * periods of `periodMs` anchored at `fromMs` (ends fromMs + k·periodMs), the
 * last one ending at `toMs` (so it may be partial; N = ⌈(toMs − fromMs)/periodMs⌉).
 * Equity at a period end includes exits at or before that instant; exits
 * outside [fromMs, toMs] are clamped into the first/last period.
 *
 *   r_k = equity(end_k) / equity(end_{k−1}) − 1,  equity(end_0) = initialCapital
 *
 * @returns the N returns, or null if equity is ≤ 0 at some period start
 *   (returns are undefined after ruin).
 */
export function periodReturns(
  rows: readonly RealisedTrade[],
  initialCapital: number,
  fromMs: number,
  toMs: number,
  periodMs: number,
): number[] | null {
  if (!(periodMs > 0)) throw new RangeError(`periodReturns: periodMs must be > 0, got ${periodMs}`);
  const span = toMs - fromMs;
  const n = span > 0 ? Math.ceil(span / periodMs) : 0;
  const { t, pnl } = clampedExits(rows, fromMs, toMs);
  const out: number[] = [];
  let j = 0;
  let prev = initialCapital;
  for (let k = 1; k <= n; k++) {
    const end = k === n ? toMs : fromMs + k * periodMs;
    let e = prev;
    while (j < t.length && t[j] <= end) e += pnl[j++];
    if (!(prev > 0)) return null;
    out.push(e / prev - 1);
    prev = e;
  }
  return out;
}

/**
 * Annualised Sharpe ratio of per-period simple returns (risk-free rate 0):
 *
 *   Sharpe = mean(r) / sd(r) · √(periods per year)
 *
 * with sd the sample standard deviation (n − 1), via simple-statistics.
 * Null when fewer than 2 returns or sd = 0 (to floating-point precision:
 * sd ≤ 1e-12 · max|r|, which also covers a flat curve).
 * Reference: W. F. Sharpe, "The Sharpe Ratio", J. Portfolio Management, 1994;
 * √T annualisation as in A. Lo, "The Statistics of Sharpe Ratios", FAJ 2002 (iid case).
 */
export function annualisedSharpe(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const xs = returns as number[]; // simple-statistics does not mutate its input
  const sd = ss.sampleStandardDeviation(xs);
  let maxAbs = 0;
  for (const r of returns) maxAbs = Math.max(maxAbs, Math.abs(r));
  if (!(sd > 1e-12 * maxAbs)) return null;
  const s = (ss.mean(xs) / sd) * Math.sqrt(periodsPerYear);
  return Number.isFinite(s) ? s : null;
}

/**
 * Sharpe ratio of the realised equity curve for a 24/7 market: daily
 * sampling (365 periods/year) when the span is ≥ 30 days, else hourly
 * (8 760 periods/year); see {@link periodReturns} and {@link annualisedSharpe}.
 */
export function equitySharpe(
  rows: readonly RealisedTrade[],
  initialCapital: number,
  fromMs: number,
  toMs: number,
): SharpeResult {
  const daily = toMs - fromMs >= DAILY_SHARPE_MIN_SPAN_MS;
  const basis: SharpeBasis = daily ? 'daily' : 'hourly';
  const periodMs = daily ? DAY_MS : HOUR_MS;
  const periodsPerYear = (DAYS_PER_YEAR * DAY_MS) / periodMs;
  const returns = periodReturns(rows, initialCapital, fromMs, toMs, periodMs);
  if (returns === null) {
    return { sharpe: null, basis, periods: Math.max(0, Math.ceil((toMs - fromMs) / periodMs)) };
  }
  return { sharpe: annualisedSharpe(returns, periodsPerYear), basis, periods: returns.length };
}

function monthKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Calendar-month (UTC) returns of the realised equity over [fromMs, toMs]:
 * for each month overlapping the window,
 *
 *   return = equity at month end / equity at month start − 1
 *
 * where the first month starts at `fromMs` (equity = initialCapital) and the
 * last ends at `toMs`, so edge months may be partial. A trade belongs to the
 * month containing its exit time (clamped into the window). The months'
 * returns compound to the total return. Empty when toMs = fromMs.
 */
export function calendarMonthReturns(
  rows: readonly RealisedTrade[],
  initialCapital: number,
  fromMs: number,
  toMs: number,
): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  if (!(toMs > fromMs)) return out;
  const { t, pnl } = clampedExits(rows, fromMs, toMs);
  const d0 = new Date(fromMs);
  let year = d0.getUTCFullYear();
  let month = d0.getUTCMonth();
  let start = fromMs;
  let j = 0;
  let prev = initialCapital;
  while (start < toMs) {
    const next = Date.UTC(year, month + 1, 1);
    const last = next >= toMs;
    let e = prev;
    while (j < t.length && (last || t[j] < next)) e += pnl[j++];
    out.push({ month: monthKey(start), return: prev > 0 ? e / prev - 1 : null });
    prev = e;
    start = next;
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return out;
}
