/**
 * Kyle's lambda (λ): price impact per unit of signed order flow.
 *
 * Type: microstructure. In Kyle (1985) the market maker sets Δp = λ·(net
 * order flow); a large λ means flow moves the price a lot (thin, informed
 * market). Estimated here as the rolling OLS slope of price change on signed
 * flow over the last `windowSamples` intervals, as in Hasbrouck's empirical
 * practice.
 *
 * Ticks: interval k is [k·sampleMs, (k+1)·sampleMs) in epoch-aligned ms.
 *  - Δp_k = last price in interval k − last price in interval k − 1 (quote
 *    currency, NOT log); the first interval has no predecessor and only sets
 *    the reference price.
 *  - S_k = Σ side·amount over the interval's prints (`sqrtVolume` 0, "signed
 *    volume"), or Σ side·√amount (`sqrtVolume` 1, Hasbrouck's signed √volume,
 *    which damps block trades). Unknown-side prints (side 0) add nothing.
 *  - Empty intervals carry the price forward: they are points (Δp 0, S 0)
 *    and do count toward the window (a quiet minute is evidence too). A
 *    gap longer than the window only fills the window with such points.
 *  - A row inside interval k sees the regression over intervals ≤ k − 1
 *    (completed only): causal.
 * Bars: each bar is an interval (sampleMs ignored); Δp = close − previous
 * close, row i sees the fit including bar i (known at its close). Bars carry
 * no taker side, so the bar's volume V is signed by
 *  - `barSigning` 0: bulk volume classification, S = V·(2Φ(Δclose/σ) − 1), σ
 *    the sd of close-to-close changes over `sigmaLookbackMs` — exactly
 *    `barFlowImbalance(...).signedVolume` (as V1); or
 *  - `barSigning` 1: close location value, S = V·((C − L) − (H − C))/(H − L)
 *    (0 when H = L).
 *  With `sqrtVolume` 1 the magnitude is √V instead of V.
 *  CAVEAT: both bar signings derive the sign from the bar's own prices, so
 *  Δp and S are correlated by construction; λ's t-stat and R² on bars are
 *  mechanically inflated and are not evidence of price impact. Only the tick
 *  form (exchange-reported taker side) measures impact.
 *
 * Regression: Δp = α + λ·S + ε WITH an intercept (α absorbs drift over the
 * window so it is not attributed to flow). Over the n = windowSamples points:
 *   λ = Sxy / Sxx,  SE(λ) = √(SSE / (n − 2) / Sxx),  t = λ / SE(λ)
 *   (n − 2 degrees of freedom),  R² = Sxy² / (Sxx·Syy),
 * with centred sums (two passes over the window, no running-sum drift) and
 * SSE = Syy − λ·Sxy. Units: λ in quote currency per unit of base (e.g. USDT
 * per BTC), per √base with sqrtVolume.
 *
 * Edge cases (NaN means "not defined", never a throw):
 *  - fewer than `windowSamples` points so far: all outputs NaN (no partial
 *    windows);
 *  - S constant over the window (e.g. every interval empty or zero-volume):
 *    slope undefined, all outputs NaN;
 *  - price constant over the window (Δp all equal): λ = 0 exactly, tStat and
 *    r2 NaN (0/0: no price variance to explain);
 *  - an exact fit (SSE = 0, λ ≠ 0): tStat = ±Infinity (or a very large finite
 *    value when rounding leaves a residual), r2 = 1.
 *
 * Cost: O(1) per trade; O(windowSamples) per completed interval (the exact
 * refit, like the OU refit). No allocation per event.
 *
 * @see A. S. Kyle, "Continuous Auctions and Insider Trading", Econometrica 53(6), 1985;
 *      J. Hasbrouck, "Empirical Market Microstructure", OUP 2007, ch. 5 and 8 (signed √volume).
 */
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import { BarFlowImbalanceIndicator, barFlowImbalance } from './ofi';
import type { BarIndicator, SignalSpec, TradeIndicator } from './signal';
import { grownFloat64, grownInt32, runCapacity, runEnd, type RowRuns } from './row-runs';

export interface KyleParams {
  /** Ticks: interval length (ms). Ignored on bars. */
  sampleMs: number;
  /** Intervals (bars) in the rolling regression, ≥ 3. */
  windowSamples: number;
  /** 1: regress on Σ side·√amount (bars: √V) instead of Σ side·amount. Default 0. */
  sqrtVolume?: number;
  /** Bars only: 0 = bulk volume classification (default), 1 = close location value. */
  barSigning?: number;
  /** Bars with barSigning 0: σ span of bulk volume classification (ms). Default 86,400,000 (V1's). */
  sigmaLookbackMs?: number;
}

export interface KyleSeries {
  /** OLS slope of Δp on S: quote currency per unit of (√)base. */
  lambda: Float64Array;
  /** λ / SE(λ), n − 2 degrees of freedom. */
  tStat: Float64Array;
  /** Coefficient of determination of the window's regression. */
  r2: Float64Array;
}

const DEFAULT_SIGMA_LOOKBACK_MS = 86_400_000;

function checkParams(p: KyleParams, bars: boolean, who: string): number {
  const W = p.windowSamples;
  if (!(Number.isInteger(W) && W >= 3)) throw new RangeError(`${who}: windowSamples must be an integer ≥ 3, got ${W}`);
  if (!bars && !(p.sampleMs > 0)) throw new RangeError(`${who}: sampleMs must be > 0, got ${p.sampleMs}`);
  return W;
}

/**
 * OLS with intercept of y on x over [from, to) into out = [λ, t, R²].
 * Centred two-pass sums; constant x or y detected exactly (see module doc).
 */
function fitWindow(x: Float64Array, y: Float64Array, from: number, to: number, out: Float64Array): void {
  const n = to - from;
  const x0 = x[from];
  const y0 = y[from];
  let constX = true;
  let constY = true;
  let sx = 0;
  let sy = 0;
  for (let k = from; k < to; k++) {
    const xv = x[k];
    const yv = y[k];
    sx += xv;
    sy += yv;
    if (xv !== x0) constX = false;
    if (yv !== y0) constY = false;
  }
  if (constX) {
    out[0] = NaN;
    out[1] = NaN;
    out[2] = NaN;
    return;
  }
  if (constY) {
    out[0] = 0;
    out[1] = NaN;
    out[2] = NaN;
    return;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let k = from; k < to; k++) {
    const dx = x[k] - mx;
    const dy = y[k] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const b = sxy / sxx + 0; // + 0 turns −0 into 0
  // Residual sum of squares Syy − λ·Sxy (clamped at 0 against rounding); loses relative precision
  // only as R² → 1, where t is enormous anyway.
  const rss = syy - b * sxy;
  const sse = rss > 0 ? rss : 0;
  out[0] = b;
  out[1] = b / Math.sqrt(sse / (n - 2) / sxx); // residual variance on n − 2 dof
  const r2 = (sxy * sxy) / (sxx * syy);
  out[2] = r2 > 1 ? 1 : r2;
}

/**
 * The last `W` points of a growing series in a flat buffer of 2W, compacted
 * (copyWithin) when full: amortised O(1) per push, and the window is always
 * one contiguous range for the regression.
 */
class PointWindow {
  readonly x: Float64Array;
  readonly y: Float64Array;
  len = 0;
  constructor(readonly W: number) {
    this.x = new Float64Array(2 * W);
    this.y = new Float64Array(2 * W);
  }
  push(xv: number, yv: number): void {
    if (this.len === this.x.length) {
      this.x.copyWithin(0, this.W);
      this.y.copyWithin(0, this.W);
      this.len = this.W;
    }
    this.x[this.len] = xv;
    this.y[this.len] = yv;
    this.len++;
  }
  /** Refit into out when the window is full. */
  fit(out: Float64Array): void {
    if (this.len >= this.W) fitWindow(this.x, this.y, this.len - this.W, this.len, out);
  }
}

/** Signed bar flow from the BVC signed volume sv (= V·(2Φ − 1)). */
function bvcFlow(sv: number, volume: number, sqrt: boolean): number {
  return sqrt ? (volume > 0 ? sv / Math.sqrt(volume) : 0) : sv;
}

/** Signed bar flow by close location value. */
function clvFlow(high: number, low: number, close: number, volume: number, sqrt: boolean): number {
  const clv = high > low ? (close - low - (high - close)) / (high - low) : 0;
  return clv * (sqrt ? Math.sqrt(volume) : volume);
}

/**
 * Rolling Kyle's lambda per tape row (see the module doc for every
 * convention). Pure: reads the tape, returns fresh arrays.
 *
 * @example kyleLambdaSeries(trades, { sampleMs: 10_000, windowSamples: 60 }).lambda[i] // USDT per BTC
 */
export function kyleLambdaSeries(tape: MarketTape, params: KyleParams): KyleSeries {
  return tape.kind === 'trades' ? kyleTicks(tape, params) : kyleBars(tape, params);
}

function kyleTicks(tape: TradeTape, p: KyleParams): KyleSeries {
  const n = tape.length;
  const lambda = new Float64Array(n);
  const tStat = new Float64Array(n);
  const r2 = new Float64Array(n);
  const runs = kyleTickRuns(tape, p);
  for (let r = 0; r < runs.length; r++) {
    const from = runs.row[r];
    const to = runEnd(runs, r, n);
    lambda.fill(runs.lambda[r], from, to);
    tStat.fill(runs.tStat[r], from, to);
    r2.fill(runs.r2[r], from, to);
  }
  return { lambda, tStat, r2 };
}

/**
 * Kyle's lambda on a trade tape as runs of rows (see src/signals/row-runs.ts):
 * a new run starts at every row that crosses the next interval boundary, and
 * all rows of a run see the same regression. The same intervals, points and
 * fits as {@link KyleLambdaIndicator}, with its arithmetic (a boundary is
 * crossed when time ≥ (⌊t/Δ⌋ + 1)·Δ of the run's first row; at most one
 * crossing per row), so the two agree bit for bit; {@link kyleLambdaSeries}
 * is these runs written out per row.
 */
export interface KyleTickRuns extends RowRuns {
  lambda: Float64Array;
  tStat: Float64Array;
  r2: Float64Array;
  /** Σ side·amount over the run's rows (plain amounts even with sqrtVolume). */
  signedVolume: Float64Array;
  /** The boundary the run ends at: the next run starts at the first row after the run's first with time ≥ end (−∞ before the first boundary). */
  end: Float64Array;
}

/**
 * Two small loops, each compiled on its own: a scan of the tape that splits
 * it into runs and sums their flow (a comparison and two adds per trade, no
 * store, no division), then the regression once per completed interval. (One
 * function doing both was re-optimised on every call — its per-run code had
 * no type feedback when the per-trade loop got hot — at 16 ms of compile per
 * call on this machine.)
 *
 * @example const k = kyleTickRuns(trades, { sampleMs: 10_000, windowSamples: 60 }); k.lambda[k.length - 1]
 */
export function kyleTickRuns(tape: TradeTape, p: KyleParams): KyleTickRuns {
  const W = checkParams(p, false, 'kyleTickRuns');
  const sc = new IntervalScan(tape, p.sampleMs);
  const m = sc.scan(tape, p.sampleMs, p.sqrtVolume === 1);
  const lambda = new Float64Array(m);
  const tStat = new Float64Array(m);
  const r2 = new Float64Array(m);
  fitRuns(sc, m, tape.price, W, lambda, tStat, r2);
  return { length: m, row: sc.row.slice(0, m), lambda, tStat, r2, signedVolume: sc.signedVolume.slice(0, m), end: sc.end.slice(0, m) };
}

/**
 * The regression seen by each run: the streaming indicator's roll at each
 * run's first row, with the flow the interval had when the crossing came.
 * (The loops here and in `IntervalScan.scan` end their functions: code after
 * a hot loop has no type feedback when V8 optimises the loop, and would
 * de-optimise it on the way out.)
 */
function fitRuns(sc: IntervalScan, m: number, price: Float64Array, W: number, lambda: Float64Array, tStat: Float64Array, r2: Float64Array): void {
  const win = new PointWindow(W);
  const out = new Float64Array(3).fill(NaN);
  const { row, bucketAt, flowAt } = sc;
  let bucket = NaN;
  let prevLast = NaN;
  for (let r = 0; r < m; r++) {
    const b = bucketAt[r];
    if (b !== b) {
      // rows before the first crossing: no interval yet
    } else if (bucket !== bucket) bucket = b; // first crossing: the interval the first trade is in
    else if (b > bucket) {
      const last = price[row[r] - 1];
      let pushed = false;
      if (prevLast === prevLast) {
        win.push(flowAt[r], last - prevLast);
        pushed = true;
      }
      prevLast = last;
      const empty = Math.min(b - bucket - 1, W);
      for (let g = 0; g < empty; g++) win.push(0, 0);
      if (pushed || empty > 0) win.fit(out);
      bucket = b;
    }
    lambda[r] = out[0];
    tStat[r] = out[1];
    r2[r] = out[2];
  }
}

/**
 * A tape cut at the streaming indicator's interval-boundary crossings: a
 * crossing is a row with time ≥ next; `next` and the interval index are
 * recomputed there (`⌊t/Δ⌋`, `(⌊t/Δ⌋ + 1)·Δ`, the same expressions), and the
 * interval's flow restarts when the index advances. The columns are sized
 * for one run per interval the tape spans and double should rounding ever
 * need more.
 */
class IntervalScan {
  /** First row of each run. */
  row: Int32Array;
  /** ⌊t/Δ⌋ of the run's first row (NaN for a run of NaN times before the first crossing). */
  bucketAt: Float64Array;
  /** The open interval's regression flow when run r began (what a roll at row[r] pushes). */
  flowAt: Float64Array;
  signedVolume: Float64Array;
  end: Float64Array;
  private cap: number;

  constructor(tape: TradeTape, dt: number) {
    this.cap = runCapacity(tape.time, tape.length, dt);
    this.row = new Int32Array(this.cap);
    this.bucketAt = new Float64Array(this.cap);
    this.flowAt = new Float64Array(this.cap);
    this.signedVolume = new Float64Array(this.cap);
    this.end = new Float64Array(this.cap);
  }

  /** Fills the columns; returns the number of runs. */
  scan(tape: TradeTape, dt: number, sqrt: boolean): number {
    const { time, amount, side } = tape;
    const n = tape.length;
    const acc = new Float64Array(2); // [regression flow of the open interval, Σ side·amount of the open run]
    let m = 0; // runs so far; run m − 1 is open
    let next = -Infinity;
    let bucket = NaN;
    let k = 0;
    for (;;) {
      k = sqrt ? sumSqrtFlow(time, side, amount, k, n, next, acc) : sumFlow(time, side, amount, k, n, next, acc);
      if (m > 0) {
        this.signedVolume[m - 1] = acc[1];
        this.end[m - 1] = next;
      } else if (k > 0) {
        // rows before the first crossing (NaN times only): a run of their own
        this.row[0] = 0;
        this.bucketAt[0] = NaN;
        this.flowAt[0] = 0;
        this.signedVolume[0] = acc[1];
        this.end[0] = next;
        m = 1;
      }
      if (k === n) return m;
      if (m === this.cap) this.grow();
      const b = Math.floor(time[k] / dt);
      next = (b + 1) * dt;
      this.row[m] = k;
      this.bucketAt[m] = b;
      this.flowAt[m] = acc[0];
      m++;
      if (bucket !== bucket) bucket = b;
      else if (b > bucket) {
        bucket = b;
        acc[0] = 0;
      }
      acc[1] = 0;
      // Row k opens the run whatever rounding says about the new `next` (the indicator rolls at
      // most once per print), so its flow is added here and the scan resumes after it.
      const s = side[k];
      const a = amount[k];
      acc[0] += sqrt ? s * Math.sqrt(a) : s * a;
      acc[1] += s * a;
      k++;
    }
  }

  private grow(): void {
    this.cap *= 2;
    this.row = grownInt32(this.row, this.cap);
    this.bucketAt = grownFloat64(this.bucketAt, this.cap);
    this.flowAt = grownFloat64(this.flowAt, this.cap);
    this.signedVolume = grownFloat64(this.signedVolume, this.cap);
    this.end = grownFloat64(this.end, this.cap);
  }
}

/**
 * From row k, the rows before the first one with time ≥ next: acc[0] += Σ
 * side·amount (the regression's flow) and acc[1] += the same (the run's
 * signed volume); returns that first row (n if none). A function of its own
 * with its sums in locals read from a Float64Array: inlined in the per-run
 * loop, whose accumulators are reset to 0 there, V8 kept them as boxed
 * numbers and allocated one per trade (2,500 scavenges on 10 M trades; 65 vs
 * 30 ms).
 */
function sumFlow(time: Float64Array, side: Int8Array, amount: Float64Array, k: number, n: number, next: number, acc: Float64Array): number {
  let flow = acc[0];
  let sv = acc[1];
  for (; k < n; k++) {
    if (time[k] >= next) break;
    const x = side[k] * amount[k];
    flow += x;
    sv += x;
  }
  acc[0] = flow;
  acc[1] = sv;
  return k;
}

/** As {@link sumFlow} with the regression's flow Σ side·√amount. */
function sumSqrtFlow(time: Float64Array, side: Int8Array, amount: Float64Array, k: number, n: number, next: number, acc: Float64Array): number {
  let flow = acc[0];
  let sv = acc[1];
  for (; k < n; k++) {
    if (time[k] >= next) break;
    const s = side[k];
    const a = amount[k];
    flow += s * Math.sqrt(a);
    sv += s * a;
  }
  acc[0] = flow;
  acc[1] = sv;
  return k;
}


function kyleBars(bars: BarTape, p: KyleParams): KyleSeries {
  const W = checkParams(p, true, 'kyleLambdaSeries');
  const n = bars.length;
  const lambda = new Float64Array(n).fill(NaN);
  const tStat = new Float64Array(n).fill(NaN);
  const r2 = new Float64Array(n).fill(NaN);
  const sqrt = p.sqrtVolume === 1;
  const clv = p.barSigning === 1;
  const { close, high, low, volume } = bars;
  const sv = clv
    ? null
    : barFlowImbalance(bars, { windowMs: bars.timeframeMs || 1, sigmaLookbackMs: p.sigmaLookbackMs ?? DEFAULT_SIGMA_LOOKBACK_MS }).signedVolume;
  const win = new PointWindow(W);
  const out = new Float64Array(3).fill(NaN);
  for (let i = 1; i < n; i++) {
    const s = sv ? bvcFlow(sv[i], volume[i], sqrt) : clvFlow(high[i], low[i], close[i], volume[i], sqrt);
    win.push(s, close[i] - close[i - 1]);
    win.fit(out);
    lambda[i] = out[0];
    tStat[i] = out[1];
    r2[i] = out[2];
  }
  return { lambda, tStat, r2 };
}

/**
 * Streaming Kyle's lambda over trades: the same intervals, points and
 * regression as {@link kyleLambdaSeries}. Outputs `lambda`, `tStat`, `r2`
 * (NaN until `windowSamples` points exist). Per trade: one comparison
 * against the next interval boundary and one accumulation.
 */
export class KyleLambdaIndicator implements TradeIndicator {
  readonly outputs = ['lambda', 'tStat', 'r2'] as const;
  private readonly dt: number;
  private readonly sqrt: boolean;
  private readonly win: PointWindow;
  private readonly out = new Float64Array(3).fill(NaN);
  private next = -Infinity; // start of the next interval (ms)
  private bucket = NaN;
  private prevLast = NaN;
  /** Per-trade state [last price, Σ flow of the open interval] in a typed array: stores never box a double. */
  private readonly acc = new Float64Array([NaN, 0]);

  constructor(params: KyleParams) {
    this.win = new PointWindow(checkParams(params, false, 'KyleLambdaIndicator'));
    this.dt = params.sampleMs;
    this.sqrt = params.sqrtVolume === 1;
  }

  update(time: number, price: number, amount: number, side: number): boolean {
    if (time >= this.next) this.roll(time);
    const acc = this.acc;
    acc[0] = price;
    acc[1] += side * (this.sqrt ? Math.sqrt(amount) : amount);
    return this.out[0] === this.out[0];
  }

  private roll(time: number): void {
    const b = Math.floor(time / this.dt);
    this.next = (b + 1) * this.dt;
    if (this.bucket !== this.bucket) {
      this.bucket = b; // first trade
      return;
    }
    if (!(b > this.bucket)) return;
    const acc = this.acc;
    let pushed = false;
    if (this.prevLast === this.prevLast) {
      this.win.push(acc[1], acc[0] - this.prevLast);
      pushed = true;
    }
    this.prevLast = acc[0];
    const empty = Math.min(b - this.bucket - 1, this.win.W);
    for (let g = 0; g < empty; g++) this.win.push(0, 0);
    if (pushed || empty > 0) this.win.fit(this.out);
    this.bucket = b;
    acc[1] = 0;
  }

  value(k = 0): number {
    return k >= 0 && k < 3 ? this.out[k] : NaN;
  }
}

/**
 * Streaming Kyle's lambda over bars (twin of {@link kyleLambdaSeries} on a bar
 * tape). Needs the bar timeframe up front for bulk volume classification.
 */
export class KyleLambdaBarIndicator implements BarIndicator {
  readonly outputs = ['lambda', 'tStat', 'r2'] as const;
  private readonly sqrt: boolean;
  private readonly bvc: BarFlowImbalanceIndicator | null;
  private readonly win: PointWindow;
  private readonly out = new Float64Array(3).fill(NaN);
  private prevClose = NaN;

  constructor(params: KyleParams, timeframeMs: number) {
    this.win = new PointWindow(checkParams(params, true, 'KyleLambdaBarIndicator'));
    this.sqrt = params.sqrtVolume === 1;
    this.bvc =
      params.barSigning === 1
        ? null
        : new BarFlowImbalanceIndicator({ windowMs: timeframeMs || 1, sigmaLookbackMs: params.sigmaLookbackMs ?? DEFAULT_SIGMA_LOOKBACK_MS }, timeframeMs);
  }

  update(time: number, open: number, high: number, low: number, close: number, volume: number): boolean {
    if (this.bvc) this.bvc.update(time, open, high, low, close, volume);
    const prev = this.prevClose;
    this.prevClose = close;
    if (prev !== prev) return false; // first bar: no Δp
    const s = this.bvc ? bvcFlow(this.bvc.value(3), volume, this.sqrt) : clvFlow(high, low, close, volume, this.sqrt);
    this.win.push(s, close - prev);
    this.win.fit(this.out);
    return this.out[0] === this.out[0];
  }

  value(k = 0): number {
    return k >= 0 && k < 3 ? this.out[k] : NaN;
  }
}

/** `edgelab signals --signal kyle`. */
export const KYLE_SIGNAL: SignalSpec = {
  name: 'kyle',
  description:
    "Kyle's lambda: rolling OLS slope (with intercept) of interval price change on signed order flow, its t-statistic (n − 2 dof) and R², from the last completed interval. Bars sign volume from prices (BVC or CLV): inflated statistics, see docs.",
  outputs: ['lambda', 'tStat', 'r2'],
  params: {
    sampleMs: { default: 10_000, min: 1, unit: 'ms', doc: 'Ticks: interval length (ms), epoch-aligned; bars use the bar.' },
    windowSamples: { default: 60, min: 3, integer: true, unit: 'samples', doc: 'Intervals in the rolling regression (NaN until this many).' },
    sqrtVolume: { default: 0, min: 0, max: 1, integer: true, unit: 'flag', doc: '1: flow = Σ side·√amount (bars √volume) instead of Σ side·amount.' },
    barSigning: { default: 0, min: 0, max: 1, integer: true, unit: 'flag', doc: 'Bars: 0 = bulk volume classification, 1 = close location value.' },
    sigmaLookbackMs: { default: DEFAULT_SIGMA_LOOKBACK_MS, min: 1, unit: 'ms', doc: 'Bars, BVC: span of the σ of close-to-close changes (ms).' },
  },
  accepts: ['trades', 'bars'],
  compute(tape: MarketTape, p: Record<string, number>): Record<string, Float64Array> {
    const r = kyleLambdaSeries(tape, {
      sampleMs: p.sampleMs,
      windowSamples: p.windowSamples,
      sqrtVolume: p.sqrtVolume,
      barSigning: p.barSigning,
      sigmaLookbackMs: p.sigmaLookbackMs,
    });
    return { lambda: r.lambda, tStat: r.tStat, r2: r.r2 };
  },
};
