/**
 * Order-flow imbalance from trades (trade-based OFI).
 *
 * Type: microstructure. Over a rolling time window, the signed share of
 * aggressive volume: (buy taker volume − sell taker volume) / total volume,
 * in [−1, 1]. Positive means buyers are lifting offers. Cont, Kukanov &
 * Stoikov (2014) show that order-flow imbalance explains short-horizon price
 * changes; this is the trade-only variant that needs no book.
 *
 * @see R. Cont, A. Kukanov, S. Stoikov, "The Price Impact of Order Book Events", J. Financial Econometrics 12(1), 2014.
 */
import type { TradeTape } from '../data/tape';
import type { BarTape, MarketTape, QuoteTape } from '../data/tape';
import { normalCdf } from '../analytics/stats';
import type { BarIndicator, SignalSpec, TradeIndicator } from './signal';

/**
 * Imbalance over the window (t − windowMs, t] ending at each trade, and the
 * number of trades in it. O(n) two-pointer pass; no allocation besides the
 * outputs.
 *
 * @example tradeFlowImbalance(tape, 60_000).imbalance[i] // e.g. 0.42
 */
export function tradeFlowImbalance(tape: TradeTape, windowMs: number): { imbalance: Float64Array; volume: Float64Array; count: Int32Array } {
  const n = tape.length;
  const imbalance = new Float64Array(n);
  const volume = new Float64Array(n);
  const count = new Int32Array(n);
  const { time, amount, side } = tape;
  let tail = 0;
  let signed = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = amount[i];
    signed += side[i] * a;
    total += a;
    const cutoff = time[i] - windowMs;
    // About one print leaves per new print, a random number of them: two
    // branch-free steps (amount × 0 or × 1, the same sums bit for bit) take
    // the common cases, so the loop's exit is rarely mispredicted.
    let adv = +(time[tail] <= cutoff);
    let b = amount[tail] * adv;
    signed -= side[tail] * b;
    total -= b;
    tail += adv;
    adv = +(time[tail] <= cutoff);
    b = amount[tail] * adv;
    signed -= side[tail] * b;
    total -= b;
    tail += adv;
    while (time[tail] <= cutoff) {
      b = amount[tail];
      signed -= side[tail] * b;
      total -= b;
      tail++;
    }
    volume[i] = total;
    count[i] = i - tail + 1;
    imbalance[i] = total > 0 ? clamp1(signed / total) : 0;
  }
  return { imbalance, volume, count };
}

/** Rounding in the running sums can push |x| a hair past 1. */
export function clamp1(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/**
 * Streaming twin of {@link tradeFlowImbalance}: the same window (t − windowMs, t]
 * and the same running sums in the same order, so it reproduces the batch
 * numbers bit for bit. Outputs `imbalance`, `volume`, `count`; defined from
 * the first trade (imbalance 0 while the window's volume is 0).
 *
 * State: a ring of (time, side·amount, amount) for the trades inside the
 * window. It doubles when full (amortised; no allocation per trade once the
 * busiest window has been seen).
 *
 * @example const ofi = new TradeFlowImbalanceIndicator(60_000); ofi.update(t, p, a, s); ofi.value(0)
 */
export class TradeFlowImbalanceIndicator implements TradeIndicator {
  readonly outputs = ['imbalance', 'volume', 'count'] as const;
  private readonly windowMs: number;
  private t: Float64Array = new Float64Array(1024);
  private a: Float64Array = new Float64Array(1024);
  private s: Int8Array = new Int8Array(1024);
  private mask = 1023;
  private head = 0; // oldest entry
  private tail = 0; // next free slot; one slot is kept free, so head === tail means empty
  private started = false;
  private signed = 0;
  private total = 0;
  private imb = NaN;

  constructor(windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`TradeFlowImbalanceIndicator: windowMs must be > 0, got ${windowMs}`);
    this.windowMs = windowMs;
  }

  update(time: number, _price: number, amount: number, side: number): boolean {
    // An infinite time makes the cutoff infinite too: every slot, stale ones included,
    // would look older than the window and eviction would never stop.
    if (time === Infinity) throw new RangeError('TradeFlowImbalanceIndicator.update: time must be finite, got Infinity');
    if (((this.tail + 1) & this.mask) === this.head) this.grow();
    const mask = this.mask;
    const t = this.t;
    const a = this.a;
    const s = this.s;
    const slot = this.tail;
    t[slot] = time;
    a[slot] = amount;
    s[slot] = side;
    this.tail = (slot + 1) & mask;
    // Same operations in the same order as the batch pass (side·amount recomputed on eviction is the same product).
    let signed = this.signed + side * amount;
    let total = this.total + amount;
    const cutoff = time - this.windowMs;
    let head = this.head;
    // Evict the oldest while outside the window (never the newest: windowMs > 0);
    // two branch-free steps first, as in the batch pass (× 0 or × 1: same sums).
    let adv = +(t[head] <= cutoff);
    let x = a[head] * adv;
    signed -= s[head] * x;
    total -= x;
    head = (head + adv) & mask;
    adv = +(t[head] <= cutoff);
    x = a[head] * adv;
    signed -= s[head] * x;
    total -= x;
    head = (head + adv) & mask;
    while (t[head] <= cutoff) {
      signed -= s[head] * a[head];
      total -= a[head];
      head = (head + 1) & mask;
    }
    this.head = head;
    this.signed = signed;
    this.total = total;
    this.started = true;
    this.imb = total > 0 ? clamp1(signed / total) : 0;
    return true;
  }

  value(k = 0): number {
    if (k === 0) return this.imb;
    if (k === 1) return this.started ? this.total : NaN;
    return k === 2 ? (this.tail - this.head) & this.mask : NaN;
  }

  private grow(): void {
    const size = (this.tail - this.head) & this.mask;
    const cap = (this.mask + 1) * 2;
    this.t = unroll(this.t, this.head, size, cap);
    this.a = unroll(this.a, this.head, size, cap);
    const s = new Int8Array(cap);
    for (let k = 0; k < size; k++) s[k] = this.s[(this.head + k) & this.mask];
    this.s = s;
    this.head = 0;
    this.tail = size;
    this.mask = cap - 1;
  }
}

/** Copy a ring's `size` items starting at `head` into a fresh array of `cap`, oldest first. */
function unroll(ring: Float64Array, head: number, size: number, cap: number): Float64Array {
  const out = new Float64Array(cap);
  const mask = ring.length - 1;
  for (let k = 0; k < size; k++) out[k] = ring[(head + k) & mask];
  return out;
}

// ─── Bars: bulk volume classification ────────────────────────────────────

/** Parameters of {@link barFlowImbalance} (the V1 bar parameters of the same names). */
export interface BarFlowParams {
  /** Imbalance window; counts whole bars, k = max(1, round(windowMs / timeframe)). */
  windowMs: number;
  /** Span of the σ of close-to-close changes used to classify volume (ms); kσ = max(2, round(·/timeframe)) changes. */
  sigmaLookbackMs: number;
  /** Span of the trailing volume `longVolume` (ms), kLong = max(k, round(·/timeframe)) bars. Default 3,600,000 (V1's). */
  volumeLookbackMs?: number;
}

export interface BarFlowImbalance {
  /** Σ signed / Σ volume over the last k bars, in [−1, 1]; NaN during warm-up (see {@link barFlowImbalance}) or when the window has no volume. */
  imbalance: Float64Array;
  /** Σ volume over the window (bars max(1, i−k+1)..i). */
  volume: Float64Array;
  /** Σ volume over the last kLong bars; NaN until i ≥ kLong. */
  longVolume: Float64Array;
  /** Per bar: volume · (2·buyShare − 1); 0 for bar 0. */
  signedVolume: Float64Array;
  /** k and kLong in bars (V1 scales the volume ratio by k / kLong). */
  windowBars: number;
  longBars: number;
}

/** Standard normal CDF (the shared implementation in src/analytics/stats.ts). */
const phi = normalCdf;

/**
 * Order-flow imbalance on bars by bulk volume classification (BVC).
 *
 * Bars carry no taker side, so each bar's volume is split by
 * buy share = Φ(Δclose / σ), with σ the sample standard deviation of
 * close-to-close changes over the trailing kσ changes INCLUDING this bar's
 * (known at its close); σ = 0 or fewer than 2 changes ⇒ buy share ½.
 * Signed volume = volume · (2·buyShare − 1); imbalance = Σ signed / Σ volume
 * over the last k bars. Defined (not NaN) once i ≥ k, at least
 * min(kσ, 20) changes have been seen and the window has volume — the rule
 * V1 (`v1Bars`) applies before it acts. The rolling sums are the same
 * operations in the same order as V1's, so V1's decisions are unchanged.
 *
 * Caveat: the sign comes from the bar's own price change, so the imbalance is
 * a transform of the return, not independent evidence of aggressive flow.
 *
 * @see D. Easley, M. López de Prado, M. O'Hara, "Flow Toxicity and Liquidity in a High-frequency World", Rev. Financial Studies 25(5), 2012 (BVC).
 * @example barFlowImbalance(bars, { windowMs: 3_600_000, sigmaLookbackMs: 86_400_000 }).imbalance[i]
 */
export function barFlowImbalance(bars: BarTape, params: BarFlowParams): BarFlowImbalance {
  const n = bars.length;
  const tf = bars.timeframeMs || 1;
  const k = Math.max(1, Math.round(params.windowMs / tf));
  const kLong = Math.max(k, Math.round((params.volumeLookbackMs ?? 3_600_000) / tf));
  const kSigma = Math.max(2, Math.round(params.sigmaLookbackMs / tf));
  const warm = Math.min(kSigma, 20);
  const { close, volume } = bars;
  const imbalance = new Float64Array(n).fill(NaN);
  const winVolume = new Float64Array(n);
  const longVolume = new Float64Array(n).fill(NaN);
  const signedVol = new Float64Array(n);
  let s1 = 0;
  let s2 = 0;
  let m = 0;
  let winSigned = 0;
  let winVol = 0;
  let longVol = 0;
  for (let i = 1; i < n; i++) {
    const d = close[i] - close[i - 1];
    s1 += d;
    s2 += d * d;
    m++;
    if (m > kSigma) {
      const old = close[i - kSigma] - close[i - kSigma - 1];
      s1 -= old;
      s2 -= old * old;
      m--;
    }
    const variance = m > 1 ? (s2 - (s1 * s1) / m) / (m - 1) : 0; // Bessel's correction
    const sd = variance > 0 ? Math.sqrt(variance) : 0;
    const buyShare = sd > 0 ? phi(d / sd) : 0.5;
    signedVol[i] = volume[i] * (2 * buyShare - 1);
    winSigned += signedVol[i];
    winVol += volume[i];
    longVol += volume[i];
    if (i - k >= 1) {
      winSigned -= signedVol[i - k];
      winVol -= volume[i - k];
    }
    if (i - kLong >= 1) longVol -= volume[i - kLong];
    winVolume[i] = winVol;
    if (i >= kLong) longVolume[i] = longVol;
    if (i < k || m < warm || winVol <= 0) continue;
    imbalance[i] = clamp1(winSigned / winVol);
  }
  return { imbalance, volume: winVolume, longVolume, signedVolume: signedVol, windowBars: k, longBars: kLong };
}

/**
 * Streaming twin of {@link barFlowImbalance} (same operations, same order).
 * Outputs `imbalance`, `volume`, `longVolume`, `signedVolume`. Needs the
 * bar timeframe up front (the batch form reads it from the tape).
 */
export class BarFlowImbalanceIndicator implements BarIndicator {
  readonly outputs = ['imbalance', 'volume', 'longVolume', 'signedVolume'] as const;
  private readonly k: number;
  private readonly kLong: number;
  private readonly kSigma: number;
  private readonly warm: number;
  private readonly dRing: Float64Array; // Δclose of bar j at j % kSigma
  private readonly svRing: Float64Array; // signed volume of bar j at j % k
  private readonly vRing: Float64Array; // volume of bar j at j % k
  private readonly vLongRing: Float64Array; // volume of bar j at j % kLong
  private i = -1;
  private prevClose = NaN;
  private s1 = 0;
  private s2 = 0;
  private m = 0;
  private winSigned = 0;
  private winVol = 0;
  private longVol = 0;
  private out0 = NaN;
  private out1 = NaN;
  private out2 = NaN;
  private out3 = NaN;

  constructor(params: BarFlowParams, timeframeMs: number) {
    const tf = timeframeMs || 1;
    this.k = Math.max(1, Math.round(params.windowMs / tf));
    this.kLong = Math.max(this.k, Math.round((params.volumeLookbackMs ?? 3_600_000) / tf));
    this.kSigma = Math.max(2, Math.round(params.sigmaLookbackMs / tf));
    this.warm = Math.min(this.kSigma, 20);
    this.dRing = new Float64Array(this.kSigma);
    this.svRing = new Float64Array(this.k);
    this.vRing = new Float64Array(this.k);
    this.vLongRing = new Float64Array(this.kLong);
  }

  update(_time: number, _open: number, _high: number, _low: number, close: number, volume: number): boolean {
    const i = ++this.i;
    if (i === 0) {
      this.prevClose = close;
      this.out1 = 0;
      this.out3 = 0;
      return false;
    }
    const d = close - this.prevClose;
    this.prevClose = close;
    const kS = this.kSigma;
    const oldD = this.dRing[i % kS]; // Δclose of bar i − kσ
    this.dRing[i % kS] = d;
    this.s1 += d;
    this.s2 += d * d;
    this.m++;
    if (this.m > kS) {
      this.s1 -= oldD;
      this.s2 -= oldD * oldD;
      this.m--;
    }
    const m = this.m;
    const variance = m > 1 ? (this.s2 - (this.s1 * this.s1) / m) / (m - 1) : 0;
    const sd = variance > 0 ? Math.sqrt(variance) : 0;
    const buyShare = sd > 0 ? phi(d / sd) : 0.5;
    const sv = volume * (2 * buyShare - 1);
    const k = this.k;
    const oldSv = this.svRing[i % k];
    const oldV = this.vRing[i % k];
    this.svRing[i % k] = sv;
    this.vRing[i % k] = volume;
    const kL = this.kLong;
    const oldVL = this.vLongRing[i % kL];
    this.vLongRing[i % kL] = volume;
    this.winSigned += sv;
    this.winVol += volume;
    this.longVol += volume;
    if (i - k >= 1) {
      this.winSigned -= oldSv;
      this.winVol -= oldV;
    }
    if (i - kL >= 1) this.longVol -= oldVL;
    this.out1 = this.winVol;
    this.out2 = i >= kL ? this.longVol : NaN;
    this.out3 = sv;
    this.out0 = i < k || m < this.warm || this.winVol <= 0 ? NaN : clamp1(this.winSigned / this.winVol);
    return this.out0 === this.out0;
  }

  value(k = 0): number {
    return k === 0 ? this.out0 : k === 1 ? this.out1 : k === 2 ? this.out2 : k === 3 ? this.out3 : NaN;
  }
}

// ─── Quotes: Cont–Kukanov–Stoikov order-flow imbalance ─────────────────────

/**
 * CKS order-flow imbalance of one best-bid/ask update n against update n − 1
 * (Cont, Kukanov & Stoikov 2014, eq. 2):
 *
 *   e_n = 1{Pb_n ≥ Pb_{n−1}}·qb_n − 1{Pb_n ≤ Pb_{n−1}}·qb_{n−1}
 *       − 1{Pa_n ≤ Pa_{n−1}}·qa_n + 1{Pa_n ≥ Pa_{n−1}}·qa_{n−1}
 *
 * Bid up: +qb_n (new demand); bid unchanged: +Δqb; bid down: −qb_{n−1}
 * (the old level was consumed or cancelled). Ask down: −qa_n; ask
 * unchanged: −Δqa; ask up: +qa_{n−1}. Positive = net buying pressure, in
 * base-currency units.
 */
export function cksEvent(pb0: number, qb0: number, pa0: number, qa0: number, pb: number, qb: number, pa: number, qa: number): number {
  let e = 0;
  if (pb >= pb0) e += qb;
  if (pb <= pb0) e -= qb0;
  if (pa <= pa0) e -= qa;
  if (pa >= pa0) e += qa0;
  return e;
}

export interface BookOfiParams {
  /** Rolling window (ms): the sum covers events with time in (t − windowMs, t]. */
  windowMs: number;
}

/**
 * Cont–Kukanov–Stoikov order-flow imbalance from top-of-book quotes.
 *
 * Type: microstructure. Each best bid/ask update contributes e_n
 * ({@link cksEvent}); `ofi` is Σ e over the updates in (t − windowMs, t]. The
 * first quote only sets the reference book, so `e[0]` and `ofi[0]` are NaN;
 * from row 1 on both are defined (an update that changes nothing gives 0).
 * CKS find Δmid ≈ β·OFI with β inversely proportional to depth; this series is
 * the raw (unnormalised) OFI in base-currency units.
 *
 * @see R. Cont, A. Kukanov, S. Stoikov, "The Price Impact of Order Book Events", J. Financial Econometrics 12(1), 2014.
 * @example bookOfiSeries(quotes, { windowMs: 10_000 }).ofi[i]
 */
export function bookOfiSeries(quotes: QuoteTape, params: BookOfiParams): { ofi: Float64Array; e: Float64Array } {
  const n = quotes.length;
  const W = params.windowMs;
  if (!(W > 0)) throw new RangeError(`bookOfiSeries: windowMs must be > 0, got ${W}`);
  const ofi = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { ofi, e };
  const { time, bidPrice, bidSize, askPrice, askSize } = quotes;
  ofi[0] = NaN;
  e[0] = NaN;
  let tail = 1;
  let sum = 0;
  for (let i = 1; i < n; i++) {
    const x = cksEvent(bidPrice[i - 1], bidSize[i - 1], askPrice[i - 1], askSize[i - 1], bidPrice[i], bidSize[i], askPrice[i], askSize[i]);
    e[i] = x;
    sum += x;
    const cutoff = time[i] - W;
    while (time[tail] <= cutoff) sum -= e[tail++];
    ofi[i] = sum;
  }
  return { ofi, e };
}

/**
 * Streaming twin of {@link bookOfiSeries}: feed each best bid/ask update.
 * Outputs `ofi` (window sum) and `e` (this update's contribution).
 */
export class BookOfiIndicator {
  readonly outputs = ['ofi', 'e'] as const;
  private readonly windowMs: number;
  private t: Float64Array = new Float64Array(1024);
  private ev: Float64Array = new Float64Array(1024);
  private mask = 1023;
  private head = 0; // oldest event
  private tail = 0; // next free slot; one slot is kept free, so head === tail means empty
  private sum = 0;
  private started = false;
  private pb = 0;
  private qb = 0;
  private pa = 0;
  private qa = 0;
  private lastE = NaN;

  constructor(params: BookOfiParams) {
    if (!(params.windowMs > 0)) throw new RangeError(`BookOfiIndicator: windowMs must be > 0, got ${params.windowMs}`);
    this.windowMs = params.windowMs;
  }

  /** Feed one top-of-book update. Returns true once `ofi` is defined (from the second update). */
  update(time: number, bidPrice: number, bidSize: number, askPrice: number, askSize: number): boolean {
    if (!this.started) {
      this.started = true;
      this.pb = bidPrice;
      this.qb = bidSize;
      this.pa = askPrice;
      this.qa = askSize;
      return false;
    }
    const x = cksEvent(this.pb, this.qb, this.pa, this.qa, bidPrice, bidSize, askPrice, askSize);
    this.pb = bidPrice;
    this.qb = bidSize;
    this.pa = askPrice;
    this.qa = askSize;
    this.lastE = x;
    if (((this.tail + 1) & this.mask) === this.head) {
      const size = (this.tail - this.head) & this.mask;
      const cap = (this.mask + 1) * 2;
      this.t = unroll(this.t, this.head, size, cap);
      this.ev = unroll(this.ev, this.head, size, cap);
      this.head = 0;
      this.tail = size;
      this.mask = cap - 1;
    }
    const mask = this.mask;
    const t = this.t;
    const ev = this.ev;
    const slot = this.tail;
    t[slot] = time;
    ev[slot] = x;
    this.tail = (slot + 1) & mask;
    let sum = this.sum + x;
    const cutoff = time - this.windowMs;
    let head = this.head;
    while (t[head] <= cutoff) {
      sum -= ev[head];
      head = (head + 1) & mask;
    }
    this.head = head;
    this.sum = sum;
    return true;
  }

  value(k = 0): number {
    // lastE is NaN until the second update: nothing is defined before that.
    return k === 0 ? (this.lastE === this.lastE ? this.sum : NaN) : k === 1 ? this.lastE : NaN;
  }
}

// ─── The `ofi` signal ──────────────────────────────────────────────────────

/** `edgelab signals --signal ofi`: trade-based imbalance on ticks, BVC imbalance on bars. */
export const OFI_SIGNAL: SignalSpec = {
  name: 'ofi',
  description:
    'Order-flow imbalance: (buy − sell taker volume) / volume over a rolling window, in [−1, 1]. Ticks use each print’s taker side; bars split volume by bulk volume classification (as V1).',
  outputs: ['imbalance', 'volume'],
  params: {
    windowMs: { default: 60_000, min: 1, unit: 'ms', doc: 'Rolling window (ms): ticks (t − windowMs, t]; bars k = max(1, round(windowMs / timeframe)) bars.' },
    sigmaLookbackMs: { default: 86_400_000, min: 1, unit: 'ms', doc: 'Bars only: span of the σ of close-to-close changes used by bulk volume classification (ms).' },
  },
  accepts: ['trades', 'bars'],
  compute(tape: MarketTape, p: Record<string, number>): Record<string, Float64Array> {
    if (tape.kind === 'trades') {
      const r = tradeFlowImbalance(tape, p.windowMs);
      return { imbalance: r.imbalance, volume: r.volume };
    }
    const r = barFlowImbalance(tape, { windowMs: p.windowMs, sigmaLookbackMs: p.sigmaLookbackMs });
    return { imbalance: r.imbalance, volume: r.volume };
  },
};
