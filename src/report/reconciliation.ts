/**
 * Live vs backtest reconciliation: replay each live entry through the
 * engine's own fill and exit rules (the strategy's configured bracket, time
 * and signal exits, minimum hold; src/backtest/engine.ts — no second
 * simulator), and compare trade by trade.
 *
 * Conventions (written to the report's notes):
 * - A live entry at time T is a decision on the row before the first tape row
 *   at or after T, so the engine fills it on that row (ticks: that print;
 *   bars: the first bar opening at or after T). That row's price is "the
 *   market at that time" for the entry slippage.
 * - The replay runs without frequency limits (the live bot already took
 *   these entries) and at unit notional; each replayed trade is then scaled to
 *   the live trade's base quantity, so P&L and fees compare like for like.
 * - The engine holds one position per strategy: a live entry that falls
 *   while the replay of an earlier one is still open is replayed in a further
 *   pass (each pass is one engine run), so every entry is replayed on its own.
 * - Exit slippage compares the live exit price with the replay's exit price
 *   when the replay exited on the same row (same event, the engine's fill for
 *   it), otherwise with the market at the live exit time (as for entries).
 * - Slippage is signed so that positive = worse for the trader: paying more
 *   on a buy (long entry, short exit), receiving less on a sell.
 * - Live edge/trade − replayed edge/trade gets a 95% paired bootstrap
 *   interval (analytics/bootstrap.ts) over the per-trade differences.
 */
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import { describeTape, lowerBound } from '../data/tape';
import { runBarEngine, runTickEngine } from '../backtest/engine';
import type { StrategySignals } from '../core/signals';
import { executionContext } from '../run/run';
import { resolveRunConfig, type PresetFile, type RunConfig } from '../config/run-config';
import { getStrategy } from '../strategies/registry';
import { bootstrapMeanCI } from '../analytics/bootstrap';
import type { LedgerRow } from '../core/ledger';
import type { TradeLogTrade } from '../data/readers/trade-log/types';

/** What reconciliation needs of a live trade: the fields of the one trade-log schema it reads. */
export type LiveTrade = Pick<
  TradeLogTrade,
  'strategy' | 'side' | 'entryTime' | 'exitTime' | 'entryPrice' | 'exitPrice' | 'qty' | 'entryFee' | 'exitFee' | 'netPnl' | 'exitReason' | 'source'
>;

export interface ReconciledTrade {
  file: string;
  line: number;
  side: 'long' | 'short';
  entryTime: number;
  liveEntryPrice: number;
  marketEntryPrice: number;
  entrySlippageBps: number;
  liveExitTime: number;
  replayExitTime: number;
  liveExitPrice: number;
  /** The replay's exit price when it exited on the same row, else the market at the live exit time. */
  exitReferencePrice: number;
  exitSlippageBps: number;
  liveExitReason: string | null;
  replayExitReason: string;
  /** Same exit row and (when the live log says) the same reason. */
  sameExit: boolean;
  liveNetPnl: number;
  replayNetPnl: number;
  liveFees: number;
  replayFees: number;
}

export interface StrategyReconciliation {
  strategy: string;
  /** Live closed trades of the strategy in the inputs. */
  trades: number;
  /** Replayed and matched to a live trade. */
  matched: number;
  /** Entries outside the market data's span (not replayed). */
  notCovered: number;
  entrySlippageBpsMean: number | null;
  exitSlippageBpsMean: number | null;
  /** Fraction of matched trades whose live exit reason (when the log has one) equals the replay's. */
  exitReasonAgreement: number | null;
  exitReasonsCompared: number;
  /** Matched trades the replay exited on another row or for another reason. */
  exitedDifferently: number;
  /** Live fees − replay fees, total and per trade (quote). */
  feeDriftTotal: number;
  feeDriftPerTrade: number | null;
  liveEdgePerTrade: number | null;
  replayEdgePerTrade: number | null;
  /** 95% paired bootstrap interval of live − replay net P&L per trade. */
  differenceCi: [number, number] | null;
  perTrade: ReconciledTrade[];
  notes: string[];
}

export interface ReconcileOptions {
  preset?: string;
  config?: PresetFile | string;
  /** Bootstrap resamples and seed for the difference interval. */
  samples?: number;
  seed?: number;
}

export type ReconcileResult = Record<string, StrategyReconciliation | { strategy: string; skipped: string }>;

const bpsOf = (actual: number, reference: number, buy: boolean) => ((buy ? actual - reference : reference - actual) / reference) * 10_000;

function mean(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** The market price "at" time t: the first print (ticks) or bar open (bars) at or after t; null outside the tape. */
function marketRowAt(tape: MarketTape, t: number): number {
  return lowerBound(tape.time, t);
}
function rowPrice(tape: MarketTape, i: number): number {
  return tape.kind === 'trades' ? (tape as TradeTape).price[i] : (tape as BarTape).open[i];
}

/** Replay one strategy's live trades; see the module notes. */
export function reconcileStrategy(tape: MarketTape, id: string, live: readonly LiveTrade[], config: RunConfig, opts: ReconcileOptions = {}): StrategyReconciliation {
  const settings = config.strategies[id];
  const n = tape.length;
  const unitConfig: RunConfig = { ...config, engine: { ...config.engine, sizing: { mode: 'fixed', notional: 1 }, initialCapital: 1e12 } };
  const ctx = executionContext(tape, unitConfig);
  const rules = { ...settings.rules, limits: null };
  const exitSig = rules.signalExit ? getStrategy(id).signals(tape, settings.params).exit : undefined;
  const notes: string[] = [];
  const lastT = tape.time[n - 1];
  // Fill row of each live entry; entries the tape cannot replay are counted, not guessed.
  const pending: { k: number; row: number }[] = [];
  let notCovered = 0;
  live.forEach((t, k) => {
    const row = marketRowAt(tape, t.entryTime);
    if (row < 1 || row >= n || t.entryTime < tape.time[0] || t.exitTime > lastT) notCovered++;
    else pending.push({ k, row });
  });
  const replayed = new Map<number, LedgerRow>();
  let todo = pending;
  while (todo.length) {
    const entry = new Int8Array(n);
    const wanted = new Map<number, number>();
    const next: typeof todo = [];
    for (const p of todo) {
      if (wanted.has(p.row)) {
        next.push(p);
        continue;
      }
      entry[p.row - 1] = live[p.k].side === 'long' ? 1 : -1;
      wanted.set(p.row, p.k);
    }
    const sig: StrategySignals = { entry, ...(exitSig ? { exit: exitSig } : {}) };
    const res = tape.kind === 'trades' ? runTickEngine(tape as TradeTape, sig, rules, ctx) : runBarEngine(tape as BarTape, sig, rules, ctx);
    const got = new Set<number>();
    // A trade belongs to the latest entry decision before its fill: the next row for taker entries, a later
    // one when a maker entry rests (with one position per strategy no other decision can come in between).
    const rowsWanted = [...wanted.keys()].sort((a, b) => a - b);
    for (const row of res.ledger.toRows(id)) {
      let lo = 0;
      let hi = rowsWanted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (rowsWanted[mid] <= row.entryIndex) lo = mid + 1;
        else hi = mid;
      }
      const k = lo > 0 ? wanted.get(rowsWanted[lo - 1]) : undefined;
      if (k !== undefined && !got.has(k)) {
        replayed.set(k, row);
        got.add(k);
      }
    }
    for (const p of todo) if (wanted.get(p.row) === p.k && !got.has(p.k)) next.push(p);
    if (next.length === todo.length) {
      notes.push(`${next.length} entries could not be replayed (the replay never became flat before them)`);
      break;
    }
    todo = next;
  }

  const perTrade: ReconciledTrade[] = [];
  for (const [k, r] of [...replayed.entries()].sort((a, b) => a[0] - b[0])) {
    const t = live[k];
    const buy = t.side === 'long';
    const scale = t.qty / r.qty;
    // The market when the live bot entered (a resting maker entry of the replay may fill later).
    const marketEntry = rowPrice(tape, marketRowAt(tape, t.entryTime));
    const liveExitRow = marketRowAt(tape, t.exitTime);
    const sameRow = liveExitRow === r.exitIndex;
    const exitRef = sameRow ? r.exitPrice : rowPrice(tape, Math.min(n - 1, liveExitRow));
    const reasonKnown = t.exitReason !== null && t.exitReason !== undefined;
    perTrade.push({
      file: t.source.file,
      line: t.source.line,
      side: t.side,
      entryTime: t.entryTime,
      liveEntryPrice: t.entryPrice,
      marketEntryPrice: marketEntry,
      entrySlippageBps: bpsOf(t.entryPrice, marketEntry, buy),
      liveExitTime: t.exitTime,
      replayExitTime: r.exitTime,
      liveExitPrice: t.exitPrice,
      exitReferencePrice: exitRef,
      exitSlippageBps: bpsOf(t.exitPrice, exitRef, !buy),
      liveExitReason: t.exitReason,
      replayExitReason: r.exitReason,
      sameExit: sameRow && (!reasonKnown || t.exitReason === r.exitReason),
      liveNetPnl: t.netPnl,
      replayNetPnl: r.netPnl * scale,
      liveFees: t.entryFee + t.exitFee,
      replayFees: (r.entryFee + r.exitFee) * scale,
    });
  }
  const compared = perTrade.filter((p) => p.liveExitReason !== null && p.liveExitReason !== undefined);
  const diffs = perTrade.map((p) => p.liveNetPnl - p.replayNetPnl);
  let differenceCi: [number, number] | null = null;
  if (diffs.length >= 2) {
    const b = bootstrapMeanCI(diffs, { samples: opts.samples ?? 5000, seed: opts.seed ?? 1 });
    differenceCi = b.ci;
  }
  const feeDrift = perTrade.map((p) => p.liveFees - p.replayFees);
  if (tape.kind === 'bars') notes.push('on bars the market at a time is the open of the first bar at or after it; a trade tape gives exact slippage');
  if (notCovered) notes.push(`${notCovered} of ${live.length} trades lie outside the market data (${describeTape(tape).from} → ${describeTape(tape).to}) and were not replayed`);
  return {
    strategy: id,
    trades: live.length,
    matched: perTrade.length,
    notCovered,
    entrySlippageBpsMean: mean(perTrade.map((p) => p.entrySlippageBps)),
    exitSlippageBpsMean: mean(perTrade.map((p) => p.exitSlippageBps)),
    exitReasonAgreement: compared.length ? compared.filter((p) => p.liveExitReason === p.replayExitReason).length / compared.length : null,
    exitReasonsCompared: compared.length,
    exitedDifferently: perTrade.filter((p) => !p.sameExit).length,
    feeDriftTotal: feeDrift.reduce((a, b) => a + b, 0),
    feeDriftPerTrade: mean(feeDrift),
    liveEdgePerTrade: mean(perTrade.map((p) => p.liveNetPnl)),
    replayEdgePerTrade: mean(perTrade.map((p) => p.replayNetPnl)),
    differenceCi,
    perTrade,
    notes,
  };
}

/**
 * Reconcile every strategy of a log that edgelab knows (its rules come from
 * the preset + config); others are listed as skipped with the reason.
 */
export function reconcile(tape: MarketTape, trades: readonly LiveTrade[], opts: ReconcileOptions = {}): ReconcileResult {
  const by = new Map<string, LiveTrade[]>();
  for (const t of trades) {
    if (!by.has(t.strategy)) by.set(t.strategy, []);
    by.get(t.strategy)!.push(t);
  }
  const out: ReconcileResult = {};
  for (const [id, list] of [...by.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    try {
      getStrategy(id);
    } catch {
      out[id] = { strategy: id, skipped: `'${id}' is not an edgelab strategy, so its rules are unknown; the replay needs them` };
      continue;
    }
    const config = resolveRunConfig({ preset: opts.preset ?? 'phase3', strategies: [id], overrides: opts.config });
    if (config.engine.execution.mode === 'maker' && tape.kind !== 'trades') {
      out[id] = { strategy: id, skipped: 'its configuration posts maker entries, which need a trade tape to replay (resting limits fill on prints)' };
      continue;
    }
    list.sort((a, b) => a.entryTime - b.entryTime);
    out[id] = reconcileStrategy(tape, id, list, config, opts);
  }
  return out;
}
