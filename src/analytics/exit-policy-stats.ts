/**
 * Statistics of one exit policy over a set of trades: win rate with its
 * Wilson interval, realised and theoretical break-even win rates, edge per
 * trade before and after fees, and the check of the plan's Phase 2 claim
 * "27% win rate + 3:1 R:R is winning" (used by research/compare-exits.ts).
 */
import { EXIT_REASONS, type ExitReason, type LedgerRow } from '../core/ledger';
import { planMetrics } from './metrics';
import { wilsonInterval } from './stats';

/** The plan's claim (Phase 2): "27% WR + 3:1 R:R is winning". */
export const PLAN_CLAIMED_WIN_RATE = 0.27;

export interface PolicyStats {
  trades: number;
  wins: number;
  losses: number;
  /** wins / trades on net P&L (win: netPnl > 0). */
  winRate: number | null;
  /** Wilson 95% interval of winRate. */
  winRateCI: [number, number] | null;
  avgWin: number | null;
  avgLoss: number | null;
  /** Realised R:R = avgWin / avgLoss (net); null without losses. */
  riskReward: number | null;
  /** winRate·avgWin − (1 − winRate)·avgLoss (net; the plan's formula). */
  expectedValue: number | null;
  /** Mean net P&L per trade (quote currency). */
  edgePerTrade: number | null;
  /** edgePerTrade / notional: mean net return per trade. */
  edgePerTradeReturn: number | null;
  totalPnl: number;
  winRateGross: number | null;
  riskRewardGross: number | null;
  expectedValueGross: number | null;
  edgePerTradeGross: number | null;
  edgePerTradeReturnGross: number | null;
  feesPaid: number;
  /** avgLoss / (avgWin + avgLoss), net (realised averages). */
  breakEvenWinRate: number | null;
  /** The same before fees. */
  breakEvenWinRateGross: number | null;
  /** From the policy's stop/target and the fee rates (null for the signal policy). */
  breakEvenWinRateTheoretical: number | null;
  exitReasons: Record<ExitReason, number>;
  avgHoldMs: number | null;
}

/**
 * avgLoss / (avgWin + avgLoss). Null when either average is missing or not
 * positive: with no wins (or no losses) the realised R:R is unknown, and 100%
 * (or 0%) would be an artefact of the sample, not a break-even.
 */
export function breakEvenWinRate(avgWin: number | null, avgLoss: number | null): number | null {
  if (avgWin === null || avgLoss === null || !(avgWin > 0) || !(avgLoss > 0)) return null;
  return avgLoss / (avgWin + avgLoss);
}

/**
 * Break-even win rate of a stop/target bracket in return terms:
 * win = target − fee(entry) − fee(maker exit), loss = stop + fee(entry) +
 * fee(taker exit) + slippage(stop exit); p* = loss / (win + loss).
 * Percentages in percent, rates as fractions.
 */
export function theoreticalBreakEven(
  stopPct: number | null,
  targetPct: number | null,
  rates: { maker: number; taker: number; entry?: number; slippageBps?: number },
): number | null {
  if (stopPct === null || targetPct === null) return null;
  const entry = rates.entry ?? rates.taker;
  const win = targetPct / 100 - entry - rates.maker;
  const loss = stopPct / 100 + entry + rates.taker + (rates.slippageBps ?? 0) / 10_000;
  if (win <= 0) return 1; // the target cannot even pay the fees
  return loss / (win + loss);
}

export function policyStats(
  rows: readonly Pick<LedgerRow, 'netPnl' | 'grossPnl' | 'entryFee' | 'exitFee' | 'exitReason' | 'holdMs'>[],
  notional: number,
  theoretical: number | null,
): PolicyStats {
  const net = planMetrics(rows.map((r) => r.netPnl));
  const gross = planMetrics(rows.map((r) => r.grossPnl));
  const exitReasons = Object.fromEntries(EXIT_REASONS.map((r) => [r, 0])) as Record<ExitReason, number>;
  let fees = 0;
  let hold = 0;
  for (const r of rows) {
    exitReasons[r.exitReason]++;
    fees += r.entryFee + r.exitFee;
    hold += r.holdMs;
  }
  const n = rows.length;
  return {
    trades: n,
    wins: net.wins,
    losses: net.losses,
    winRate: net.winRate,
    winRateCI: wilsonInterval(net.wins, n),
    avgWin: net.avgWin,
    avgLoss: net.avgLoss,
    riskReward: net.riskReward,
    expectedValue: net.expectedValue,
    edgePerTrade: net.edgePerTrade,
    edgePerTradeReturn: net.edgePerTrade === null ? null : net.edgePerTrade / notional,
    totalPnl: net.totalPnl,
    winRateGross: gross.winRate,
    riskRewardGross: gross.riskReward,
    expectedValueGross: gross.expectedValue,
    edgePerTradeGross: gross.edgePerTrade,
    edgePerTradeReturnGross: gross.edgePerTrade === null ? null : gross.edgePerTrade / notional,
    feesPaid: fees,
    breakEvenWinRate: breakEvenWinRate(net.avgWin, net.avgLoss),
    breakEvenWinRateGross: breakEvenWinRate(gross.avgWin, gross.avgLoss),
    breakEvenWinRateTheoretical: theoretical,
    exitReasons,
    avgHoldMs: n ? hold / n : null,
  };
}

export interface PlanClaimCheck {
  claimedWinRate: number;
  observedWinRate: number | null;
  observedWinRateCI: [number, number] | null;
  /** Realised (net) break-even win rate of the 3:1 policy (null without both wins and losses). */
  breakEvenWinRate: number | null;
  breakEvenWinRateTheoretical: number | null;
  riskReward: number | null;
  edgePerTrade: number | null;
  /**
   * True only when all three parts of "27% WR + 3:1 is winning" hold on the
   * data: 27% is above the realised break-even win rate (the arithmetic), the
   * observed win rate reaches 27% (the premise), and the net edge per trade
   * is positive (it actually wins).
   */
  holds: boolean;
  /**
   * True when the 95% Wilson interval of the observed win rate lies entirely
   * on one side of the break-even win rate (realised, else theoretical): the
   * data then says win or lose beyond sampling noise. False means the sample
   * cannot tell.
   */
  conclusive: boolean;
  note: string;
}

const p1 = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

export function checkPlanClaim(s: PolicyStats, claimed = PLAN_CLAIMED_WIN_RATE): PlanClaimCheck {
  const base = {
    claimedWinRate: claimed,
    observedWinRate: s.winRate,
    observedWinRateCI: s.winRateCI,
    breakEvenWinRate: s.breakEvenWinRate,
    breakEvenWinRateTheoretical: s.breakEvenWinRateTheoretical,
    riskReward: s.riskReward,
    edgePerTrade: s.edgePerTrade,
  };
  if (s.trades === 0 || s.winRate === null) {
    return { ...base, holds: false, conclusive: false, note: 'no trades: the claim cannot be checked on this data' };
  }
  const be = s.breakEvenWinRate ?? s.breakEvenWinRateTheoretical;
  const arithmetic = be !== null && claimed > be;
  const premise = s.winRate >= claimed;
  const wins = (s.edgePerTrade ?? 0) > 0;
  const ci = s.winRateCI;
  const conclusive = be !== null && ci !== null && (ci[0] > be || ci[1] < be);
  const parts = [
    `observed win rate ${p1(s.winRate)} (95% CI ${p1(ci?.[0] ?? null)}–${p1(ci?.[1] ?? null)}, n=${s.trades}) ${premise ? '≥' : '<'} claimed ${p1(claimed)}`,
    `break-even after fees ${p1(s.breakEvenWinRate)} realised (R:R ${s.riskReward === null ? '—' : s.riskReward.toFixed(2)}), ${p1(s.breakEvenWinRateTheoretical)} in theory: ${p1(claimed)} ${arithmetic ? 'would' : 'would NOT'} be winning`,
    `net edge per trade ${s.edgePerTrade === null ? '—' : s.edgePerTrade.toPrecision(3)} (${wins ? 'winning' : 'losing'})`,
    conclusive
      ? `the win-rate CI lies ${ci![0] > be! ? 'above' : 'below'} break-even: conclusive`
      : `the win-rate CI contains break-even ${p1(be)}: inconclusive at this sample size`,
  ];
  return { ...base, holds: arithmetic && premise && wins, conclusive, note: parts.join('; ') };
}


/**
 * For bracket policies with the same stop: does the gross (before-fee) win
 * rate never rise as the target moves further away? Null with no pair of
 * policies sharing a stop. Judged gross because net, a target at or below
 * the round-trip fees cannot win at all whatever the path does.
 */
export function grossWinRateFallsAsTargetWidens(brackets: readonly { stopPct: number; targetPct: number; winRateGross: number }[]): boolean | null {
  let pairs = 0;
  let ok = true;
  for (const a of brackets) {
    for (const b of brackets) {
      if (a.stopPct === b.stopPct && a.targetPct < b.targetPct) {
        pairs++;
        if (b.winRateGross > a.winRateGross) ok = false;
      }
    }
  }
  return pairs ? ok : null;
}
