/**
 * Strategy performance metrics from a trade ledger.
 *
 * Reproduces the action plan's `PerformanceTracker.get_metrics` /
 * `validate_positive_edge` (ACTION_PLAN.md §6.1) with the plan's own
 * definitions, and adds fees, activity, equity-curve, risk and uncertainty
 * measures. Every field is a finite number, a string, or null (never NaN or
 * ±Infinity), because the result is written to JSON.
 *
 * Decisions (where we depart from, or pin down, the plan):
 * - **P&L is net of fees.** The plan's `record_trade` computes P&L without
 *   fees; the headline figures here (`winRate`, `avgWin`, `avgLoss`,
 *   `riskReward`, `totalPnl`, `edgePerTrade`, `expectedValue`) all use
 *   `netPnl`. The before-fee view is kept alongside (`grossPnl`,
 *   `grossEdgePerTrade`, `winRateGross`, `avgWinGross`, `avgLossGross`,
 *   `expectedValueGross`, computed with the same formulas on `grossPnl`) so the
 *   cost of fees is visible.
 * - **Wins and losses** as in the plan: win = P&L > 0, loss = P&L < 0;
 *   breakeven trades (= 0) are neither, but still count in `trades`.
 * - **`expectedValue` keeps the plan's formula** winRate·avgWin − (1 − winRate)·avgLoss.
 *   (1 − winRate) includes breakeven trades, which it charges as losses of size
 *   avgLoss, so EV < edgePerTrade whenever there are breakevens and losses:
 *   edgePerTrade − EV = breakevenShare · avgLoss. Without breakevens the two agree.
 * - **`riskReward` is null when there are no losses** (the plan returns 0,
 *   which would read as the worst possible R:R for an all-winning record).
 *   With losses but no wins it is 0 (avgWin = 0, as in the plan).
 * - `avgWin` / `avgLoss` are 0 when there are no wins / losses (as in the plan);
 *   all per-trade figures are null when there are no trades (the plan returns
 *   None for the whole dict).
 */
import type { ExitReason, LedgerRow } from '../core/ledger';
import { EXIT_REASONS } from '../core/ledger';
import {
  DAY_MS,
  calendarMonthReturns,
  equityCurve,
  equitySharpe,
  maxDrawdown,
  type MonthlyReturn,
  type SharpeBasis,
} from './equity';
import ss from './ss';
import { meanConfidenceInterval, wilsonInterval } from './stats';

export { equityCurve } from './equity';
export type { EquityCurve, MonthlyReturn, SharpeBasis } from './equity';

/** The plan's EV floor (`expected_value <= 0.0005`), in quote currency per trade. */
export const DEFAULT_EV_FLOOR = 0.0005;

/** Average number of days in a month used for `monthlyReturn` (30-day months). */
const MONTH_MS = 30 * DAY_MS;

export interface MetricsOptions {
  /** Equity at `fromMs`; must be > 0. */
  initialCapital: number;
  /** Start of the backtest window (ms since epoch). */
  fromMs: number;
  /** End of the backtest window (ms since epoch), ≥ fromMs. */
  toMs: number;
  /** EV floor for the `positiveEdge` verdict; default {@link DEFAULT_EV_FLOOR}. */
  evFloor?: number;
}

/** `validate_positive_edge`'s (ok, message) pair. */
export interface EdgeVerdict {
  ok: boolean;
  message: string;
}

/** The plan's `get_metrics` set for one P&L series (see {@link planMetrics}). */
export interface PlanMetrics {
  trades: number;
  wins: number;
  losses: number;
  breakevens: number;
  winRate: number | null;
  avgWin: number | null;
  avgLoss: number | null;
  riskReward: number | null;
  totalPnl: number;
  edgePerTrade: number | null;
  expectedValue: number | null;
}

export interface StrategyMetrics {
  // ── The plan's set (ACTION_PLAN §6.1), on netPnl ──────────────────────────
  trades: number;
  /** wins / trades (win: netPnl > 0). */
  winRate: number | null;
  /** Mean netPnl of winning trades; 0 when there are none. */
  avgWin: number | null;
  /** |mean netPnl| of losing trades (netPnl < 0); 0 when there are none. */
  avgLoss: number | null;
  /** avgWin / avgLoss; null when there are no losses (plan: 0). */
  riskReward: number | null;
  /** Σ netPnl. */
  totalPnl: number;
  /** totalPnl / trades. */
  edgePerTrade: number | null;
  /** winRate·avgWin − (1 − winRate)·avgLoss (plan's formula; see module notes on breakevens). */
  expectedValue: number | null;
  winningTrades: number;
  losingTrades: number;
  breakevenTrades: number;

  // ── Before fees (same formulas on grossPnl) ───────────────────────────────
  /** Σ grossPnl. */
  grossPnl: number;
  grossEdgePerTrade: number | null;
  winRateGross: number | null;
  avgWinGross: number | null;
  avgLossGross: number | null;
  expectedValueGross: number | null;
  /** Σ (entryFee + exitFee) = grossPnl − totalPnl. */
  feesPaid: number;

  // ── Activity ──────────────────────────────────────────────────────────────
  /** (toMs − fromMs) in days. */
  spanDays: number;
  /** trades / spanDays; null for a zero-length window. */
  tradesPerDay: number | null;
  longTrades: number;
  shortTrades: number;
  /** Count per exit reason (every reason present, 0 when unused). */
  exitReasons: Record<ExitReason, number>;
  /** Mean holdMs. */
  avgHoldMs: number | null;
  /** Fraction of fills (entry and exit legs) with maker liquidity. */
  makerShare: number | null;

  // ── Equity curve ──────────────────────────────────────────────────────────
  initialCapital: number;
  /** initialCapital + totalPnl. */
  finalEquity: number;
  /** finalEquity / initialCapital − 1. */
  totalReturn: number;
  /** (1 + totalReturn)^(30 d / span) − 1; null when span < 1 day or finalEquity < 0. */
  monthlyReturn: number | null;
  /** UTC calendar-month returns (edge months partial). */
  monthlyReturns: MonthlyReturn[];
  /** Max peak-to-trough drawdown as a fraction of the peak, evaluated at each exit (≥ 0). */
  maxDrawdown: number;
  /** Max peak-to-trough drawdown in quote currency. */
  maxDrawdownAbs: number;
  /** Annualised Sharpe of sampled equity returns (365-day year); null if undefined. */
  sharpe: number | null;
  sharpeBasis: SharpeBasis;
  /** Number of period returns behind `sharpe`. */
  sharpePeriods: number;

  // ── 95% confidence intervals ──────────────────────────────────────────────
  /** Wilson score interval for winRate; null when no trades. */
  winRateCI: [number, number] | null;
  /** Student-t interval for edgePerTrade (mean netPnl); null when trades < 2. */
  edgePerTradeCI: [number, number] | null;

  // ── Verdict ───────────────────────────────────────────────────────────────
  /** EV floor used for `positiveEdge`. */
  evFloor: number;
  /** {@link validatePositiveEdge} with `evFloor`. */
  positiveEdge: EdgeVerdict;
}

/**
 * The plan's `get_metrics` for one P&L series (ACTION_PLAN §6.1):
 *
 *   winRate      = #(pnl > 0) / n
 *   avgWin       = mean(pnl | pnl > 0)        (0 if no wins)
 *   avgLoss      = |mean(pnl | pnl < 0)|      (0 if no losses)
 *   riskReward   = avgWin / avgLoss           (null if no losses; plan: 0)
 *   totalPnl     = Σ pnl
 *   edgePerTrade = totalPnl / n
 *   expectedValue = winRate·avgWin − (1 − winRate)·avgLoss
 *
 * Per-trade figures are null for an empty series (totalPnl is 0).
 */
export function planMetrics(pnls: readonly number[]): PlanMetrics {
  const n = pnls.length;
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  const breakevens = n - wins.length - losses.length;
  const totalPnl = ss.sum(pnls as number[]);
  if (n === 0) {
    return {
      trades: 0,
      wins: 0,
      losses: 0,
      breakevens: 0,
      winRate: null,
      avgWin: null,
      avgLoss: null,
      riskReward: null,
      totalPnl: 0,
      edgePerTrade: null,
      expectedValue: null,
    };
  }
  const winRate = wins.length / n;
  const avgWin = wins.length > 0 ? ss.mean(wins) : 0;
  const avgLoss = losses.length > 0 ? Math.abs(ss.mean(losses)) : 0;
  return {
    trades: n,
    wins: wins.length,
    losses: losses.length,
    breakevens,
    winRate,
    avgWin,
    avgLoss,
    riskReward: avgLoss > 0 ? avgWin / avgLoss : null,
    totalPnl,
    edgePerTrade: totalPnl / n,
    expectedValue: winRate * avgWin - (1 - winRate) * avgLoss,
  };
}

function assertFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`computeMetrics: ${what} must be finite, got ${value}`);
}

/**
 * Compute {@link StrategyMetrics} for one strategy's ledger over the window
 * [fromMs, toMs]. Rows need not be sorted; trades exiting outside the window
 * count in every total and are clamped into the first/last period for Sharpe
 * and calendar-month returns.
 *
 * Key formulas (details on each field and in the module notes):
 * - plan set: {@link planMetrics} on netPnl (and on grossPnl for the *Gross fields);
 * - equity: initialCapital at fromMs, + netPnl at each exitTime ({@link equityCurve});
 * - Sharpe: daily (span ≥ 30 d) or hourly period returns of that equity,
 *   mean/sd·√(365 or 8 760) ({@link equitySharpe});
 * - monthlyReturn = (1 + totalReturn)^(30 d / span) − 1, null for spans under a
 *   day, where extrapolating to a month is meaningless;
 * - winRateCI: Wilson score; edgePerTradeCI: mean ± t(0.975, n−1)·s/√n.
 *
 * @throws RangeError on a non-positive initialCapital, toMs < fromMs, or
 *   non-finite inputs (which would otherwise leak NaN into the JSON).
 */
export function computeMetrics(rows: readonly LedgerRow[], opts: MetricsOptions): StrategyMetrics {
  const { initialCapital, fromMs, toMs } = opts;
  const evFloor = opts.evFloor ?? DEFAULT_EV_FLOOR;
  if (!(initialCapital > 0) || !Number.isFinite(initialCapital)) {
    throw new RangeError(`computeMetrics: initialCapital must be finite and > 0, got ${initialCapital}`);
  }
  assertFinite(fromMs, 'fromMs');
  assertFinite(toMs, 'toMs');
  assertFinite(evFloor, 'evFloor');
  if (toMs < fromMs) throw new RangeError(`computeMetrics: toMs (${toMs}) is before fromMs (${fromMs})`);
  rows.forEach((r, i) => {
    for (const k of ['netPnl', 'grossPnl', 'entryFee', 'exitFee', 'exitTime', 'holdMs'] as const) {
      assertFinite(r[k], `row ${i} ${k}`);
    }
  });

  const net = planMetrics(rows.map((r) => r.netPnl));
  const gross = planMetrics(rows.map((r) => r.grossPnl));
  const n = rows.length;

  const exitReasons = Object.fromEntries(EXIT_REASONS.map((r) => [r, 0])) as Record<ExitReason, number>;
  let longTrades = 0;
  let makerFills = 0;
  for (const r of rows) {
    exitReasons[r.exitReason] += 1;
    if (r.side === 'long') longTrades += 1;
    if (r.entryLiquidity === 'maker') makerFills += 1;
    if (r.exitLiquidity === 'maker') makerFills += 1;
  }

  const spanMs = toMs - fromMs;
  const spanDays = spanMs / DAY_MS;
  const curve = equityCurve(rows, initialCapital, fromMs);
  const finalEquity = curve.equity[curve.equity.length - 1];
  const totalReturn = finalEquity / initialCapital - 1;
  const monthly = spanMs >= DAY_MS && finalEquity >= 0 ? Math.pow(1 + totalReturn, MONTH_MS / spanMs) - 1 : null;
  const dd = maxDrawdown(curve.equity);
  const sharpe = equitySharpe(rows, initialCapital, fromMs, toMs);

  const partial = {
    trades: n,
    winRate: net.winRate,
    avgWin: net.avgWin,
    avgLoss: net.avgLoss,
    riskReward: net.riskReward,
    totalPnl: net.totalPnl,
    edgePerTrade: net.edgePerTrade,
    expectedValue: net.expectedValue,
    winningTrades: net.wins,
    losingTrades: net.losses,
    breakevenTrades: net.breakevens,

    grossPnl: gross.totalPnl,
    grossEdgePerTrade: gross.edgePerTrade,
    winRateGross: gross.winRate,
    avgWinGross: gross.avgWin,
    avgLossGross: gross.avgLoss,
    expectedValueGross: gross.expectedValue,
    feesPaid: ss.sum(rows.map((r) => r.entryFee + r.exitFee)),

    spanDays,
    tradesPerDay: spanMs > 0 ? n / spanDays : null,
    longTrades,
    shortTrades: n - longTrades,
    exitReasons,
    avgHoldMs: n > 0 ? ss.mean(rows.map((r) => r.holdMs)) : null,
    makerShare: n > 0 ? makerFills / (2 * n) : null,

    initialCapital,
    finalEquity,
    totalReturn,
    monthlyReturn: monthly !== null && Number.isFinite(monthly) ? monthly : null,
    monthlyReturns: calendarMonthReturns(rows, initialCapital, fromMs, toMs),
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownAbs: dd.maxDrawdownAbs,
    sharpe: sharpe.sharpe,
    sharpeBasis: sharpe.basis,
    sharpePeriods: sharpe.periods,

    winRateCI: n > 0 ? wilsonInterval(net.wins, n) : null,
    edgePerTradeCI: meanConfidenceInterval(rows.map((r) => r.netPnl)),

    evFloor,
  };
  return { ...partial, positiveEdge: validatePositiveEdge(partial, evFloor) };
}

/**
 * The plan's `validate_positive_edge` (ACTION_PLAN §6.1), checked in order:
 * 1. no trades → `{ ok: false, "Not enough trades" }`;
 * 2. edgePerTrade ≤ 0 → `{ ok: false, "Negative edge: <edge, 4 dp>" }`;
 * 3. expectedValue ≤ evFloor → `{ ok: false, "EV too low: <EV, 4 dp>" }`;
 * 4. otherwise `{ ok: true, "Positive edge confirmed" }`.
 *
 * Both figures are net of fees here (see the module notes). The floor is in
 * quote currency per trade, the plan's 0.0005 by default.
 */
export function validatePositiveEdge(
  m: Pick<StrategyMetrics, 'trades' | 'edgePerTrade' | 'expectedValue'>,
  evFloor: number = DEFAULT_EV_FLOOR,
): EdgeVerdict {
  if (m.trades === 0 || m.edgePerTrade === null || m.expectedValue === null) {
    return { ok: false, message: 'Not enough trades' };
  }
  if (m.edgePerTrade <= 0) return { ok: false, message: `Negative edge: ${m.edgePerTrade.toFixed(4)}` };
  if (m.expectedValue <= evFloor) return { ok: false, message: `EV too low: ${m.expectedValue.toFixed(4)}` };
  return { ok: true, message: 'Positive edge confirmed' };
}
