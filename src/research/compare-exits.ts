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
 *   user's trade log CSV (`time,side,price`), strategy id `log`. A log entry
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
 * - **Fill rules are the engine's** (src/backtest/engine.ts), with no minimum
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
 */
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import { describeTape, lowerBound } from '../data/tape';
import type { FeeModel } from '../execution/fees';
import { makeFeeModel } from '../execution/fees';
import { NO_SLIPPAGE, makeSlippageModel, type SlippageModel } from '../execution/slippage';
import { EXIT_REASONS, type ExitReason, type LedgerRow, type Liquidity } from '../backtest/ledger';
import { ledgerToCsv } from '../backtest/output';
import { runWithConfig } from '../backtest/run';
import { resolveRunConfig, type PresetFile, type RunConfig } from '../config/run-config';
import { getStrategy } from '../strategies/registry';
import { planMetrics } from '../analytics/metrics';
import { wilsonInterval } from '../analytics/stats';
import { epochDigitsToMs, isoTextToMs } from '../data/readers/columns';
import { forEachLine } from '../data/readers/lines';
import { writeOutputsAtomic } from '../util/atomic-write';
import { toJsonDocument } from '../util/json';
import { UserError } from '../util/errors';

/** Same tolerance as the engine: a print AT the target is not through it; a print at the stop triggers it. */
const EPS = 1e-12;

/** The plan's claim (Phase 2): "27% WR + 3:1 R:R is winning". */
export const PLAN_CLAIMED_WIN_RATE = 0.27;
/** The plan's base stop, percent. */
export const DEFAULT_STOP_PCT = 0.5;
export const DEFAULT_RATIOS = '1:1,3:1';
/** Strategy id used for entries that come from a user's trade log. */
export const LOG_ID = 'log';

// ─── Policies ────────────────────────────────────────────────────────────────

export interface ExitPolicy {
  /** File-name-safe id, used in the JSON and as `<name>-trades.csv` (e.g. `3to1`, `s0.5-t1.5`, `signal`). */
  name: string;
  /** Human label (e.g. `3:1`, `0.5%/1.5%`, `signal`). */
  label: string;
  /** Stop distance in percent of the entry price; null for none. */
  stopPct: number | null;
  targetPct: number | null;
  /** Close on the strategy's own exit signal. */
  signalExit: boolean;
  /** Close at the first print (bar open) at or after entry + maxHoldMs; null for none. */
  maxHoldMs: number | null;
}

const fmtNum = (x: number) => String(Number(x.toPrecision(12)));

function positive(x: number, what: string): number {
  if (!(Number.isFinite(x) && x > 0)) throw new UserError(`${what} must be a positive number, got '${x}'`);
  return x;
}

/** A bracket with target = ratio × stop, e.g. ratioPolicy(3, 1, 0.5) → `3to1`, stop 0.5%, target 1.5%. */
export function ratioPolicy(reward: number, risk: number, stopPct: number, maxHoldMs: number | null = null): ExitPolicy {
  positive(reward, 'ratio reward');
  positive(risk, 'ratio risk');
  positive(stopPct, '--stop-pct');
  return {
    name: `${fmtNum(reward)}to${fmtNum(risk)}`,
    label: `${fmtNum(reward)}:${fmtNum(risk)}`,
    stopPct,
    targetPct: Number(((stopPct * reward) / risk).toPrecision(12)),
    signalExit: false,
    maxHoldMs,
  };
}

/** An explicit stop/target pair in percent. */
export function pairPolicy(stopPct: number, targetPct: number, maxHoldMs: number | null = null): ExitPolicy {
  return {
    name: `s${fmtNum(stopPct)}-t${fmtNum(targetPct)}`,
    label: `${fmtNum(stopPct)}%/${fmtNum(targetPct)}%`,
    stopPct,
    targetPct,
    signalExit: false,
    maxHoldMs,
  };
}

/** The strategy's own signal exit (no bracket). */
export function signalPolicy(maxHoldMs: number | null = null): ExitPolicy {
  return { name: 'signal', label: 'signal', stopPct: null, targetPct: null, signalExit: true, maxHoldMs };
}

/** `--ratios 1:1,3:1,2` (reward:risk; a bare number means n:1) at a fixed stop. */
export function parseRatios(spec: string, stopPct: number, maxHoldMs: number | null = null): ExitPolicy[] {
  positive(stopPct, '--stop-pct');
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([0-9]*\.?[0-9]+)(?::([0-9]*\.?[0-9]+))?$/.exec(s);
      if (!m) throw new UserError(`--ratios '${s}': expected reward:risk such as 3:1`);
      const reward = Number(m[1]);
      const risk = m[2] === undefined ? 1 : Number(m[2]);
      if (!(reward > 0 && risk > 0)) throw new UserError(`--ratios '${s}': both sides must be > 0`);
      return ratioPolicy(reward, risk, stopPct, maxHoldMs);
    });
}

/** `--pairs 0.5/1.5,0.3/0.9` (stop%/target%). */
export function parsePairs(spec: string, maxHoldMs: number | null = null): ExitPolicy[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([0-9]*\.?[0-9]+)\/([0-9]*\.?[0-9]+)$/.exec(s);
      if (!m) throw new UserError(`--pairs '${s}': expected stop/target in percent such as 0.5/1.5`);
      const stop = Number(m[1]);
      const target = Number(m[2]);
      if (!(stop > 0 && target > 0)) throw new UserError(`--pairs '${s}': stop and target must be > 0`);
      return pairPolicy(stop, target, maxHoldMs);
    });
}

// ─── One exit from one entry ─────────────────────────────────────────────────

/** What a simulated trade costs: fee and slippage models and the notional of every trade. */
export interface ExitCosts {
  fees: FeeModel;
  /** Applied to taker fills (stop, signal, time, end exits), as in the engine. Default none. */
  slippage?: SlippageModel;
  /** Quote notional of the position: qty = notional / entryPrice. */
  notional: number;
  /** Liquidity of the entry fill (default taker, as the engine fills entries). */
  entryLiquidity?: Liquidity;
}

export interface ExitOptions {
  /** Entry time (ms); default the tape time of the entry row. A trade-log entry passes its own time. */
  entryTime?: number;
  /** The strategy's exit requests (bit 1 exit long, bit 2 exit short); required by signal-exit policies. */
  exitSignals?: Uint8Array;
}

export interface SimulatedTrade {
  side: 1 | -1;
  entryIndex: number;
  entryTime: number;
  entryPrice: number;
  exitIndex: number;
  exitTime: number;
  exitPrice: number;
  exitReason: ExitReason;
  entryLiquidity: Liquidity;
  exitLiquidity: Liquidity;
  stopPrice: number | null;
  targetPrice: number | null;
  qty: number;
  entryFee: number;
  exitFee: number;
  grossPnl: number;
  netPnl: number;
}

/**
 * Simulate one exit policy from one entry, scanning forward from `entryRow`
 * with exactly the engine's fill rules (module notes). `entryPrice` is the
 * entry fill price (the engine's, or the trade log's); stop and target are
 * set from it.
 */
export function exitFrom(
  tape: MarketTape,
  entryRow: number,
  side: 1 | -1,
  entryPrice: number,
  policy: ExitPolicy,
  costs: ExitCosts,
  opts: ExitOptions = {},
): SimulatedTrade {
  const n = tape.length;
  if (!(Number.isInteger(entryRow) && entryRow >= 0 && entryRow < n)) throw new RangeError(`entryRow ${entryRow} is outside the tape (0..${n - 1})`);
  if (side !== 1 && side !== -1) throw new RangeError(`side must be +1 or -1, got ${side}`);
  if (!(Number.isFinite(entryPrice) && entryPrice > 0)) throw new RangeError(`entryPrice must be > 0, got ${entryPrice}`);
  if (!(Number.isFinite(costs.notional) && costs.notional > 0)) throw new RangeError(`notional must be > 0, got ${costs.notional}`);
  for (const [k, v] of [['stopPct', policy.stopPct], ['targetPct', policy.targetPct], ['maxHoldMs', policy.maxHoldMs]] as const) {
    if (v !== null && !(Number.isFinite(v) && v > 0)) throw new RangeError(`${policy.name}: ${k} must be a positive number or null, got ${v}`);
  }
  const exitSig = policy.signalExit ? opts.exitSignals : undefined;
  if (policy.signalExit && !exitSig) throw new RangeError(`${policy.name}: a signal-exit policy needs the strategy's exit signals`);
  if (exitSig && exitSig.length !== n) throw new RangeError(`exit signals cover ${exitSig.length} rows, tape has ${n}`);

  const slip = costs.slippage ?? NO_SLIPPAGE;
  const stop = policy.stopPct === null ? NaN : entryPrice * (1 - (side * policy.stopPct) / 100);
  const target = policy.targetPct === null ? NaN : entryPrice * (1 + (side * policy.targetPct) / 100);
  const stopTrig = stop * (1 + side * EPS);
  const targetTrig = target * (1 + side * EPS);
  const maxHold = policy.maxHoldMs ?? Infinity;
  const entryTime = opts.entryTime ?? tape.time[entryRow];
  const bit = side > 0 ? 1 : 2;
  const time = tape.time;

  let exitIndex = n - 1;
  let exitTime: number;
  let exitPrice: number;
  let reason: ExitReason = 'end';
  let liq: Liquidity = 'taker';

  if (tape.kind === 'trades') {
    const price = (tape as TradeTape).price;
    exitTime = time[n - 1];
    exitPrice = slip.fillPrice(price[n - 1], -side);
    let pendingExit = false;
    // The entry print itself cannot trigger the bracket (engine: `continue` after the fill).
    for (let i = entryRow + 1; i < n; i++) {
      const p = price[i];
      const stopHit = side > 0 ? p <= stopTrig : p >= stopTrig;
      const targetHit = side > 0 ? p > targetTrig : p < targetTrig;
      let r: ExitReason | null = null;
      if (stopHit) {
        r = 'stop';
        exitPrice = slip.fillPrice(p, -side);
      } else if (targetHit) {
        r = 'target';
        exitPrice = target;
        liq = 'maker';
      } else if (pendingExit) {
        r = 'signal';
        exitPrice = slip.fillPrice(p, -side);
      } else if (time[i] - entryTime >= maxHold) {
        r = 'time';
        exitPrice = slip.fillPrice(p, -side);
      } else if (exitSig && (exitSig[i] & bit) !== 0) {
        pendingExit = true; // decided on this print, filled on the next
      }
      if (r !== null) {
        reason = r;
        exitIndex = i;
        exitTime = time[i];
        break;
      }
    }
  } else {
    const bars = tape as BarTape;
    const { open, high, low, close } = bars;
    exitTime = time[n - 1] + bars.timeframeMs;
    exitPrice = slip.fillPrice(close[n - 1], -side);
    let pendingExit = false;
    for (let i = entryRow; i < n; i++) {
      const t = time[i];
      const o = open[i];
      let r: ExitReason | null = null;
      if (i > entryRow && pendingExit) {
        r = 'signal';
        exitPrice = slip.fillPrice(o, -side);
      } else if (i > entryRow && t - entryTime >= maxHold) {
        r = 'time';
        exitPrice = slip.fillPrice(o, -side);
      } else {
        // The bracket inside this bar (the entry bar counts); stop first when both.
        const openBeyondStop = side > 0 ? o <= stopTrig : o >= stopTrig;
        const stopHit = side > 0 ? low[i] <= stopTrig : high[i] >= stopTrig;
        const targetHit = side > 0 ? high[i] > targetTrig : low[i] < targetTrig;
        if (stopHit) {
          r = 'stop';
          exitPrice = slip.fillPrice(openBeyondStop ? o : stop, -side);
        } else if (targetHit) {
          r = 'target';
          exitPrice = target;
          liq = 'maker';
        } else if (exitSig && (exitSig[i] & bit) !== 0) {
          pendingExit = true; // decided at this bar's close, filled at the next open
        }
      }
      if (r !== null) {
        reason = r;
        exitIndex = i;
        exitTime = t;
        break;
      }
    }
  }

  const qty = costs.notional / entryPrice;
  const entryLiquidity = costs.entryLiquidity ?? 'taker';
  const entryFee = entryPrice * qty * costs.fees.rate(entryLiquidity);
  const exitFee = exitPrice * qty * costs.fees.rate(liq);
  const grossPnl = side * (exitPrice - entryPrice) * qty;
  return {
    side,
    entryIndex: entryRow,
    entryTime,
    entryPrice,
    exitIndex,
    exitTime,
    exitPrice,
    exitReason: reason,
    entryLiquidity,
    exitLiquidity: liq,
    stopPrice: Number.isNaN(stop) ? null : stop,
    targetPrice: Number.isNaN(target) ? null : target,
    qty,
    entryFee,
    exitFee,
    grossPnl,
    netPnl: grossPnl - entryFee - exitFee,
  };
}

// ─── Entries ─────────────────────────────────────────────────────────────────

export interface Entry {
  /** Tape row of the entry fill. */
  index: number;
  side: 1 | -1;
  price: number;
  time: number;
}

/** One line of a user's trade log. */
export interface LogTrade {
  time: number;
  side: 1 | -1;
  price: number;
  /** 1-based line in the file. */
  line: number;
}

const LOG_SIDES: Record<string, 1 | -1> = { buy: 1, long: 1, b: 1, sell: -1, short: -1, s: -1 };

function unquote(s: string): string {
  return s.trim().replace(/^"(.*)"$/, '$1').trim();
}

/**
 * Read a trade log CSV: header with `time` (or `timestamp`/`date`), `side`
 * (buy/sell/long/short) and `price` columns, any order, other columns
 * ignored; time as epoch digits (ms; 10/16/19 digits read as s/µs/ns) or an
 * ISO UTC date-time. Every problem is a UserError naming the file and line.
 * Rows are returned sorted by time (stable).
 */
export function readTradeLog(file: string): LogTrade[] {
  const out: LogTrade[] = [];
  let col: { time: number; side: number; price: number } | null = null;
  let width = 0;
  const bad = (line: number, msg: string) => new UserError(`${file}: line ${line}: ${msg}`);
  forEachLine(file, (raw, lineNo) => {
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') return;
    const cells = line.split(',').map(unquote);
    if (col === null) {
      const h = cells.map((c) => c.toLowerCase());
      const find = (...names: string[]) => names.map((x) => h.indexOf(x)).find((i) => i >= 0) ?? -1;
      col = { time: find('time', 'timestamp', 'date'), side: find('side'), price: find('price') };
      const missing = Object.entries(col).filter(([, i]) => i < 0).map(([k]) => k);
      if (missing.length) throw bad(lineNo, `header is missing column(s) ${missing.join(', ')} (expected time,side,price; found: ${h.join(',')})`);
      width = cells.length;
      return;
    }
    if (cells.length !== width) throw bad(lineNo, `expected ${width} columns, found ${cells.length}: '${line.slice(0, 120)}'`);
    const tText = cells[col.time];
    let t = epochDigitsToMs(tText);
    if (!(t === t)) t = isoTextToMs(tText);
    if (!(t === t)) throw bad(lineNo, tText === '' ? 'empty time' : `time '${tText}' is neither epoch milliseconds nor an ISO date-time`);
    const side = LOG_SIDES[cells[col.side].toLowerCase()];
    if (side === undefined) throw bad(lineNo, `side '${cells[col.side]}' is not buy, sell, long or short`);
    const pText = cells[col.price];
    const price = Number(pText);
    if (pText === '' || !(Number.isFinite(price) && price > 0)) throw bad(lineNo, pText === '' ? 'empty price' : `price '${pText}' is not a positive number`);
    out.push({ time: t, side, price, line: lineNo });
  });
  if (col === null) throw new UserError(`${file}: line 1: file is empty (expected a header time,side,price)`);
  if (out.length === 0) throw new UserError(`${file}: no trades after the header`);
  return out.sort((a, b) => a.time - b.time); // Array.prototype.sort is stable
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

// ─── Per-policy statistics ───────────────────────────────────────────────────

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

  const policies: ExitPolicy[] = [...(opts.policies ?? parseRatios(DEFAULT_RATIOS, opts.stopPct ?? DEFAULT_STOP_PCT, maxHoldMs))];
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
    const log = typeof opts.entriesLog === 'string' ? { file: opts.entriesLog, trades: readTradeLog(opts.entriesLog) } : opts.entriesLog;
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
    const brackets = results.filter((p) => !p.signalExit && p.stopPct !== null && p.targetPct !== null && p.strategies[id]?.winRateGross != null);
    let pairs = 0;
    let ok = true;
    for (const a of brackets) {
      for (const b of brackets) {
        if (a.stopPct === b.stopPct && a.targetPct! < b.targetPct!) {
          pairs++;
          if (b.strategies[id].winRateGross! > a.strategies[id].winRateGross!) ok = false;
        }
      }
    }
    falls[id] = pairs ? ok : null;
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
