/**
 * Volume-Synchronized Probability of Informed Trading (VPIN).
 *
 * Type: microstructure (flow toxicity). Trading time is measured in volume,
 * not clock time: the tape is cut into buckets of equal volume, each
 * bucket's volume is split into buyer- and seller-initiated parts, and VPIN
 * is the average absolute imbalance |V_S − V_B| / V over the last n buckets.
 * When informed traders lean on one side, buckets become lopsided and VPIN
 * rises; market makers then widen or withdraw, which is why a high VPIN
 * (as a percentile of its own recent history, `vpinCdf`) is read as "flow is
 * toxic". The buy/sell split uses bulk volume classification (BVC) on time
 * bars rather than per-trade aggressor flags, as in the paper.
 *
 * Conventions (all causal; each is tested in test/signals/vpin.test.ts):
 *  - Time bars. On a trade tape, bar k covers [k·barMs, (k+1)·barMs) in epoch
 *    ms (aligned to multiples of `barMs`); its volume is the sum of amounts,
 *    its close the last price. Intervals without trades produce NO bar (a data
 *    gap is not a quiet market): ΔP is measured from the previous bar that
 *    exists. A bar is complete when the first trade with time ≥ its end
 *    arrives, and that trade's row is the first to see it. So the output at
 *    trade row i depends only on bars ending at or before time[i], i.e. on
 *    rows strictly before i (row i's own print is in the bar still forming).
 *    The last bar of a tape is never completed. On a bar tape the bars are
 *    used as given (`barMs` is ignored) and row i includes bar i itself: a
 *    bar row is complete by construction, and the engine fills a decision
 *    made on bar i at bar i+1's open. Zero-volume bars count for σ (their ΔP)
 *    but pour no volume.
 *  - BVC. V_B = V·Φ(ΔP/σ_ΔP), V_S = V − V_B, where ΔP is the bar's
 *    close-to-close change and σ_ΔP the sample standard deviation (n − 1,
 *    Bessel's correction) of the last `sigmaBars` ΔP values INCLUDING the
 *    current bar's (causal: the bar is complete). A bar is classified only
 *    once that window is full, i.e. from bar index `sigmaBars` on (the first
 *    bar has no ΔP); earlier bars pour nothing. σ = 0 (constant prices, or
 *    identical ΔP values) gives a 50/50 split.
 *  - Buckets. Each classified bar pours its (V_B, V_S) into buckets of
 *    `bucketVolume` in proportion (a slice x of the bar carries x·V_B/V buy
 *    volume); one bar can complete several buckets or part of one. After
 *    bucket τ: VPIN_τ = Σ_{j=τ−n+1..τ} |V_S,j − V_B,j| / (n · bucketVolume),
 *    n = `nBuckets`; NaN until n buckets are complete.
 *  - Auto bucket size (`bucketVolume` = 0). Let T0 be the start of the first
 *    bar (trades: the first trade's aligned bar start; bars: time[0]). Bars
 *    starting before T0 + `autoWarmupMs` are the warm-up: their total volume
 *    V_w fixes bucketVolume = (V_w per day) / 50 = V_w · 86 400 000 /
 *    (50 · autoWarmupMs), the paper's "average daily volume / 50" measured on
 *    the warm-up only (no look-ahead). Warm-up bars are not poured into
 *    buckets (outputs stay NaN); buckets start with the first bar after it.
 *    Their ΔP still enters the σ window. V_w = 0 means no bucket ever.
 *  - Outputs per row: `vpin` = VPIN of the last bucket completed at or before
 *    the row; `vpinCdf` = fraction of the trailing `cdfBuckets` VPIN values
 *    (the current one included, as pandas `rolling(W).rank(pct=True,
 *    method='max')`) that are ≤ the current VPIN; NaN until `minCdfBuckets`
 *    VPIN values exist. `vpinCdf ≥ 0.75` is "VPIN at or above its trailing
 *    75th percentile" without look-ahead.
 *
 * Cost: per trade, one comparison and one add (`vpinSteps`; `vpinSeries`
 * adds two fills per step) — the rest runs once per bar (O(1) amortised σ update) or once per bucket
 * (O(nBuckets) sum and O(cdfBuckets) sorted-window update). No allocation
 * per trade.
 *
 * @see D. Easley, M. López de Prado, M. O'Hara, "Flow Toxicity and Liquidity in a High-frequency World",
 *      Review of Financial Studies 25(5), 1457–1493, 2012 (bulk volume classification on time bars; V = ADV / 50, n = 50).
 */
import { normalCdf } from '../analytics/stats';
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import type { ParamSpec } from '../core/params';
import { UserError } from '../util/errors';
import { RunColumns, runEnd, type RowRuns } from './row-runs';
import type { BarIndicator, SignalSpec, TradeIndicator } from './signal';

/** Milliseconds per day, for the auto bucket size. */
const DAY_MS = 86_400_000;
/** The paper's buckets per day of average volume (V = ADV / 50). */
const BUCKETS_PER_DAY = 50;

// ---------------------------------------------------------------------------
// Standard normal CDF
// ---------------------------------------------------------------------------

/**
 * Standard normal CDF Φ, for bulk volume classification. The one
 * implementation is `normalCdf` in src/analytics/stats.ts (erfc through the
 * incomplete gamma function; relative error ≤ 2e-14 for z > −10); this name
 * is kept for VPIN's callers.
 *
 * @example stdNormalCdf(1) // => 0.8413447460685429
 */
export const stdNormalCdf: (x: number) => number = normalCdf;

// ---------------------------------------------------------------------------
// Rolling empirical CDF
// ---------------------------------------------------------------------------

/**
 * Empirical CDF of the newest value within a sliding window of the last
 * `window` values: after `push(x)`, the fraction of window values ≤ x (x
 * itself included, so the result is in [1/count, 1]). Keeps the window
 * sorted in a Float64Array: O(log W) search plus an O(W) `copyWithin` shift
 * per push; no allocation after construction.
 *
 * @example const e = new RollingEcdf(3); e.push(2); e.push(1); e.push(3); e.push(2) // => 2/3 (window 1,3,2)
 */
export class RollingEcdf {
  private readonly sorted: Float64Array;
  private readonly ring: Float64Array;
  private head = 0;
  private n = 0;

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1) throw new UserError(`RollingEcdf: window must be an integer ≥ 1 (got ${window})`);
    this.sorted = new Float64Array(window);
    this.ring = new Float64Array(window);
  }

  /** Values currently in the window. */
  get count(): number {
    return this.n;
  }

  /** Add a finite value (evicting the oldest once the window is full); returns #{window values ≤ x} / count. */
  push(x: number): number {
    const sorted = this.sorted;
    if (this.n === this.window) {
      const old = this.ring[this.head];
      const at = lowerBound(sorted, this.n, old); // sorted[at] === old
      sorted.copyWithin(at, at + 1, this.n);
      this.n--;
    }
    this.ring[this.head] = x;
    this.head = this.head + 1 === this.window ? 0 : this.head + 1;
    const pos = upperBound(sorted, this.n, x); // # values ≤ x before inserting x
    sorted.copyWithin(pos + 1, pos, this.n);
    sorted[pos] = x;
    this.n++;
    return (pos + 1) / this.n;
  }
}

/** First index in sorted a[0..n) with a[i] >= x. */
function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in sorted a[0..n) with a[i] > x. */
function upperBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

export interface VpinParams {
  /** Time-bar length for trade tapes (ms). Ignored on bar tapes. */
  barMs: number;
  /** σ_ΔP window: the last `sigmaBars` close-to-close changes, current bar included. */
  sigmaBars: number;
  /** Volume per bucket (base currency); 0 = auto from the warm-up (see module doc). */
  bucketVolume: number;
  /** Auto bucket size only: warm-up span measured from the first bar's start (ms). */
  autoWarmupMs: number;
  /** n: buckets averaged into one VPIN value. */
  nBuckets: number;
  /** Trailing VPIN values the percentile `vpinCdf` is taken over. */
  cdfBuckets: number;
  /** `vpinCdf` is NaN until this many VPIN values exist. */
  minCdfBuckets: number;
}

/** Parameter specs (defaults and docs) for the CLI and notebooks. */
export const VPIN_PARAMS: { readonly [K in keyof VpinParams]: ParamSpec } = {
  barMs: { default: 60_000, min: 1, unit: 'ms', doc: 'Trades only: time-bar length for bulk volume classification (ms); bars aligned to multiples of it since the epoch.' },
  sigmaBars: {
    default: 500,
    min: 2,
    integer: true,
    unit: 'bars',
    doc: 'σ of close-to-close changes over the last this many bars, current bar included; bars before the window is full are not classified.',
  },
  bucketVolume: {
    default: 0,
    min: 0,
    unit: 'base units',
    doc: 'Volume per bucket (base currency). 0 = auto: (volume of the warm-up span per day) / 50, outputs NaN during the warm-up.',
  },
  autoWarmupMs: { default: DAY_MS, min: 1, unit: 'ms', doc: 'Auto bucket size only: warm-up span from the first bar (ms) whose volume sets the bucket size.' },
  nBuckets: { default: 50, min: 1, integer: true, unit: 'buckets', doc: 'n: buckets averaged into one VPIN value (paper: 50).' },
  cdfBuckets: { default: 1000, min: 1, integer: true, unit: 'buckets', doc: 'vpinCdf: percentile of the current VPIN among the last this many bucket VPIN values (current included).' },
  minCdfBuckets: { default: 100, min: 1, integer: true, unit: 'buckets', doc: 'vpinCdf is NaN until this many VPIN values exist (≤ cdfBuckets).' },
};

/** Defaults filled in and every field checked; UserError names the field. */
export function resolveVpinParams(p: Partial<VpinParams> = {}): VpinParams {
  const out = {} as VpinParams;
  for (const key of Object.keys(p)) {
    if (!(key in VPIN_PARAMS)) throw new UserError(`vpin: unknown parameter '${key}' (known: ${Object.keys(VPIN_PARAMS).join(', ')})`);
  }
  for (const key of Object.keys(VPIN_PARAMS) as (keyof VpinParams)[]) {
    const spec = VPIN_PARAMS[key];
    const v = p[key] ?? spec.default;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`vpin: parameter '${key}' must be a finite number (got ${String(v)})`);
    if (spec.min !== undefined && v < spec.min) throw new UserError(`vpin: parameter '${key}' must be ≥ ${spec.min} (got ${v})`);
    if (spec.integer && !Number.isInteger(v)) throw new UserError(`vpin: parameter '${key}' must be an integer (got ${v})`);
    out[key] = v;
  }
  if (out.minCdfBuckets > out.cdfBuckets) {
    throw new UserError(`vpin: parameter 'minCdfBuckets' (${out.minCdfBuckets}) must be ≤ 'cdfBuckets' (${out.cdfBuckets})`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Bar → bucket → VPIN state machine (shared by the pure and streaming forms)
// ---------------------------------------------------------------------------

/**
 * Everything after bar formation: σ window, bulk volume classification,
 * bucket filling, VPIN and its rolling ECDF. Fed one complete bar at a time;
 * `vpin` / `vpinCdf` then hold the values after the last completed bucket.
 */
export class VpinBarCore {
  /** VPIN of the last completed bucket (NaN before nBuckets buckets). */
  vpin = NaN;
  /** Rolling ECDF of `vpin` (NaN before minCdfBuckets VPIN values). */
  vpinCdf = NaN;
  /** Buckets completed so far. */
  bucketsCompleted = 0;
  /** Bucket size in use: the parameter, or the auto size once the warm-up is over (0 until then). */
  bucketVolume: number;

  private readonly sigmaBars: number;
  private readonly nBuckets: number;
  private readonly minCdf: number;
  private readonly warmupMs: number;
  /** Auto bucket size still being measured (warm-up). */
  private sizing: boolean;
  // σ window of ΔP: ring buffer with running sums, recomputed exactly at each wrap.
  private readonly dp: Float64Array;
  private dpHead = 0;
  private dpCount = 0;
  private s1 = 0;
  private s2 = 0;
  private prevClose = NaN;
  private bars = 0;
  // auto bucket size
  private t0 = NaN;
  private warmVolume = 0;
  // current bucket: volume poured so far and signed imbalance V_S − V_B
  private fill = 0;
  private signed = 0;
  // |V_S − V_B| of the last nBuckets buckets
  private readonly imb: Float64Array;
  private imbHead = 0;
  private readonly ecdf: RollingEcdf;

  constructor(p: VpinParams) {
    this.sigmaBars = p.sigmaBars;
    this.nBuckets = p.nBuckets;
    this.minCdf = p.minCdfBuckets;
    this.warmupMs = p.autoWarmupMs;
    this.sizing = p.bucketVolume === 0;
    this.bucketVolume = p.bucketVolume;
    this.dp = new Float64Array(p.sigmaBars);
    this.imb = new Float64Array(p.nBuckets);
    this.ecdf = new RollingEcdf(p.cdfBuckets);
  }

  /** One complete bar: its start time (ms), close and volume. */
  addBar(start: number, close: number, volume: number): void {
    const first = this.bars === 0;
    this.bars++;
    let d = 0;
    if (!first) {
      d = close - this.prevClose;
      this.pushDp(d);
    }
    this.prevClose = close;

    if (this.sizing) {
      if (first) this.t0 = start;
      if (start < this.t0 + this.warmupMs) {
        this.warmVolume += volume;
        return;
      }
      // First bar after the warm-up: fix the size (average daily volume / 50), never revisited.
      this.bucketVolume = (this.warmVolume * DAY_MS) / (BUCKETS_PER_DAY * this.warmupMs);
      this.sizing = false;
    }
    // A zero-volume warm-up leaves bucketVolume 0: no bucket ever.
    if (!(this.bucketVolume > 0) || this.dpCount < this.sigmaBars || !(volume > 0)) return;

    const m = this.sigmaBars;
    const variance = (this.s2 - (this.s1 * this.s1) / m) / (m - 1);
    // A variance below 1e-14 of the mean square is rounding noise of the running sums
    // (e.g. identical ΔP values): treat as σ = 0, as an exact two-pass computation would.
    const sd = variance > 1e-14 * (this.s2 / m) ? Math.sqrt(variance) : 0;
    // (V_S − V_B) / V = 1 − 2Φ(ΔP/σ); 50/50 when σ = 0.
    const q = sd > 0 ? 1 - 2 * stdNormalCdf(d / sd) : 0;
    this.pour(volume, q);
  }

  private pushDp(x: number): void {
    const dp = this.dp;
    if (this.dpCount === this.sigmaBars) {
      const old = dp[this.dpHead];
      this.s1 -= old;
      this.s2 -= old * old;
    } else {
      this.dpCount++;
    }
    dp[this.dpHead] = x;
    this.s1 += x;
    this.s2 += x * x;
    if (++this.dpHead === this.sigmaBars) {
      this.dpHead = 0;
      // Exact recompute once per window: running sums cannot drift.
      let s1 = 0;
      let s2 = 0;
      for (let k = 0; k < this.sigmaBars; k++) {
        s1 += dp[k];
        s2 += dp[k] * dp[k];
      }
      this.s1 = s1;
      this.s2 = s2;
    }
  }

  /** Pour `volume` with signed share q = (V_S − V_B)/V into buckets. */
  private pour(volume: number, q: number): void {
    const B = this.bucketVolume;
    let rest = volume;
    while (rest > 0) {
      const room = B - this.fill;
      if (rest >= room) {
        this.signed += room * q;
        rest -= room;
        this.completeBucket();
      } else {
        this.fill += rest;
        this.signed += rest * q;
        rest = 0;
      }
    }
  }

  private completeBucket(): void {
    const n = this.nBuckets;
    this.imb[this.imbHead] = Math.abs(this.signed);
    this.imbHead = this.imbHead + 1 === n ? 0 : this.imbHead + 1;
    this.fill = 0;
    this.signed = 0;
    this.bucketsCompleted++;
    if (this.bucketsCompleted < n) return;
    // O(n) exact sum per bucket (buckets are rare): no drift, exactly 0 for balanced flow.
    let sum = 0;
    for (let k = 0; k < n; k++) sum += this.imb[k];
    const v = sum / (n * this.bucketVolume);
    this.vpin = v;
    const f = this.ecdf.push(v);
    this.vpinCdf = this.ecdf.count >= this.minCdf ? f : NaN;
  }
}

// ---------------------------------------------------------------------------
// Pure form
// ---------------------------------------------------------------------------

export interface VpinSeries {
  /** VPIN of the last bucket completed at or before each row. */
  vpin: Float64Array;
  /** Rolling empirical CDF of `vpin` (fraction of the trailing cdfBuckets values ≤ current). */
  vpinCdf: Float64Array;
  bucketsCompleted: number;
  /** Bucket size used (auto: 0 if the warm-up never ended). */
  bucketVolume: number;
}

/**
 * VPIN as a step function of the row: the values change only when a bucket
 * completes (a few hundred times on millions of trades), so step s holds
 * rows `row[s] … row[s + 1] − 1` (the last step runs to the end of the
 * tape). Step 0 starts at row 0 with NaN values. `vpinSeries` is this,
 * written out row by row.
 */
export interface VpinSteps extends RowRuns {
  vpin: Float64Array;
  vpinCdf: Float64Array;
  bucketsCompleted: number;
  /** Bucket size used (auto: 0 if the warm-up never ended). */
  bucketVolume: number;
}

/**
 * VPIN and its rolling percentile at every row of a trade or bar tape. See
 * the module doc for the exact conventions (bar completion, σ window, auto
 * bucket size). Rows before the first VPIN value are NaN.
 *
 * @param tape trades (aggregated into `barMs` time bars) or bars (used as given)
 * @param params any subset of VpinParams; the rest default (see VPIN_PARAMS)
 * @throws UserError for an unknown or out-of-range parameter
 * @example vpinSeries(trades, { bucketVolume: 50, nBuckets: 50 }).vpin[i] // e.g. 0.23
 */
export function vpinSeries(tape: TradeTape | BarTape, params: Partial<VpinParams> = {}): VpinSeries {
  const st = vpinSteps(tape, params);
  const n = tape.length;
  const vpin = new Float64Array(n);
  const vpinCdf = new Float64Array(n);
  for (let s = 0; s < st.length; s++) {
    const from = st.row[s];
    const to = runEnd(st, s, n);
    vpin.fill(st.vpin[s], from, to);
    vpinCdf.fill(st.vpinCdf[s], from, to);
  }
  return { vpin, vpinCdf, bucketsCompleted: st.bucketsCompleted, bucketVolume: st.bucketVolume };
}

/**
 * The same numbers as {@link vpinSeries}, one entry per change instead of
 * one per row: what a strategy that reads VPIN over runs of rows needs,
 * without two arrays of one value per trade.
 *
 * @example const s = vpinSteps(trades, {}); s.vpin[s.length - 1] // VPIN at the last row
 */
export function vpinSteps(tape: TradeTape | BarTape, params: Partial<VpinParams> = {}): VpinSteps {
  const p = resolveVpinParams(params);
  const core = new VpinBarCore(p);
  const steps = new StepWriter();
  if (tape.length > 0) {
    steps.push(0, NaN, NaN);
    if (tape.kind === 'bars') vpinOverBars(tape, core, steps);
    else vpinOverTrades(tape, p.barMs, core, steps);
  }
  return { ...steps.cols.done(), bucketsCompleted: core.bucketsCompleted, bucketVolume: core.bucketVolume };
}

/** Steps as they are found. */
class StepWriter {
  readonly cols = new RunColumns(['vpin', 'vpinCdf'] as const);
  push(row: number, vpin: number, vpinCdf: number): void {
    const s = this.cols.push(row);
    this.cols.set('vpin', s, vpin);
    this.cols.set('vpinCdf', s, vpinCdf);
  }
}

/** Bar tapes: row i sees bar i; a new step wherever bar i completed a bucket. */
function vpinOverBars(tape: BarTape, core: VpinBarCore, steps: StepWriter): void {
  const { time, close, volume } = tape;
  let done = 0;
  for (let i = 0; i < tape.length; i++) {
    core.addBar(time[i], close[i], volume[i]);
    if (core.bucketsCompleted !== done) {
      done = core.bucketsCompleted;
      steps.push(i, core.vpin, core.vpinCdf);
    }
  }
}

/**
 * Trade tapes, one bar at a time: the rows of a bar are found and their
 * volume summed in one tight loop (`barVolume`: a comparison and an add per
 * trade, no store); the bar is complete when the next one opens, and a new
 * step starts at that row if the bar completed a bucket. The state and the
 * test `t ≥ barEnd` are the streaming form's, so a NaN time stays in the bar
 * it falls in, as there, and a row opens at most one bar.
 */
function vpinOverTrades(tape: TradeTape, barMs: number, core: VpinBarCore, steps: StepWriter): void {
  const { time, price, amount } = tape;
  const n = tape.length;
  const vol = new Float64Array(1);
  let done = 0;
  let barStart = 0;
  let barEnd = -Infinity;
  let j = 0;
  for (;;) {
    j = barVolume(time, amount, j, n, barEnd, vol);
    if (j === n) return; // the last bar of a tape is never completed
    // Row j opens a new bar, so every earlier bar is complete.
    if (j > 0) {
      core.addBar(barStart, price[j - 1], vol[0]);
      if (core.bucketsCompleted !== done) {
        done = core.bucketsCompleted;
        steps.push(j, core.vpin, core.vpinCdf);
      }
    }
    barStart = Math.floor(time[j] / barMs) * barMs;
    barEnd = barStart + barMs;
    vol[0] = 0;
    vol[0] += amount[j++];
  }
}

/**
 * From row k, the rows before the first one with time ≥ barEnd: vol[0] +=
 * their amounts; returns that first row (n if none). A function of its own
 * with the sum in a local read from a Float64Array: inlined in the per-bar
 * loop, whose sum is reset to 0 there, V8 kept it as a boxed number and
 * allocated one per trade.
 */
function barVolume(time: Float64Array, amount: Float64Array, k: number, n: number, barEnd: number, vol: Float64Array): number {
  let v = vol[0];
  for (; k < n; k++) {
    if (time[k] >= barEnd) break;
    v += amount[k];
  }
  vol[0] = v;
  return k;
}

// ---------------------------------------------------------------------------
// Streaming forms
// ---------------------------------------------------------------------------

const OUTPUTS = ['vpin', 'vpinCdf'] as const;

/**
 * Streaming VPIN over trades; the same numbers as `vpinSeries` on a trade
 * tape (value(0) = vpin, value(1) = vpinCdf after each update). O(1) per
 * trade except at bar and bucket completions; no allocation per update.
 */
export class VpinIndicator implements TradeIndicator {
  readonly outputs: readonly string[] = OUTPUTS;
  private readonly core: VpinBarCore;
  private readonly barMs: number;
  private barStart = 0;
  private barEnd = -Infinity;
  private vol = 0;
  private close = NaN;
  private started = false;
  private v = NaN;
  private c = NaN;

  constructor(params: Partial<VpinParams> = {}) {
    const p = resolveVpinParams(params);
    this.core = new VpinBarCore(p);
    this.barMs = p.barMs;
  }

  /** Feed one trade (`side` is not used: BVC classifies by price change). True once `vpin` is defined. */
  update(time: number, price: number, amount: number, _side: number): boolean {
    if (time >= this.barEnd) this.roll(time);
    this.vol += amount;
    this.close = price;
    return this.v === this.v;
  }

  private roll(time: number): void {
    if (this.started) {
      this.core.addBar(this.barStart, this.close, this.vol);
      this.v = this.core.vpin;
      this.c = this.core.vpinCdf;
    }
    this.started = true;
    this.barStart = Math.floor(time / this.barMs) * this.barMs;
    this.barEnd = this.barStart + this.barMs;
    this.vol = 0;
  }

  value(k = 0): number {
    return k === 1 ? this.c : this.v;
  }

  get bucketsCompleted(): number {
    return this.core.bucketsCompleted;
  }

  /** Bucket size in use (auto: 0 until the warm-up is over). */
  get bucketVolume(): number {
    return this.core.bucketVolume;
  }
}

/** Streaming VPIN over bars (each update is one complete bar); the same numbers as `vpinSeries` on a bar tape. */
export class VpinBarIndicator implements BarIndicator {
  readonly outputs: readonly string[] = OUTPUTS;
  private readonly core: VpinBarCore;

  constructor(params: Partial<VpinParams> = {}) {
    this.core = new VpinBarCore(resolveVpinParams(params));
  }

  /** Feed one complete bar (`time` = its open time). True once `vpin` is defined. */
  update(time: number, _open: number, _high: number, _low: number, close: number, volume: number): boolean {
    this.core.addBar(time, close, volume);
    return this.core.vpin === this.core.vpin;
  }

  value(k = 0): number {
    return k === 1 ? this.core.vpinCdf : this.core.vpin;
  }

  get bucketsCompleted(): number {
    return this.core.bucketsCompleted;
  }

  get bucketVolume(): number {
    return this.core.bucketVolume;
  }
}

// ---------------------------------------------------------------------------
// Signal spec
// ---------------------------------------------------------------------------

export const VPIN_SIGNAL: SignalSpec = {
  name: 'vpin',
  description:
    'VPIN (Easley, López de Prado & O’Hara 2012): mean |sell − buy| share over the last n equal-volume buckets, buy/sell split by bulk volume classification on time bars; vpinCdf is its percentile among the trailing cdfBuckets values.',
  outputs: OUTPUTS,
  params: VPIN_PARAMS,
  accepts: ['trades', 'bars'],
  compute(tape: MarketTape, params: Record<string, number>): Record<string, Float64Array> {
    const r = vpinSeries(tape, params as Partial<VpinParams>);
    return { vpin: r.vpin, vpinCdf: r.vpinCdf };
  },
};
