/**
 * A regular time grid over a tape, for features that are defined per
 * interval (returns, volume ratios, channels, volatility).
 *
 * Ticks: interval k covers [k·Δ, (k+1)·Δ) in epoch-aligned ms; its close is
 * the last print inside it (carried forward through empty intervals). A tape
 * row inside interval k sees samples < k only — the interval it is in is not
 * finished — so every feature read through `runs` (or `rowToSample`) is causal.
 * Bars: each bar is a sample and row i sees sample i (decisions are made at
 * the bar's close).
 */
import type { BarTape, MarketTape } from '../data/tape';

export interface SampledSeries {
  /** Sample duration (ms). */
  dtMs: number;
  length: number;
  /** End time of each sample (ms). */
  end: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Σ side·amount (ticks); bars: 0 (no taker side). */
  signedVolume: Float64Array;
  /**
   * Where each sample's rows start: rows `runs[j + 1] … runs[j + 2] − 1` of
   * the tape see sample j (j = −1: rows before any completed sample); length
   * `length + 2`, the last entry the tape's length. What per-sample values are
   * written to rows with (see {@link sampleRuns}).
   */
  runs: Int32Array;
  /**
   * For each tape row, the last sample it may see (−1: none yet). Built from
   * `runs` on first read (4 bytes a row); the sampling pass itself writes only
   * the run starts, so code that walks rows should use `runs`.
   */
  readonly rowToSample: Int32Array;
}

const cache = new WeakMap<object, Map<number, SampledSeries>>();

/** Sample a tape on a Δ-ms grid (cached per tape and Δ). */
export function sampleTape(tape: MarketTape, sampleMs: number): SampledSeries {
  let byDt = cache.get(tape);
  if (!byDt) cache.set(tape, (byDt = new Map()));
  const key = tape.kind === 'bars' ? -1 : sampleMs;
  const hit = byDt.get(key);
  if (hit) return hit;
  const s = tape.kind === 'bars' ? sampleBars(tape) : sampleTicks(tape, sampleMs);
  byDt.set(key, s);
  return s;
}

function sampleBars(b: Extract<MarketTape, { kind: 'bars' }>): SampledSeries {
  const n = b.length;
  const end = new Float64Array(n);
  for (let i = 0; i < n; i++) end[i] = b.time[i] + b.timeframeMs;
  // Row i sees bar i: runs[0] = runs[1] = 0, runs[j + 1] = j, runs[n + 1] = n.
  const runs = new Int32Array(n + 2);
  for (let j = 0; j <= n; j++) runs[j + 1] = j;
  return withRowToSample({ dtMs: b.timeframeMs, length: n, end, close: b.close, volume: b.volume, signedVolume: new Float64Array(n), runs }, n);
}

/** Attach the lazily built per-row view `rowToSample` (see SampledSeries). */
function withRowToSample(s: Omit<SampledSeries, 'rowToSample'>, rows: number): SampledSeries {
  let r2s: Int32Array | undefined;
  return Object.defineProperty(s, 'rowToSample', {
    enumerable: true,
    get: () => {
      if (!r2s) {
        r2s = new Int32Array(rows);
        const runs = s.runs;
        for (let j = -1; j < s.length; j++) r2s.fill(j, runs[j + 1], runs[j + 2]);
      }
      return r2s;
    },
  }) as SampledSeries;
}

function sampleTicks(t: Extract<MarketTape, { kind: 'trades' }>, dt: number): SampledSeries {
  const n = t.length;
  if (n === 0) {
    return withRowToSample({ dtMs: dt, length: 0, end: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0), signedVolume: new Float64Array(0), runs: new Int32Array(2) }, 0);
  }
  const first = Math.floor(t.time[0] / dt);
  const last = Math.floor(t.time[n - 1] / dt);
  const m = last - first + 1;
  const end = new Float64Array(m);
  const close = new Float64Array(m);
  const volume = new Float64Array(m);
  const signedVolume = new Float64Array(m);
  // Rows of interval b see sample b − 1, so runs[b] is the first row of interval b
  // (runs[0] = 0: the first interval's rows see no sample).
  const runs = new Int32Array(m + 2);
  let k = 0;
  const time = t.time;
  const px = t.price;
  const amt = t.amount;
  const side = t.side;
  // One interval per turn of the outer loop; the inner loop runs over the
  // interval's rows with the edge as its condition and the sums in locals.
  // (The same sums in the same order as one loop with an `if (edge)` inside,
  // which ran ~3× slower on 10 M prints: V8 kept the sums it reset in the
  // branch in memory, not in registers.) b is the current row's interval; it
  // moves only at an edge, so there is no division per row.
  let b = 0;
  let i = 0;
  for (;;) {
    const nextEdge = (first + b + 1) * dt;
    let vol = 0;
    let svol = 0;
    while (i < n && time[i] < nextEdge) {
      const a = amt[i];
      vol += a;
      svol += side[i] * a;
      i++;
    }
    volume[b] = vol;
    signedVolume[b] = svol;
    const price = px[i - 1]; // the interval's last print (the price column is read only here)
    if (i === n) {
      close[k] = price;
      end[k] = (first + k + 1) * dt;
      for (let q = b + 1; q <= m + 1; q++) runs[q] = n;
      break;
    }
    const from = b;
    b = Math.floor(time[i] / dt) - first;
    for (let q = from + 1; q <= b; q++) runs[q] = i; // empty intervals start where the next rows do
    while (k < b) {
      close[k] = price; // carry forward through empty intervals
      end[k] = (first + k + 1) * dt;
      k++;
    }
  }
  return withRowToSample({ dtMs: dt, length: m, end, close, volume, signedVolume, runs }, n);
}

/**
 * Sample variance (n − 1) of the last `k` one-sample log returns ending at
 * each sample; NaN until k returns exist. O(1) per sample (rolling sums).
 */
export function rollingReturnVariance(close: Float64Array, k: number): Float64Array {
  const m = close.length;
  const out = new Float64Array(m).fill(NaN);
  if (k < 2) return out;
  let s1 = 0;
  let s2 = 0;
  let cnt = 0;
  for (let j = 1; j < m; j++) {
    const r = Math.log(close[j] / close[j - 1]);
    s1 += r;
    s2 += r * r;
    cnt++;
    if (cnt > k) {
      const old = Math.log(close[j - k] / close[j - k - 1]);
      s1 -= old;
      s2 -= old * old;
      cnt--;
    }
    if (cnt === k) out[j] = (s2 - (s1 * s1) / k) / (k - 1);
  }
  return out;
}

/**
 * z-score of the log return over the last `k` samples against the trailing
 * standard deviation of one-sample log returns over `sigmaK` samples (scaled
 * by √k). NaN until sigmaK + k samples exist or when σ = 0.
 */
export function returnZ(close: Float64Array, k: number, sigmaK: number): Float64Array {
  const m = close.length;
  const z = new Float64Array(m).fill(NaN);
  const v = rollingReturnVariance(close, sigmaK);
  for (let j = k; j < m; j++) {
    const vj = v[j];
    if (vj > 0) z[j] = Math.log(close[j] / close[j - k]) / Math.sqrt(vj * k);
  }
  return z;
}

/** Volume of the last `k` samples over its average per k samples across the last `kLong` (NaN until kLong samples). */
export function volumeRatio(volume: Float64Array, k: number, kLong: number): Float64Array {
  const m = volume.length;
  const out = new Float64Array(m).fill(NaN);
  let w = 0;
  let l = 0;
  for (let j = 0; j < m; j++) {
    w += volume[j];
    l += volume[j];
    if (j >= k) w -= volume[j - k];
    if (j >= kLong) l -= volume[j - kLong];
    if (j + 1 >= kLong && l > 0) out[j] = w / ((l * k) / kLong);
  }
  return out;
}

/** Highest and lowest close over the `k` samples BEFORE j (a channel the current sample can break). */
export function channel(close: Float64Array, k: number): { high: Float64Array; low: Float64Array } {
  const m = close.length;
  const high = new Float64Array(m).fill(NaN);
  const low = new Float64Array(m).fill(NaN);
  // Monotonic deques of indices (max and min), O(1) amortised.
  const qmax = new Int32Array(m);
  const qmin = new Int32Array(m);
  let h1 = 0;
  let t1 = 0;
  let h2 = 0;
  let t2 = 0;
  for (let j = 0; j < m; j++) {
    if (j >= k) {
      high[j] = close[qmax[h1]];
      low[j] = close[qmin[h2]];
    }
    // add j, drop j − k + 1 … keep window (j − k + 1 .. j] for the next step
    while (t1 > h1 && close[qmax[t1 - 1]] <= close[j]) t1--;
    qmax[t1++] = j;
    while (t2 > h2 && close[qmin[t2 - 1]] >= close[j]) t2--;
    qmin[t2++] = j;
    if (qmax[h1] <= j - k) h1++;
    if (qmin[h2] <= j - k) h2++;
  }
  return { high, low };
}

/** Exponential moving average with span k (α = 2/(k+1)), seeded with the first value. */
export function ema(x: Float64Array, k: number): Float64Array {
  const m = x.length;
  const out = new Float64Array(m);
  const a = 2 / (k + 1);
  let e = m ? x[0] : 0;
  for (let j = 0; j < m; j++) {
    e += a * (x[j] - e);
    out[j] = e;
  }
  return out;
}

/**
 * Realised volatility of one-sample log returns over the last `k` samples
 * (sample standard deviation); NaN until k returns exist.
 */
export function realizedVol(close: Float64Array, k: number): Float64Array {
  const v = rollingReturnVariance(close, k);
  for (let j = 0; j < v.length; j++) if (v[j] === v[j]) v[j] = v[j] > 0 ? Math.sqrt(v[j]) : 0;
  return v;
}

/**
 * Fraction of the trailing `window` values (excluding j) that are ≤ x[j]:
 * a causal empirical CDF for percentile thresholds. NaN until `minCount`
 * finite values exist. O(window) per sample — samples are far fewer than
 * trades.
 */
export function trailingPercentile(x: Float64Array, window: number, minCount: number): Float64Array {
  const m = x.length;
  const out = new Float64Array(m).fill(NaN);
  for (let j = 0; j < m; j++) {
    const v = x[j];
    if (!Number.isFinite(v)) continue;
    let le = 0;
    let cnt = 0;
    for (let q = Math.max(0, j - window); q < j; q++) {
      const w = x[q];
      if (w === w) {
        cnt++;
        if (w <= v) le++;
      }
    }
    if (cnt >= minCount) out[j] = le / cnt;
  }
  return out;
}

/**
 * Where each sample's rows start: rows `runs[j + 1] … runs[j + 2] − 1` of the
 * tape see sample j (j = −1: rows before any completed sample), so a
 * per-sample value can be written to its rows with one `fill` instead of a
 * lookup per row. Each sample's rows are contiguous (a row never sees an
 * earlier sample than the row before it; empty intervals have none). The
 * sampling pass records these starts as it goes (`SampledSeries.runs`).
 */
export function sampleRuns(smp: SampledSeries): Int32Array {
  return smp.runs;
}

/** The sample tape row `row` sees (−1: none yet), by binary search over the run starts: for a few rows, not per row. */
export function sampleOfRow(smp: SampledSeries, row: number): number {
  const runs = smp.runs;
  // The largest k with runs[k] ≤ row; row sees sample k − 1.
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (runs[mid] <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo - 1;
}

/** Rows count, steps in samples of a span (at least 1). */
export function samplesIn(spanMs: number, dtMs: number): number {
  return Math.max(1, Math.round(spanMs / Math.max(1, dtMs)));
}

const barCache = new WeakMap<object, Map<number, BarTape>>();

/**
 * The sampled grid as a bar tape (open = high = low = close = the sample's
 * close), so a formula's bar form can run once per sample instead of writing
 * a value for every trade. Row i of the original tape reads sample
 * sample `sampleOfRow(sampleTape(tape, Δ), i)` of the result (or walk `runs`). Bars are returned as
 * they are. Note: empty intervals carry the last close forward (a zero
 * return), where a formula fed the trades directly may skip them.
 */
export function sampledBars(tape: MarketTape, sampleMs: number): BarTape {
  if (tape.kind === 'bars') return tape;
  let m = barCache.get(tape);
  if (!m) barCache.set(tape, (m = new Map()));
  const hit = m.get(sampleMs);
  if (hit) return hit;
  const s = sampleTape(tape, sampleMs);
  const time = new Float64Array(s.length);
  for (let j = 0; j < s.length; j++) time[j] = s.end[j] - s.dtMs;
  const b: BarTape = {
    kind: 'bars',
    length: s.length,
    time,
    open: s.close,
    high: s.close,
    low: s.close,
    close: s.close,
    volume: s.volume,
    timeframeMs: s.dtMs,
    source: { ...tape.source, format: `${tape.source.format}, sampled every ${sampleMs} ms` },
  };
  m.set(sampleMs, b);
  return b;
}
