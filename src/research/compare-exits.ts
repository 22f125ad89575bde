/**
 * Same entries, different exits: does the plan's 3:1 bracket beat 1:1 (or the
 * strategy's own signal exit) on real data, before and after fees — and does
 * "27% win rate + 3:1 R:R is winning" (ACTION_PLAN Phase 2) hold?
 *
 * Conventions (all deliberate; see also the `notes` written to the JSON):
 *
 * - **Entries.** Either a strategy's entries exactly as the engine takes them
 *   under a base preset (default `phase2`: frequency limits, confirmation gate
 *   and the preset's own exits decide when the strategy is flat and may enter
 *   again) — the ledger's (entryIndex, side, entryPrice, entryTime); or a
 *   user's trade log CSV (`time,side,price`, read by
 *   src/data/readers/entry-log.ts), strategy id `log`. A log entry
 *   fills at the log's own time and price (what the live bot got); it is
 *   placed on the first tape row at or after its time (ticks: that print is
 *   treated as the entry fill print, so — as in the engine — it cannot trigger
 *   the bracket and exits are watched from the next print; bars: the first bar
 *   opening at or after the time is the entry bar and counts for the bracket).
 *   A log price more than `priceTolerancePct` from the tape's price at that
 *   row (the print, or the bar's open) is warned about; entries outside the
 *   tape are skipped with a warning. Log entries pay the taker fee.
 * - **Independent exits.** Each exit policy is simulated from each entry on
 *   its own, so every policy sees exactly the same entries. Positions may
 *   therefore overlap (an entry can come while an earlier one would still be
 *   open under a longer-lived policy); there is no compounding and no capital
 *   constraint. Every trade uses the same notional: the preset's sizing
 *   (`fixed` notional, or initialCapital × fraction).
 * - **Fill rules are the engine's** (src/exits/fill-rules.ts, simulated per
 *   entry by `exitFrom` in src/backtest/exit-simulator.ts), with no minimum
 *   hold: ticks — stop-market at the first print at/beyond the stop filled at
 *   that print (+ slippage), target = resting limit filled at the target price
 *   (maker) only when a print goes strictly through it, signal exit decided on
 *   one print and filled at the next, time exit at the first print at or after
 *   entry + maxHoldMs; bars — stop at the stop price or the open when gapped,
 *   target at the target price, stop first when one bar reaches both (no tick
 *   tape is used to resolve such bars), signal/time exits at a later bar's
 *   open. Positions still open at the end close at the last price (`end`).
 *   `exitFrom` is proved equal to `runTickEngine` / `runBarEngine` for an
 *   isolated entry (test/research/compare-exits.test.ts).
 * - **Break-even win rate.** Realised: p* = avgLoss / (avgWin + avgLoss) from
 *   the realised net averages (the win rate at which winRate·avgWin =
 *   (1 − winRate)·avgLoss). Theoretical, in return terms from the policy and
 *   the fee rates: win = target − entryFee − makerFee, loss = stop + entryFee
 *   + takerFee + stop slippage; p* = loss / (win + loss) — which is the
 *   familiar (stop + fees) / (stop + target) when both outcomes pay the same
 *   fees. Exit fees are taken on the entry notional (the error is of order
 *   target × fee, < 0.001 percentage points of win rate). Gaps through the
 *   stop make realised losses larger than the theory.
 *
 * Parts live by concern: the entry-log reader in data/readers/entry-log.ts,
 * the exit simulator in backtest/exit-simulator.ts, the statistics in
 * analytics/exit-policy-stats.ts, policy-string parsing in cli/compare-exits.ts;
 * this file places the entries and composes the comparison.
 */
import type { BarTape, MarketTape } from '../data/tape';
import { describeTape, lowerBound } from '../data/tape';
import { readEntryLog, type LogTrade } from '../data/readers/entry-log';
import { makeFeeModel } from '../execution/fees';
import { makeSlippageModel } from '../execution/slippage';
import type { LedgerRow } from '../core/ledger';
import { exitFrom, ratioPolicy, signalPolicy, type ExitPolicy } from '../backtest/exit-simulator';
import { ledgerToCsv } from '../run/output';
import { runWithConfig } from '../run/run';
import {
  PLAN_CLAIMED_WIN_RATE,
  checkPlanClaim,
  grossWinRateFallsAsTargetWidens,
  policyStats,
  theoreticalBreakEven,
  type PlanClaimCheck,
  type PolicyStats,
} from '../analytics/exit-policy-stats';
import { resolveRunConfig, type PresetFile, type RunConfig } from '../config/run-config';
import { getStrategy } from '../strategies/registry';
import { writeOutputsAtomic } from '../util/atomic-write';
import { toJsonDocument } from '../util/json';
import { UserError } from '../util/errors';

/** The plan's base stop, percent. */
export const DEFAULT_STOP_PCT = 0.5;
/** The default bracket policies, reward:risk at the base stop: 1:1 and 3:1. */
export const DEFAULT_RATIOS: readonly (readonly [number, number])[] = [
  [1, 1],
  [3, 1],
];
/** Strategy id used for entries that come from a user's trade log. */
export const LOG_ID = 'log';

// ─── Entries ─────────────────────────────────────────────────────────────────

export interface Entry {
  /** Tape row of the entry fill. */
  index: number;
  side: 1 | -1;
  price: number;
  time: number;
}


export interface LogEntries {
  entries: Entry[];
  skipped: number;
  warnings: string[];
}

/**
 * Place trade-log entries on the tape: each at the first row at or after its
 * time, at the log's own price and time. Entries before the tape's first row
 * or after its last one are skipped (warned); a log price further than
 * `priceTolerancePct` from the tape's price there (the print, or the bar's
 * open) is warned about.
 */
export function placeLogEntries(tape: MarketTape, log: readonly LogTrade[], opts: { file?: string; priceTolerancePct?: number } = {}): LogEntries {
  const tol = (opts.priceTolerancePct ?? 0.1) / 100;
  const file = opts.file ?? 'trade log';
  const n = tape.length;
  const ref = tape.kind === 'trades' ? tape.price : (tape as BarTape).open;
  const entries: Entry[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const tr of log) {
    const row = lowerBound(tape.time, tr.time);
    if (n === 0 || tr.time < tape.time[0] || row >= n) {
      skipped++;
      warnings.push(`${file}: line ${tr.line}: ${iso(tr.time)} is outside the tape (${n ? `${iso(tape.time[0])} → ${iso(tape.time[n - 1])}` : 'empty'}); entry skipped`);
      continue;
    }
    const dev = tr.price / ref[row] - 1;
    if (Math.abs(dev) > tol) {
      warnings.push(
        `${file}: line ${tr.line}: log price ${tr.price} is ${(dev * 100).toFixed(3)}% from the tape's ${tape.kind === 'trades' ? 'price' : 'bar open'} ${ref[row]} at ${iso(tape.time[row])} (tolerance ${(tol * 100).toFixed(3)}%)`,
      );
    }
    entries.push({ index: row, side: tr.side, price: tr.price, time: tr.time });
  }
  return { entries, skipped, warnings };
}

export interface StrategyEntries {
  entries: Entry[];
  /** The strategy's exit requests over the tape (for the `signal` policy), when it produces them. */
  exitSignals?: Uint8Array;
}

/**
 * A strategy's entries as the engine takes them under `config` (its ledger's
 * entry fills), plus its exit signals when `withExitSignals`.
 */
export function strategyEntries(tape: MarketTape, config: RunConfig, ids: readonly string[], withExitSignals: boolean): Record<string, StrategyEntries> {
  const sub: RunConfig = { ...config, strategies: Object.fromEntries(ids.map((id) => [id, config.strategies[id]])) };
  const res = runWithConfig(tape, sub);
  const out: Record<string, StrategyEntries> = {};
  for (const id of ids) {
    const entries: Entry[] = res.strategies[id].ledger.map((r) => ({
      index: r.entryIndex,
      side: r.side === 'long' ? 1 : -1,
      price: r.entryPrice,
      time: r.entryTime,
    }));
    let exitSignals: Uint8Array | undefined;
    if (withExitSignals) exitSignals = getStrategy(id).signals(tape, config.strategies[id].params).exit;
    out[id] = { entries, ...(exitSignals ? { exitSignals } : {}) };
  }
  return out;
}


// ─── The comparison ──────────────────────────────────────────────────────────

export interface CompareExitsOptions {
  /** Strategies whose entries (under the base preset) are compared. */
  strategies?: string[];
  /** Base preset for strategy entries, fees and sizing. Default phase2. */
  preset?: string;
  /** Overrides on top of the preset (object or JSON file path). */
  config?: PresetFile | string;
  /** A user's trade log: a CSV file path, or parsed trades. Its strategy id is `log`. */
  entriesLog?: string | { file: string; trades: LogTrade[] };
  /** Bracket policies; default 1:1 and 3:1 at `stopPct`. */
  policies?: ExitPolicy[];
  /** Base stop for the default ratio policies, percent. Default 0.5. */
  stopPct?: number;
  /** Add the strategies' own signal exit as a policy (default true; needs strategy entries). */
  includeSignal?: boolean;
  /** Time exit for every policy (including `signal`); default none. Only used for the default/signal policies. */
  maxHoldMs?: number | null;
  /** Warn when a log price is further than this (percent) from the tape. Default 0.1. */
  priceTolerancePct?: number;
  /** The plan's claimed win rate for 3:1. Default 0.27. */
  claimedWinRate?: number;
}

export interface PolicyResult {
  name: string;
  label: string;
  stopPct: number | null;
  targetPct: number | null;
  signalExit: boolean;
  maxHoldMs: number | null;
  strategies: Record<string, PolicyStats>;
}

export interface CompareExitsResult {
  policies: PolicyResult[];
  planClaim: {
    /** The 3:1 policy the claim is checked on (null when none was simulated). */
    policy: string | null;
    stopPct: number | null;
    targetPct: number | null;
    claimedWinRate: number;
    strategies: Record<string, PlanClaimCheck>;
  };
  /**
   * Win rate of each strategy under each policy, side by side: net (after
   * fees; the headline) and gross (before fees: how often the price path pays
   * at all). `fallsAsTargetWidens` is judged on the gross win rate, the pure
   * effect of moving the target away (net, a target smaller than the fees
   * "wins" 0% whatever the path does).
   */
  winRates: {
    byStrategy: Record<string, Record<string, number | null>>;
    byStrategyGross: Record<string, Record<string, number | null>>;
    fallsAsTargetWidens: Record<string, boolean | null>;
  };
  data: ReturnType<typeof describeTape>;
  entries: {
    source: 'strategy' | 'log' | 'strategy+log';
    count: number;
    perStrategy: Record<string, number>;
    preset: string;
    file?: string;
    skipped?: number;
  };
  settings: {
    fees: { maker: number; taker: number; model: string };
    slippageBps: number;
    notional: number;
    initialCapital: number;
    maxHoldMs: number | null;
    claimedWinRate: number;
  };
  notes: string[];
  warnings: string[];
  /** Ledger rows per policy name (all strategies), sorted by entry time. */
  ledgers: Record<string, LedgerRow[]>;
}

const NOTES = [
  'Each exit policy is simulated independently from every entry, so all policies see the same entries; positions may overlap and there is no compounding: every trade has the same notional.',
  "Strategy entries are the engine's entry fills under the base preset (its limits, gate and exits decide when it re-enters). Trade-log entries (strategy id 'log') fill at the log's time and price, on the first tape row at or after that time, as taker.",
  "Fill rules are the engine's with no minimum hold: ticks — stop-market filled at the triggering print, target filled at its price (maker) only on a print strictly through it, signal exits filled on the next print, time exits at the first print at or after entry + maxHoldMs; bars — stop at the stop price or the gapped open, target at its price, stop first when one bar reaches both; open positions close at the last price ('end').",
  'breakEvenWinRate = avgLoss / (avgWin + avgLoss) from realised net averages; breakEvenWinRateTheoretical = loss / (win + loss) with win = target − entry fee − maker fee, loss = stop + entry fee + taker fee (+ stop slippage), i.e. (stop + fees) / (stop + target) when both outcomes pay the same fees.',
  'breakEvenWinRate is null unless the policy has both wins and losses. planClaim.holds requires all of: claimed win rate above the break-even (realised, else theoretical), observed win rate at least the claimed one, and positive net edge per trade; planClaim.conclusive says whether the 95% win-rate interval excludes the break-even.',
  "winRates.fallsAsTargetWidens: for bracket policies with the same stop, the gross (before-fee) win rate never rises as the target moves further away (null with fewer than two such policies). Net, a target at or below the round-trip fees cannot win at all.",
];

function notionalOf(cfg: RunConfig): number {
  const s = cfg.engine.sizing;
  return s.mode === 'fixed' ? s.notional : cfg.engine.initialCapital * s.fraction;
}

function isRatio3(p: Pick<ExitPolicy, 'signalExit' | 'stopPct' | 'targetPct'>): boolean {
  return !p.signalExit && p.stopPct !== null && p.targetPct !== null && Math.abs(p.targetPct / p.stopPct - 3) < 1e-9;
}

export function compareExits(tape: MarketTape, opts: CompareExitsOptions): CompareExitsResult {
  const ids = opts.strategies ?? [];
  if (ids.length === 0 && opts.entriesLog === undefined) throw new UserError('compare-exits needs entries: strategies and/or a trade log');
  if (ids.includes(LOG_ID)) throw new UserError(`strategy id '${LOG_ID}' is reserved for trade-log entries`);
  const preset = opts.preset ?? 'phase2';
  const config = resolveRunConfig({ preset, strategies: ids, overrides: opts.config });
  const fees = makeFeeModel(config.engine.fees);
  const slippage = makeSlippageModel(config.engine.slippageBps);
  const notional = notionalOf(config);
  if (!(notional > 0)) throw new UserError(`the preset's sizing gives a notional of ${notional}; need > 0`);
  const maxHoldMs = opts.maxHoldMs ?? null;
  if (maxHoldMs !== null && !(Number.isFinite(maxHoldMs) && maxHoldMs > 0)) throw new UserError(`maxHoldMs must be a positive number, got ${maxHoldMs}`);
  const claimed = opts.claimedWinRate ?? PLAN_CLAIMED_WIN_RATE;
  const includeSignal = (opts.includeSignal ?? true) && ids.length > 0;

  const policies: ExitPolicy[] = [...(opts.policies ?? DEFAULT_RATIOS.map(([reward, risk]) => ratioPolicy(reward, risk, opts.stopPct ?? DEFAULT_STOP_PCT, maxHoldMs)))];
  if (includeSignal && !policies.some((p) => p.name === 'signal')) policies.push(signalPolicy(maxHoldMs));
  const seen = new Set<string>();
  for (const p of policies) {
    if (seen.has(p.name)) throw new UserError(`exit policy '${p.name}' is given twice`);
    seen.add(p.name);
  }
  if (policies.length === 0) throw new UserError('no exit policies to compare');

  const warnings: string[] = [];
  const sources: Record<string, StrategyEntries> = ids.length ? strategyEntries(tape, config, ids, policies.some((p) => p.signalExit)) : {};
  let logFile: string | undefined;
  let skipped: number | undefined;
  if (opts.entriesLog !== undefined) {
    const log = typeof opts.entriesLog === 'string' ? { file: opts.entriesLog, trades: readEntryLog(opts.entriesLog) } : opts.entriesLog;
    logFile = log.file;
    const placed = placeLogEntries(tape, log.trades, { file: log.file, priceTolerancePct: opts.priceTolerancePct });
    warnings.push(...placed.warnings);
    skipped = placed.skipped;
    sources[LOG_ID] = { entries: placed.entries };
  }
  const allIds = Object.keys(sources);

  const rates = { maker: fees.rate('maker'), taker: fees.rate('taker'), slippageBps: config.engine.slippageBps };
  const results: PolicyResult[] = [];
  const ledgers: Record<string, LedgerRow[]> = {};
  for (const policy of policies) {
    const theoretical = theoreticalBreakEven(policy.stopPct, policy.targetPct, rates);
    const strategies: Record<string, PolicyStats> = {};
    const rows: LedgerRow[] = [];
    for (const id of allIds) {
      const src = sources[id];
      if (policy.signalExit && !src.exitSignals) continue; // the log (or a strategy without exit signals) has no signal exit
      let capital = config.engine.initialCapital;
      const own: LedgerRow[] = [];
      for (const e of src.entries) {
        const tr = exitFrom(tape, e.index, e.side, e.price, policy, { fees, slippage, notional }, { entryTime: e.time, exitSignals: src.exitSignals });
        capital += tr.netPnl;
        own.push({
          strategy: id,
          side: tr.side > 0 ? 'long' : 'short',
          entryTime: tr.entryTime,
          entryPrice: tr.entryPrice,
          exitTime: tr.exitTime,
          exitPrice: tr.exitPrice,
          qty: tr.qty,
          stopPrice: tr.stopPrice,
          targetPrice: tr.targetPrice,
          entryFee: tr.entryFee,
          exitFee: tr.exitFee,
          entryLiquidity: tr.entryLiquidity,
          exitLiquidity: tr.exitLiquidity,
          grossPnl: tr.grossPnl,
          netPnl: tr.netPnl,
          exitReason: tr.exitReason,
          holdMs: tr.exitTime - tr.entryTime,
          exitDelayedBy: null,
          blockedSignals: 0,
          blockedBy: null,
          capitalAfter: capital,
          entryIndex: tr.entryIndex,
          exitIndex: tr.exitIndex,
          entryIso: new Date(tr.entryTime).toISOString(),
          exitIso: new Date(tr.exitTime).toISOString(),
        });
      }
      strategies[id] = policyStats(own, notional, theoretical);
      rows.push(...own);
    }
    rows.sort((a, b) => a.entryTime - b.entryTime || a.strategy.localeCompare(b.strategy));
    ledgers[policy.name] = rows;
    results.push({
      name: policy.name,
      label: policy.label,
      stopPct: policy.stopPct,
      targetPct: policy.targetPct,
      signalExit: policy.signalExit,
      maxHoldMs: policy.maxHoldMs,
      strategies,
    });
  }

  // The plan's claim, on the 3:1 policy (the one at the base stop when there are several).
  const base = opts.stopPct ?? DEFAULT_STOP_PCT;
  const three = results.find((p) => isRatio3(p) && p.stopPct === base) ?? results.find((p) => isRatio3(p)) ?? null;
  const claim: Record<string, PlanClaimCheck> = {};
  if (three) for (const [id, s] of Object.entries(three.strategies)) claim[id] = checkPlanClaim(s, claimed);

  // Win rates side by side, and whether they fall as the target moves away (same stop).
  const byStrategy: Record<string, Record<string, number | null>> = {};
  const byStrategyGross: Record<string, Record<string, number | null>> = {};
  const falls: Record<string, boolean | null> = {};
  for (const id of allIds) {
    byStrategy[id] = {};
    byStrategyGross[id] = {};
    for (const p of results) {
      if (!p.strategies[id]) continue;
      byStrategy[id][p.name] = p.strategies[id].winRate;
      byStrategyGross[id][p.name] = p.strategies[id].winRateGross;
    }
    const brackets = results
      .filter((p) => !p.signalExit && p.stopPct !== null && p.targetPct !== null && p.strategies[id]?.winRateGross != null)
      .map((p) => ({ stopPct: p.stopPct!, targetPct: p.targetPct!, winRateGross: p.strategies[id].winRateGross! }));
    falls[id] = grossWinRateFallsAsTargetWidens(brackets);
  }

  const perStrategy = Object.fromEntries(allIds.map((id) => [id, sources[id].entries.length]));
  const count = Object.values(perStrategy).reduce((a, b) => a + b, 0);
  return {
    policies: results,
    planClaim: { policy: three?.name ?? null, stopPct: three?.stopPct ?? null, targetPct: three?.targetPct ?? null, claimedWinRate: claimed, strategies: claim },
    winRates: { byStrategy, byStrategyGross, fallsAsTargetWidens: falls },
    data: describeTape(tape),
    entries: {
      source: ids.length && logFile ? 'strategy+log' : logFile ? 'log' : 'strategy',
      count,
      perStrategy,
      preset,
      ...(logFile ? { file: logFile, skipped } : {}),
    },
    settings: {
      fees: { maker: rates.maker, taker: rates.taker, model: fees.name },
      slippageBps: config.engine.slippageBps,
      notional,
      initialCapital: config.engine.initialCapital,
      maxHoldMs,
      claimedWinRate: claimed,
    },
    notes: NOTES,
    warnings,
    ledgers,
  };
}


/** The `compare-exits.json` document (everything but the ledgers). */
export function compareExitsJson(res: CompareExitsResult, extra: Record<string, unknown> = {}): string {
  const { ledgers: _ledgers, ...doc } = res;
  void _ledgers;
  return toJsonDocument({ ...doc, ...extra });
}

/** Write compare-exits.json and one `<policy>-trades.csv` per policy, atomically together. Returns the file names. */
export function writeCompareExitsOutputs(outDir: string, res: CompareExitsResult, extra: Record<string, unknown> = {}): string[] {
  const files: Record<string, string> = { 'compare-exits.json': compareExitsJson(res, extra) };
  for (const p of res.policies) files[`${p.name}-trades.csv`] = ledgerToCsv(res.ledgers[p.name]);
  writeOutputsAtomic(outDir, files);
  return Object.keys(files);
}
