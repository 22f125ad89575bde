/**
 * Daily edge validation per strategy — the plan's `validate_edge.py`
 * (ACTION_PLAN §6.2) with the intervals it lacks — over four windows of a
 * trade log: `day` (the report date, UTC), `7d` and `30d` (ending at the end
 * of that date) and `all` (every closed trade given).
 *
 * Every figure reuses the one definition edgelab already has, under the name
 * summary.json uses:
 * - the plan's set (trades, winRate, avgWin, avgLoss, riskReward, totalPnl, edgePerTrade,
 *   expectedValue) is metrics.ts `planMetrics` on net P&L (fees always on);
 * - `status` / `statusReason` is metrics.ts `validatePositiveEdge` — the plan's rules
 *   (no trades → "Not enough trades"; edge ≤ 0 → "Negative edge: …"; EV ≤ floor (0.0005) →
 *   "EV too low: …"; else "Positive edge confirmed") — kept as the plan wrote them;
 * - `winRateCi` is the Wilson score 95% interval (stats.ts), `edgeCi` the Student-t 95%
 *   interval of the mean net P&L per trade (stats.ts `meanConfidenceInterval`, the same
 *   interval as summary.json's edgePerTradeCI — chosen over the bootstrap so the two agree,
 *   and because it is deterministic without a seed);
 * - `sharpe` is equity.ts `equitySharpe` (daily returns for windows ≥ 30 days, else hourly,
 *   annualised for 24/7) and `psr` the Probabilistic Sharpe Ratio (sharpe.ts) of those
 *   same period returns against 0 — both null for a ruined window;
 * - drawdown is equity.ts `maxDrawdown` of the realised equity curve.
 *
 * Drawdown and equity: equity = capital + cumulative net P&L of the strategy's trades in
 * exit order (capital: the run configuration's initialCapital; {@link DEFAULT_CAPITAL} —
 * the presets' $10 — when not given). A window's curve starts at the equity the strategy
 * had when the window opened (capital + P&L of earlier trades). `maxDrawdown` is in quote
 * currency; `maxDrawdownPct` is the largest fall as % of the running peak. When equity
 * reaches zero or below inside the window (or was already there when it opened) the
 * strategy is `ruined`: maxDrawdownPct is 100 — a percentage beyond 100 (what the
 * terminal table printed as "1261%") means nothing to a trader.
 *
 * The verdict, separate from the plan's status, is interval-based (on `all`):
 * - "no trades";
 * - "negative edge" when the mean net P&L per trade ≤ 0;
 * - "positive edge, significant" when the lower end of `edgeCi` is > 0;
 * - "positive but not significant after N trades" otherwise (N = trades so far).
 * `tradesNeededForSignificance` is, at the current mean m and sample sd s, the n at which
 * the normal 95% interval m ± 1.96·s/√n excludes zero, n = ⌈(1.96·s/m)²⌉, minus the trades
 * so far — at least 1 while the verdict is not significant (the t-interval the verdict uses
 * is a little wider than the normal one at small n), 0 once it is; null when m ≤ 0 or
 * fewer than 2 trades (no spread to extrapolate from).
 */
import { UserError } from '../util/errors';
import type { TradeLogTrade } from '../data/readers/trade-log/types';
import { DAILY_SHARPE_MIN_SPAN_MS, DAY_MS, HOUR_MS, equitySharpe, maxDrawdown, periodReturns } from './equity';
import { DEFAULT_EV_FLOOR, planMetrics, validatePositiveEdge } from './metrics';
import { probabilisticSharpeRatio } from './sharpe';
import ss from './ss';
import { meanConfidenceInterval, normalQuantile, wilsonInterval } from './stats';

export type EdgeWindow = 'day' | '7d' | '30d' | 'all';
export const EDGE_WINDOWS: readonly EdgeWindow[] = ['day', '7d', '30d', 'all'];

/** The presets' initial capital (config/run-config defaultEngine), used when none is given. */
export const DEFAULT_CAPITAL = 10;

/** z for a two-sided 95% interval (1.959964…). */
const Z95 = normalQuantile(0.975);

export type EdgeStatus = 'positive edge' | 'negative edge' | 'EV too low' | 'no trades';

export interface WindowMetrics {
  /** Window bounds, ms since epoch: trades with from ≤ exitTime < to count (for `all`, every trade). */
  from: number;
  to: number;
  /** Days of the window the log covers: window ∩ [first entry in the log, window end]. */
  spanDays: number;
  trades: number;
  winningTrades: number;
  losingTrades: number;
  winRate: number | null;
  /** Wilson 95%. */
  winRateCi: [number, number] | null;
  avgWin: number | null;
  avgLoss: number | null;
  riskReward: number | null;
  totalPnl: number;
  /** Mean net P&L per trade (quote). */
  edgePerTrade: number | null;
  /** Student-t 95% interval of edgePerTrade (null below 2 trades). */
  edgeCi: [number, number] | null;
  /** Sample sd of net P&L per trade (null below 2 trades). */
  edgeSd: number | null;
  expectedValue: number | null;
  /** Σ gross P&L (before fees). */
  grossPnl: number;
  feesPaid: number;
  /** trades / spanDays. */
  tradesPerDay: number | null;
  /** Most trades (by exit) on one UTC day of the window. */
  busiestDayTrades: number;
  /** UTC days whose trade count exceeded `limits.perDay`; null when no limit was given. */
  daysOverLimit: number | null;
  sharpe: number | null;
  sharpeBasis: 'daily' | 'hourly';
  /** P(true Sharpe > 0) from the same period returns as `sharpe`; null when not estimable. */
  psr: number | null;
  /** Equity when the window opened (capital + earlier P&L). */
  startEquity: number;
  /**
   * Max peak-to-trough fall of realised equity, quote currency. Beware the name clash with
   * summary.json, whose `maxDrawdown` is the fraction and `maxDrawdownAbs` this amount: the
   * daily report's JSON contract (issue 9) names the pair maxDrawdown / maxDrawdownPct.
   */
  maxDrawdown: number;
  /** Max fall as % of the running peak (0–100); 100 when ruined. */
  maxDrawdownPct: number;
  /** Equity ≤ 0 at some point of the window (or when it opened). */
  ruined: boolean;
  /** Exits the minimum-hold rule delayed; null when no trade of the window says. */
  exitsDelayedByMinHold: number | null;
  /** The plan's validate_positive_edge, kept as written. */
  status: EdgeStatus;
  statusReason: string;
}

export type EdgeVerdictText = 'positive edge, significant' | `positive but not significant after ${number} trades` | 'negative edge' | 'no trades';

export interface StrategyValidation {
  strategy: string;
  windows: Record<EdgeWindow, WindowMetrics>;
  /** On the `all` window (see module notes). */
  verdict: EdgeVerdictText;
  /** True for "positive edge, significant". */
  significant: boolean;
  tradesNeededForSignificance: number | null;
  /** Symbols the strategy traded (null symbol → "(none)"). */
  symbols: string[];
  /** `all`-window metrics per symbol, when the strategy traded more than one. */
  perSymbol?: Record<string, WindowMetrics>;
}

export interface ValidateEdgeOptions {
  /** Report date, YYYY-MM-DD (UTC). */
  date: string;
  /** Initial capital per strategy (quote); default {@link DEFAULT_CAPITAL}. */
  capital?: number;
  /** Frequency limit to count days against. */
  limits?: { perDay?: number };
  /** EV floor of the plan's status; default 0.0005. */
  evFloor?: number;
}

/** Start of a YYYY-MM-DD UTC day in ms, or a UserError. */
export function parseReportDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new UserError(`--date: expected a UTC day YYYY-MM-DD, got '${date}'`);
  }
  return ms;
}

/** The UTC day (YYYY-MM-DD) of the last exit. */
export function defaultReportDate(trades: readonly Pick<TradeLogTrade, 'exitTime'>[]): string {
  if (!trades.length) throw new UserError('no closed trades: give --date');
  let last = -Infinity;
  for (const t of trades) if (t.exitTime > last) last = t.exitTime;
  return new Date(last).toISOString().slice(0, 10);
}

function dayKey(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

interface WindowContext {
  from: number;
  to: number;
  /** Earliest entry in the whole log: days before it are not "covered". */
  logStart: number;
  capital: number;
  perDayLimit: number | undefined;
  evFloor: number;
}

/**
 * Metrics of one strategy's trades in one window. `all` holds the strategy's trades in exit
 * order; the window's are those with from ≤ exitTime < to.
 */
function windowMetrics(all: readonly TradeLogTrade[], ctx: WindowContext): WindowMetrics {
  let startEquity = ctx.capital;
  let ruinedBefore = false;
  const rows: TradeLogTrade[] = [];
  for (const t of all) {
    if (t.exitTime < ctx.from) {
      startEquity += t.netPnl;
      if (startEquity <= 0) ruinedBefore = true;
    } else if (t.exitTime < ctx.to) rows.push(t);
  }
  const pnl = rows.map((t) => t.netPnl);
  const plan = planMetrics(pnl);
  const n = rows.length;
  const coveredFrom = Math.max(ctx.from, Math.min(ctx.logStart, ctx.to));
  const spanMs = ctx.to - coveredFrom;

  const perDay = new Map<number, number>();
  for (const t of rows) perDay.set(dayKey(t.exitTime), (perDay.get(dayKey(t.exitTime)) ?? 0) + 1);
  let busiest = 0;
  let over = 0;
  for (const c of perDay.values()) {
    busiest = Math.max(busiest, c);
    if (ctx.perDayLimit !== undefined && c > ctx.perDayLimit) over++;
  }

  // Realised equity inside the window, from the equity it opened with.
  const equity = [startEquity];
  let e = startEquity;
  for (const t of rows) equity.push((e += t.netPnl));
  const dd = maxDrawdown(equity);
  const ruined = ruinedBefore || startEquity <= 0 || equity.some((x) => x <= 0);

  let sharpe: number | null = null;
  let psr: number | null = null;
  const basis: 'daily' | 'hourly' = spanMs >= DAILY_SHARPE_MIN_SPAN_MS ? 'daily' : 'hourly';
  // After ruin returns are undefined (sampling at period ends can miss an intraday trip below zero).
  if (spanMs > 0 && !ruined) {
    sharpe = equitySharpe(rows, startEquity, coveredFrom, ctx.to).sharpe;
    const returns = periodReturns(rows, startEquity, coveredFrom, ctx.to, basis === 'daily' ? DAY_MS : HOUR_MS);
    if (returns) {
      const p = probabilisticSharpeRatio(returns);
      psr = Number.isFinite(p) ? p : null;
    }
  }

  let delayedKnown = false;
  let delayed = 0;
  for (const t of rows) {
    if (t.exitDelayedBy !== undefined) delayedKnown = true;
    if (t.exitDelayedBy === 'minHold') delayed++;
  }

  const verdict = validatePositiveEdge({ trades: n, edgePerTrade: plan.edgePerTrade, expectedValue: plan.expectedValue }, ctx.evFloor);
  const status: EdgeStatus =
    n === 0 ? 'no trades' : verdict.ok ? 'positive edge' : verdict.message.startsWith('Negative edge') ? 'negative edge' : 'EV too low';

  return {
    from: ctx.from,
    to: ctx.to,
    spanDays: Math.max(0, spanMs) / DAY_MS,
    trades: n,
    winningTrades: plan.wins,
    losingTrades: plan.losses,
    winRate: plan.winRate,
    winRateCi: n > 0 ? wilsonInterval(plan.wins, n) : null,
    avgWin: plan.avgWin,
    avgLoss: plan.avgLoss,
    riskReward: plan.riskReward,
    totalPnl: plan.totalPnl,
    edgePerTrade: plan.edgePerTrade,
    edgeCi: meanConfidenceInterval(pnl),
    edgeSd: n >= 2 ? ss.sampleStandardDeviation(pnl) : null,
    expectedValue: plan.expectedValue,
    grossPnl: n ? ss.sum(rows.map((t) => t.grossPnl)) : 0,
    feesPaid: n ? ss.sum(rows.map((t) => t.entryFee + t.exitFee)) : 0,
    tradesPerDay: spanMs > 0 ? n / (spanMs / DAY_MS) : null,
    busiestDayTrades: busiest,
    daysOverLimit: ctx.perDayLimit === undefined ? null : over,
    sharpe,
    sharpeBasis: basis,
    psr,
    startEquity,
    maxDrawdown: dd.maxDrawdownAbs,
    maxDrawdownPct: ruined ? 100 : dd.maxDrawdown * 100,
    ruined,
    exitsDelayedByMinHold: delayedKnown ? delayed : null,
    status,
    statusReason: verdict.message,
  };
}

/**
 * The interval-based verdict and the trades still needed, from the `all` window
 * (see module notes for the rules).
 */
export function edgeVerdict(w: Pick<WindowMetrics, 'trades' | 'edgePerTrade' | 'edgeCi' | 'edgeSd'>): {
  verdict: EdgeVerdictText;
  significant: boolean;
  tradesNeededForSignificance: number | null;
} {
  if (w.trades === 0 || w.edgePerTrade === null) return { verdict: 'no trades', significant: false, tradesNeededForSignificance: null };
  if (w.edgePerTrade <= 0) return { verdict: 'negative edge', significant: false, tradesNeededForSignificance: null };
  const significant = w.edgeCi !== null && w.edgeCi[0] > 0;
  let needed: number | null = null;
  if (significant) needed = 0;
  else if (w.edgeSd !== null) needed = Math.max(1, Math.ceil(((Z95 * w.edgeSd) / w.edgePerTrade) ** 2) - w.trades);
  return {
    verdict: significant ? 'positive edge, significant' : `positive but not significant after ${w.trades} trades`,
    significant,
    tradesNeededForSignificance: needed,
  };
}

/**
 * Validate every strategy of a trade log for the report date. Trades need not be sorted.
 * Strategies come out in name order.
 */
export function validateEdge(trades: readonly TradeLogTrade[], opts: ValidateEdgeOptions): Record<string, StrategyValidation> {
  const dayStart = parseReportDate(opts.date);
  const capital = opts.capital ?? DEFAULT_CAPITAL;
  if (!(capital > 0) || !Number.isFinite(capital)) throw new UserError(`capital must be a positive number, got ${capital}`);
  const perDayLimit = opts.limits?.perDay;
  const evFloor = opts.evFloor ?? DEFAULT_EV_FLOOR;
  const dayEnd = dayStart + DAY_MS;

  let logStart = Infinity;
  let lastExit = -Infinity;
  for (const t of trades) {
    logStart = Math.min(logStart, t.entryTime);
    lastExit = Math.max(lastExit, t.exitTime);
  }
  const byStrategy = new Map<string, TradeLogTrade[]>();
  const order = trades.map((_, i) => i).sort((a, b) => trades[a].exitTime - trades[b].exitTime || a - b);
  for (const i of order) {
    const t = trades[i];
    let list = byStrategy.get(t.strategy);
    if (!list) byStrategy.set(t.strategy, (list = []));
    list.push(t);
  }

  const allFrom = Number.isFinite(logStart) ? Math.min(logStart, dayStart) : dayStart;
  // `all` ends after the last exit even when it falls after the report date; +1 ms keeps that exit inside [from, to).
  const allTo = Math.max(dayEnd, lastExit + 1);
  const bounds: Record<EdgeWindow, [number, number]> = {
    day: [dayStart, dayEnd],
    '7d': [dayEnd - 7 * DAY_MS, dayEnd],
    '30d': [dayEnd - 30 * DAY_MS, dayEnd],
    all: [allFrom, allTo],
  };
  const ctxFor = (w: EdgeWindow): WindowContext => ({ from: bounds[w][0], to: bounds[w][1], logStart, capital, perDayLimit, evFloor });

  const out: Record<string, StrategyValidation> = {};
  for (const strategy of [...byStrategy.keys()].sort()) {
    const list = byStrategy.get(strategy)!;
    const windows = Object.fromEntries(EDGE_WINDOWS.map((w) => [w, windowMetrics(list, ctxFor(w))])) as Record<EdgeWindow, WindowMetrics>;
    const symbols = [...new Set(list.map((t) => t.symbol ?? '(none)'))].sort();
    const v: StrategyValidation = { strategy, windows, ...edgeVerdict(windows.all), symbols };
    if (symbols.length > 1) {
      v.perSymbol = Object.fromEntries(symbols.map((s) => [s, windowMetrics(list.filter((t) => (t.symbol ?? '(none)') === s), ctxFor('all'))]));
    }
    out[strategy] = v;
  }
  return out;
}
