/**
 * The backtest engine: one pass over a tape, moving a strategy's decisions
 * through gate (frequency limits, minimum hold) → exits (bracket, time,
 * signal) → execution (fills, fees, slippage) → ledger.
 *
 * Event time only: every rule reads the tape's timestamps, never the wall
 * clock. The hot loops walk typed-array indices and allocate nothing per
 * event (the ledger appends into typed arrays that grow geometrically).
 *
 * Fill rules (conservative defaults; see README "Fill rules"). Levels,
 * tolerance, triggers and bracket fill prices live in src/exits/fill-rules.ts;
 * this file only sequences them with the gate, holds and fees:
 *  - Ticks. A decision made on trade i fills as taker at trade i+1's price
 *    (no same-print look-ahead) — or, with an entry execution model (maker
 *    entries, execution/maker-entry.ts), when and where that model fills it. A stop is a stop-market order: triggered by
 *    the first later trade at or beyond the stop level, filled at that trade's
 *    price (plus slippage). A target is a resting limit: filled at the target
 *    price when a trade prints strictly through it (a touch is not a fill).
 *  - Bars. A decision made on bar i's close fills at bar i+1's open. The
 *    entry bar counts for the bracket. A stop fills at the stop price, or at
 *    the open when the bar opens beyond it; a target fills at the target
 *    price when the high (low, for shorts) goes strictly through it. When one
 *    bar reaches both, the stop is taken first, unless a tick tape covering
 *    that bar says which came first.
 */
import type { BarTape, TradeTape } from '../data/tape';
import { lowerBound } from '../data/tape';
import { notePrintsSearched, printBlocksFor, type PrintBlocks } from '../data/print-blocks';
import type { FeeModel } from '../execution/fees';
import type { SlippageModel } from '../execution/slippage';
import { FrequencyLimiter } from '../risk/frequency-limits';
import type { Sizing, TradeRules } from '../core/rules';
import { countDecisions, decisionWords, firstDecisionFrom, firstExitFlagFrom, type StrategySignals } from '../core/signals';
import type { EntryExecution } from '../execution/entry';
import {
  HIT_BOTH,
  HIT_NONE,
  HIT_STOP,
  bracketHitByPrint,
  bracketHitInBar,
  barStopFillPrice,
  firstBracketPrint,
  pctToFraction,
  stopFirst,
  stopLevel,
  targetLevel,
  triggerLevel,
} from '../exits/fill-rules';
import { timeExitDue, timeExitRow } from '../exits/time-exit';
import { firstEventfulBlock } from '../exits/quiet-blocks';
import { LedgerBuilder } from './ledger';

/** Exit reason codes (index into EXIT_REASONS); the bracket's equal the fill rules' hit codes. */
const R_SIGNAL = 0;
const R_STOP = HIT_STOP;
const R_TIME = 3;
const R_END = 4;
const MAKER = 0;
const TAKER = 1;

export interface ExecutionSetup {
  fees: FeeModel;
  /** Entry fills; default taker at the next print. Ticks only. */
  entryExecution?: EntryExecution;
  slippage: SlippageModel;
  sizing: Sizing;
  /** The strategy's starting capital (quote currency). */
  initialCapital: number;
  /** Called between chunks of rows (never per row) with rows done and total. */
  onProgress?: (done: number, total: number) => void;
}

export interface EngineResult {
  ledger: LedgerBuilder;
  /** Entry decisions the strategy made while flat. */
  entrySignals: number;
  /** Of those, refused by each frequency limit. */
  blocked: { minute: number; hour: number; day: number };
  /** Round trips whose exit the minimum hold made later. */
  exitsDelayedByMinHold: number;
  /** Capital at the end. */
  finalCapital: number;
  /**
   * True when capital reached zero. With fraction sizing trading stops there
   * (nothing left to size from); with a fixed notional it goes on, so the
   * strategy's per-trade edge is measured over the whole tape, and
   * `ruinedAt` says when the capital would have run out.
   */
  ruined: boolean;
  /** Time (ms) of the exit that took capital to zero or below; null if never. */
  ruinedAt: number | null;
  /** With an entry execution model: entries filled as maker / as taker, and orders that never filled. */
  entryFills?: { maker: number; taker: number; unfilled: number };
}

const CHUNK = 1 << 20;
/** Prints per block when the tick engine skips an open position's quiet prints (one time read per block). */
const SCAN_BLOCK = 2048;

function validateRules(r: TradeRules): void {
  const pos = (v: number | null, name: string) => {
    if (v !== null && !(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number or null, got ${v}`);
  };
  pos(r.stopPct, 'stopPct');
  pos(r.targetPct, 'targetPct');
  pos(r.maxHoldMs, 'maxHoldMs');
  if (!(Number.isFinite(r.minHoldMs) && r.minHoldMs >= 0)) throw new RangeError(`minHoldMs must be ≥ 0, got ${r.minHoldMs}`);
}

function notionalFor(sizing: Sizing, capital: number): number {
  return sizing.mode === 'fixed' ? sizing.notional : capital * sizing.fraction;
}

/**
 * The first print in [from, end) at which a position open since `entryTime`
 * reaches its bracket or falls due a time exit (held ≥ `timeExitAfter`), or
 * `end`. Blocks of SCAN_BLOCK prints: the price column is scanned for the
 * bracket, and the time column read once a block (at the block's bracket
 * print or its last row) to see whether the time exit fell due inside it.
 */
function nextBracketOrTimeRow(
  time: Float64Array,
  price: Float64Array,
  from: number,
  end: number,
  pos: number,
  stopTrig: number,
  targetTrig: number,
  entryTime: number,
  timeExitAfter: number,
): number {
  let j = from;
  for (;;) {
    const stopAt = end - j > SCAN_BLOCK ? j + SCAN_BLOCK : end;
    const k = firstBracketPrint(price, j, stopAt, pos, stopTrig, targetTrig);
    const last = k < stopAt ? k : stopAt - 1;
    if (last >= j && timeExitDue(time[last], entryTime, timeExitAfter)) return timeExitRow(time, j, last + 1, entryTime, timeExitAfter);
    if (k < stopAt || stopAt === end) return k;
    j = stopAt;
  }
}

/**
 * `nextBracketOrTimeRow` with the tape's block summary (data/print-blocks.ts):
 * the same row, found by testing whole blocks of prints (exits/quiet-blocks.ts)
 * between the partial blocks at either end, which are searched print by print.
 */
function nextBracketOrTimeRowInBlocks(
  time: Float64Array,
  price: Float64Array,
  blocks: PrintBlocks,
  from: number,
  end: number,
  pos: number,
  stopTrig: number,
  targetTrig: number,
  entryTime: number,
  timeExitAfter: number,
): number {
  const size = blocks.size;
  const edge = Math.min(end, from - (from % size) + size); // the end of from's block, or `end`
  const k = nextBracketOrTimeRow(time, price, from, edge, pos, stopTrig, targetTrig, entryTime, timeExitAfter);
  if (k < edge || edge === end) return k;
  const whole = (end - (end % size)) / size; // blocks before this one end at or before `end`
  const b = firstEventfulBlock(blocks, edge / size, whole, pos, stopTrig, targetTrig, entryTime, timeExitAfter);
  // Block b holds the row (or b is the partial block at `end`): search it alone.
  const stopAt = b < whole ? (b + 1) * size : end;
  return nextBracketOrTimeRow(time, price, b * size, stopAt, pos, stopTrig, targetTrig, entryTime, timeExitAfter);
}

/**
 * The first row j in [from, end) with `time[j] − since ≥ win` (where a
 * refusing frequency limit frees), or `end`: the comparison the limiter
 * makes, and monotone in j because tape times are non-decreasing, so an
 * exponential search from `from` then a binary search find the row a
 * row-by-row scan would (near rows cost a few reads, a day away ~2 log n).
 */
function blockedUntil(time: Float64Array, from: number, end: number, since: number, win: number): number {
  let lo = from; // every row before lo is still refused
  let step = 1;
  let hi = from;
  while (hi < end && time[hi] - since < win) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > end) hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] - since < win) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Run one strategy over a trade tape.
 */
export function runTickEngine(tape: TradeTape, sig: StrategySignals, rules: TradeRules, exec: ExecutionSetup): EngineResult {
  validateRules(rules);
  const n = tape.length;
  if (sig.entry.length !== n) throw new RangeError(`signals cover ${sig.entry.length} rows, tape has ${n}`);
  const time = tape.time;
  const price = tape.price;
  const entrySig = sig.entry;
  // The same bytes four at a time, for skipping rows without a decision (null when the view cannot be aligned).
  const entryWords = decisionWords(entrySig);
  // The tape's block summary, once its backtests have searched as many prints as building
  // it reads (data/print-blocks.ts); until then the prints searched are counted.
  const blocks = printBlocksFor(tape);
  let searched = 0;
  const nextDecision = firstDecisionFrom; // a local: see hitByPrint below
  const nextExitEvent = nextBracketOrTimeRow;
  const nextExitEventInBlocks = nextBracketOrTimeRowInBlocks;
  const nextExitFlag = firstExitFlagFrom;
  const exitSig = rules.signalExit && sig.exit ? sig.exit : null;
  const limiter = new FrequencyLimiter(rules.limits);
  const ledger = new LedgerBuilder();
  const makerRate = exec.fees.rate('maker');
  const takerRate = exec.fees.rate('taker');
  const slip = exec.slippage;
  // The fill rule and its codes as locals: the CommonJS build reads every use of an
  // import through the module's exports object (`fill_rules_1.HIT_NONE`), and those
  // loads in the per-print test of an open position cost ~10% of the engine.
  const hitByPrint = bracketHitByPrint;
  const NONE = HIT_NONE;
  const STOP = HIT_STOP;
  const minHold = rules.minHoldMs;
  // A time exit is due at the first print with held ≥ maxHold and held ≥ minHold (exits/time-exit.ts).
  const timeExitAfter = Math.max(rules.maxHoldMs ?? Infinity, minHold);
  const stopFrac = pctToFraction(rules.stopPct);
  const targetFrac = pctToFraction(rules.targetPct);
  const bracketInHold = rules.bracketDuringHold === 'active';
  const entryExec = exec.entryExecution ?? null;
  // With an entry execution model the order may fill rows later, at its own price and liquidity.
  let pendingRow = -1;
  let pendingPrice = 0;
  let pendingMaker = false;
  let makerFills = 0;
  let takerFills = 0;
  let unfilled = 0;

  let capital = exec.initialCapital;
  // `ruined` stops new entries: only when sizing needs capital to size from.
  let ruined = false;
  let ruinedAt: number | null = null;
  const stopOnRuin = exec.sizing.mode === 'fraction';
  let pos = 0; // +1 long, −1 short, 0 flat
  let pendingEntry = 0;
  let pendingExit = false;
  let entryTime = 0;
  let entryPrice = 0;
  let entryIdx = 0;
  let qty = 0;
  let entryFee = 0;
  let entryLiq = TAKER;
  let stop = NaN;
  let target = NaN;
  let stopTrig = NaN;
  let targetTrig = NaN;
  let delayed = 0;
  let blockedSince = 0;
  let blockedRule = -1;
  let entrySignals = 0;
  let delayedExits = 0;
  const blocked = [0, 0, 0];

  let bracketRow = -1; // the open position's next print that reaches the bracket or a time exit (−1: to be found)
  let flagRow = -1; // its next print with an exit flag, if before bracketRow
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    for (let i = start; i < end; i++) {
      if (pos === 0 && pendingEntry === 0) {
        // Flat with nothing pending: only an entry decision can change anything,
        // so skip straight to the next row that has one.
        i = nextDecision(entrySig, entryWords, i, end);
        if (i === end || ruined) break;
      } else if (pos !== 0 && !pendingExit) {
        // Open with nothing pending: a print changes something only if it reaches the
        // bracket, is where a time exit becomes due, or carries an exit flag; skip
        // straight to the first such print. Both next-event rows depend only on the
        // position (levels, side, entry time), so each is kept until passed: every
        // print of a position is scanned once, however many eventful prints it has
        // (a bracket reached during a blocking hold, flags during the hold).
        if (bracketRow < i) {
          if (blocks === null) {
            bracketRow = nextExitEvent(time, price, i, end, pos, stopTrig, targetTrig, entryTime, timeExitAfter);
            searched += bracketRow - i;
          } else bracketRow = nextExitEventInBlocks(time, price, blocks, i, end, pos, stopTrig, targetTrig, entryTime, timeExitAfter);
        }
        if (exitSig === null) i = bracketRow;
        else {
          if (flagRow < i) flagRow = nextExitFlag(exitSig, pos > 0 ? 1 : 2, i, bracketRow);
          i = flagRow < bracketRow ? flagRow : bracketRow;
        }
        if (i === end) break;
      }
      const t = time[i];
      const p = price[i];
      if (pendingEntry !== 0) {
        if (entryExec !== null && i !== pendingRow) continue; // the order is still resting
        // Fill the decision: by default as taker at the print after it; with an
        // entry execution model at its row, price and liquidity.
        pos = pendingEntry;
        pendingEntry = 0;
        entryPrice = entryExec === null ? slip.fillPrice(p, pos) : pendingPrice;
        entryTime = t;
        entryIdx = i;
        const notional = notionalFor(exec.sizing, capital);
        qty = notional / entryPrice;
        entryLiq = entryExec !== null && pendingMaker ? MAKER : TAKER;
        entryFee = entryPrice * qty * (entryLiq === MAKER ? makerRate : takerRate);
        stop = stopLevel(entryPrice, pos, stopFrac);
        target = targetLevel(entryPrice, pos, targetFrac);
        stopTrig = triggerLevel(stop, pos);
        targetTrig = triggerLevel(target, pos);
        delayed = 0;
        bracketRow = -1;
        flagRow = -1;
        limiter.record(t);
        continue; // the entry print itself cannot trigger the bracket
      }
      if (pos !== 0) {
        let exitPrice = 0;
        let reason = -1;
        let liq = TAKER;
        const held = t - entryTime;
        const holdDone = held >= minHold;
        const hit = hitByPrint(p, pos, stopTrig, targetTrig);
        if (hit !== NONE) {
          if (holdDone || bracketInHold) {
            reason = hit;
            if (hit === STOP) exitPrice = slip.fillPrice(p, -pos);
            else {
              exitPrice = target;
              liq = MAKER;
            }
          } else {
            delayed = 1;
          }
        }
        if (reason < 0 && pendingExit) {
          reason = R_SIGNAL;
          exitPrice = slip.fillPrice(p, -pos);
        } else if (reason < 0 && timeExitDue(t, entryTime, timeExitAfter)) {
          reason = R_TIME;
          exitPrice = slip.fillPrice(p, -pos);
        }
        if (reason >= 0) {
          const exitFee = exitPrice * qty * (liq === MAKER ? makerRate : takerRate);
          const net = pos * (exitPrice - entryPrice) * qty - entryFee - exitFee;
          capital += net;
          delayedExits += delayed;
          ledger.push(pos, entryTime, entryPrice, t, exitPrice, qty, stop, target, entryFee, exitFee, entryLiq, liq, reason, delayed, blockedSince, blockedRule, capital, entryIdx, i);
          pos = 0;
          pendingExit = false;
          blockedSince = 0;
          blockedRule = -1;
          if (capital <= 0 && ruinedAt === null) {
            ruinedAt = t;
            ruined = stopOnRuin;
          }
        } else if (exitSig !== null && !pendingExit && (exitSig[i] & (pos > 0 ? 1 : 2)) !== 0) {
          // Signal exit decided on this print, filled on the next one — once the hold is over.
          if (holdDone) pendingExit = true;
          else delayed = 1;
        }
      }
      if (pos === 0 && !ruined) {
        const e = entrySig[i];
        if (e !== 0) {
          entrySignals++;
          if (!limiter.allows(t)) {
            // The same rule refuses every decision until it frees (a day, for the daily
            // limit): find where by search, and count the decisions up to there four
            // bytes at a time, instead of one loop turn and one limiter call per row.
            const j = blockedUntil(time, i + 1, end, limiter.blockingSince(), limiter.blockingWindowMs());
            const more = countDecisions(entrySig, entryWords, i + 1, j);
            entrySignals += more;
            blocked[limiter.lastBlockedRule] += 1 + more;
            blockedSince += 1 + more;
            blockedRule = limiter.lastBlockedRule;
            i = j - 1;
          } else if (entryExec === null) pendingEntry = e;
          else {
            const f = entryExec.fill(tape, i, e > 0 ? 1 : -1);
            if (f.row > i) {
              pendingEntry = e;
              pendingRow = f.row;
              pendingPrice = f.price;
              pendingMaker = f.maker;
              if (f.maker) makerFills++;
              else takerFills++;
            } else unfilled++;
          }
        }
      }
    }
    exec.onProgress?.(end, n);
  }
  if (pos !== 0) {
    // Close what is still open at the last print, as taker.
    const i = n - 1;
    const exitPrice = slip.fillPrice(price[i], -pos);
    const exitFee = exitPrice * qty * takerRate;
    capital += pos * (exitPrice - entryPrice) * qty - entryFee - exitFee;
    delayedExits += delayed;
    ledger.push(pos, entryTime, entryPrice, time[i], exitPrice, qty, stop, target, entryFee, exitFee, entryLiq, TAKER, R_END, delayed, blockedSince, blockedRule, capital, entryIdx, i);
  }
  if (blocks === null) notePrintsSearched(tape, searched);
  return {
    ledger,
    entrySignals,
    blocked: { minute: blocked[0], hour: blocked[1], day: blocked[2] },
    exitsDelayedByMinHold: delayedExits,
    finalCapital: capital,
    ruined: ruinedAt !== null,
    ruinedAt,
    ...(entryExec !== null ? { entryFills: { maker: makerFills, taker: takerFills, unfilled } } : {}),
  };
}

/**
 * Which of stop and target a tick tape says came first inside [t0, t1):
 * HIT_STOP, HIT_TARGET, or HIT_NONE when the ticks do not show either (then
 * the caller falls back to the pessimistic stop-first rule).
 */
function firstHitInTicks(ticks: TradeTape, t0: number, t1: number, pos: number, stopTrig: number, targetTrig: number): number {
  const tp = ticks.price;
  const tt = ticks.time;
  for (let j = lowerBound(tt, t0); j < ticks.length && tt[j] < t1; j++) {
    const hit = bracketHitByPrint(tp[j], pos, stopTrig, targetTrig);
    if (hit !== HIT_NONE) return hit;
  }
  return HIT_NONE;
}

/** True when the tick tape has prints both at/before t0 and at/after t1 (it covers the bar). */
function ticksCover(ticks: TradeTape | undefined, t0: number, t1: number): ticks is TradeTape {
  return !!ticks && ticks.length > 0 && ticks.time[0] <= t0 && ticks.time[ticks.length - 1] >= t1;
}

/**
 * Run one strategy over OHLCV bars. Decisions are made at bar close
 * (time + timeframe); gate checks use that time.
 */
export function runBarEngine(
  bars: BarTape,
  sig: StrategySignals,
  rules: TradeRules,
  exec: ExecutionSetup & { ticks?: TradeTape },
): EngineResult & { ambiguousBars: number; ambiguousResolvedByTicks: number } {
  validateRules(rules);
  const n = bars.length;
  if (sig.entry.length !== n) throw new RangeError(`signals cover ${sig.entry.length} rows, tape has ${n}`);
  const { time, open, high, low } = bars;
  const tf = bars.timeframeMs;
  const entrySig = sig.entry;
  const exitSig = rules.signalExit && sig.exit ? sig.exit : null;
  const limiter = new FrequencyLimiter(rules.limits);
  const ledger = new LedgerBuilder();
  const makerRate = exec.fees.rate('maker');
  const takerRate = exec.fees.rate('taker');
  const slip = exec.slippage;
  const minHold = rules.minHoldMs;
  // A time exit is due at the first bar with held ≥ maxHold and held ≥ minHold (exits/time-exit.ts).
  const timeExitAfter = Math.max(rules.maxHoldMs ?? Infinity, minHold);
  const stopFrac = pctToFraction(rules.stopPct);
  const targetFrac = pctToFraction(rules.targetPct);
  const bracketInHold = rules.bracketDuringHold === 'active';

  let capital = exec.initialCapital;
  let ruined = false;
  let ruinedAt: number | null = null;
  const stopOnRuin = exec.sizing.mode === 'fraction';
  let pos = 0;
  let pendingEntry = 0;
  let pendingExit = false;
  let entryTime = 0;
  let entryPrice = 0;
  let entryIdx = 0;
  let qty = 0;
  let entryFee = 0;
  let stop = NaN;
  let target = NaN;
  let delayed = 0;
  let blockedSince = 0;
  let blockedRule = -1;
  let entrySignals = 0;
  let delayedExits = 0;
  let stopTrig = NaN;
  let targetTrig = NaN;
  let ambiguous = 0;
  let resolvedByTicks = 0;
  const blocked = [0, 0, 0];

  const close = (i: number, t: number, exitPrice: number, liq: number, reason: number) => {
    const exitFee = exitPrice * qty * (liq === MAKER ? makerRate : takerRate);
    capital += pos * (exitPrice - entryPrice) * qty - entryFee - exitFee;
    delayedExits += delayed;
    ledger.push(pos, entryTime, entryPrice, t, exitPrice, qty, stop, target, entryFee, exitFee, TAKER, liq, reason, delayed, blockedSince, blockedRule, capital, entryIdx, i);
    pos = 0;
    pendingExit = false;
    blockedSince = 0;
    blockedRule = -1;
    if (capital <= 0 && ruinedAt === null) {
      ruinedAt = t;
      ruined = stopOnRuin;
    }
  };

  for (let i = 0; i < n; i++) {
    const t = time[i];
    const o = open[i];
    if (pendingEntry !== 0) {
      pos = pendingEntry;
      pendingEntry = 0;
      entryPrice = slip.fillPrice(o, pos);
      entryTime = t;
      entryIdx = i;
      qty = notionalFor(exec.sizing, capital) / entryPrice;
      entryFee = entryPrice * qty * takerRate;
      stop = stopLevel(entryPrice, pos, stopFrac);
      target = targetLevel(entryPrice, pos, targetFrac);
      stopTrig = triggerLevel(stop, pos);
      targetTrig = triggerLevel(target, pos);
      delayed = 0;
      limiter.record(t);
    } else if (pos !== 0 && pendingExit) {
      close(i, t, slip.fillPrice(o, -pos), TAKER, R_SIGNAL);
    } else if (pos !== 0 && timeExitDue(t, entryTime, timeExitAfter)) {
      close(i, t, slip.fillPrice(o, -pos), TAKER, R_TIME);
    }
    if (pos !== 0) {
      // The bracket inside this bar (the entry bar counts).
      const hit = bracketHitInBar(o, high[i], low[i], pos, stopTrig, targetTrig);
      if (hit !== HIT_NONE) {
        if (t - entryTime >= minHold || bracketInHold) {
          let reason = hit;
          if (hit === HIT_BOTH) {
            ambiguous++;
            // The stop-first rule, unless ticks inside the bar say which came first.
            reason = stopFirst(hit);
            if (ticksCover(exec.ticks, t, t + tf)) {
              const first = firstHitInTicks(exec.ticks, t, t + tf, pos, stopTrig, targetTrig);
              if (first !== HIT_NONE) {
                reason = first;
                resolvedByTicks++;
              }
            }
          }
          if (reason === R_STOP) close(i, t, slip.fillPrice(barStopFillPrice(o, pos, stop, stopTrig), -pos), TAKER, R_STOP);
          else close(i, t, target, MAKER, reason);
        } else {
          delayed = 1;
        }
      }
    }
    const decisionTime = t + tf;
    if (pos !== 0 && exitSig !== null && !pendingExit && (exitSig[i] & (pos > 0 ? 1 : 2)) !== 0) {
      if (decisionTime - entryTime >= minHold) pendingExit = true;
      else delayed = 1;
    }
    if (pos === 0 && !ruined && i + 1 < n) {
      const e = entrySig[i];
      if (e !== 0) {
        entrySignals++;
        if (limiter.allows(decisionTime)) pendingEntry = e;
        else {
          blocked[limiter.lastBlockedRule]++;
          blockedSince++;
          blockedRule = limiter.lastBlockedRule;
        }
      }
    }
    if ((i & 0xffff) === 0xffff) exec.onProgress?.(i + 1, n);
  }
  if (pos !== 0) {
    const i = n - 1;
    close(i, time[i] + tf, slip.fillPrice(bars.close[i], -pos), TAKER, R_END);
  }
  exec.onProgress?.(n, n);
  return {
    ledger,
    entrySignals,
    blocked: { minute: blocked[0], hour: blocked[1], day: blocked[2] },
    exitsDelayedByMinHold: delayedExits,
    finalCapital: capital,
    ruined: ruinedAt !== null,
    ruinedAt,
    ambiguousBars: ambiguous,
    ambiguousResolvedByTicks: resolvedByTicks,
  };
}
