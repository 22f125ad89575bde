/**
 * Load-time checks for tapes. `loadData` runs them on every file it reads;
 * they are exported for tapes built from arrays (`makeTradeTape` & co).
 *
 * Errors (throw DataError naming the file and the 1-based row):
 * - a timestamp, price, amount/size or OHLCV value that is NaN or infinite;
 * - trades/quotes whose time DECREASES (equal times are normal: several
 *   prints per ms); bars whose time does not strictly increase (a repeated
 *   bar time is a duplicate bar);
 * - trades: price ≤ 0, amount ≤ 0, a trade id seen twice;
 * - bars: open/high/low/close ≤ 0, high < max(open, close, low),
 *   low > min(open, close), volume < 0;
 * - quotes: bid/ask price ≤ 0, negative sizes.
 * Warnings (returned as strings, each starting with the file name):
 * - gaps: consecutive rows further apart than `maxGapMs` (default 5 min for
 *   trades and quotes, 2 × timeframe for bars); at most `maxListedGaps` are
 *   listed individually, then one summary line with the total;
 * - quotes where bid > ask (crossed book);
 * - trade ids that are unique but not increasing.
 * The first offending row in file order is reported.
 */
import { DataError } from '../util/errors';
import type { BarTape, QuoteTape, TradeTape } from './tape';

export interface ValidateOptions {
  /** File name for messages; default: the tape's `source.file`. */
  file?: string;
  /** Row number to print for index i; default i + 1 (row numbers of an array). */
  rowOf?: (i: number) => number;
  /** Longest allowed time between consecutive rows before a gap warning (ms). */
  maxGapMs?: number;
  /** How many gaps to list one by one before summarising (default 10). */
  maxListedGaps?: number;
}

/** Default gap threshold for trades and quotes: 5 minutes. */
export const DEFAULT_TRADE_GAP_MS = 5 * 60_000;

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/** `90000` → `1.5 min`; s below 2 min, min below 2 h, h below 2 days, then days. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/**
 * Gap warnings for a sorted time column: every step longer than `maxGapMs`,
 * e.g. `data/x.csv: gap of 12.0 min from 2024-01-01T00:10:00.000Z to 2024-01-01T00:22:00.000Z`.
 * Lists at most `maxListed`, then adds a summary line with the total count.
 */
export function gapWarnings(time: ArrayLike<number>, file: string, maxGapMs: number, maxListed = 10): string[] {
  const out: string[] = [];
  if (!(maxGapMs > 0)) return out;
  let count = 0;
  let longest = 0;
  let missing = 0;
  for (let i = 1; i < time.length; i++) {
    const d = time[i] - time[i - 1];
    if (d > maxGapMs) {
      count++;
      missing += d;
      if (d > longest) longest = d;
      if (count <= maxListed) out.push(`${file}: gap of ${formatDuration(d)} from ${iso(time[i - 1])} to ${iso(time[i])}`);
    }
  }
  if (count > maxListed) {
    out.push(
      `${file}: ${count} gaps longer than ${formatDuration(maxGapMs)} in total (first ${maxListed} listed), ` +
        `longest ${formatDuration(longest)}, together ${formatDuration(missing)}`,
    );
  }
  return out;
}

function context(tape: { source: { file: string } }, opts: ValidateOptions) {
  const file = opts.file ?? tape.source.file;
  const rowOf = opts.rowOf ?? ((i: number) => i + 1);
  const fail = (i: number, detail: string): never => {
    throw new DataError(file, rowOf(i), detail);
  };
  return { file, rowOf, fail };
}

/** Index of the first row whose id is not greater than the previous one, or -1 (strictly increasing). */
export function firstIdOutOfOrder(id: ArrayLike<number>): number {
  for (let i = 1; i < id.length; i++) if (!(id[i] > id[i - 1])) return i;
  return -1;
}

/**
 * Index of the first trade row that breaks a rule (time not finite or going
 * back, price or amount not finite or not positive), or −1. A kernel over the
 * bare columns: on 50 M rows this is the validation's whole cost, and keeping
 * it free of closures and object reads lets V8 compile it to a tight loop
 * (the rule-by-rule messages are built only for the row it returns).
 */
function firstBadTradeRow(time: Float64Array, price: Float64Array, amount: Float64Array, n: number): number {
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const ti = time[i];
    const p = price[i];
    const a = amount[i];
    // Written so NaN fails every test: NaN compares false.
    if (!(ti >= prev) || !(ti > -Infinity) || !(ti < Infinity) || !(p > 0) || !(p < Infinity) || !(a > 0) || !(a < Infinity)) return i;
    prev = ti;
  }
  return -1;
}

/** Check a trade tape; throws DataError on bad rows, returns warnings. */
export function validateTradeTape(t: TradeTape, opts: ValidateOptions = {}): string[] {
  const { file, rowOf, fail } = context(t, opts);
  const { time, price, amount } = t;
  const i = firstBadTradeRow(time, price, amount, t.length);
  if (i !== -1) {
    const ti = time[i];
    if (!Number.isFinite(ti)) fail(i, `timestamp is ${ti}`);
    if (i > 0 && ti < time[i - 1]) {
      fail(i, `timestamp ${iso(ti)} is earlier than the previous row's ${iso(time[i - 1])} (trades must be in time order)`);
    }
    const p = price[i];
    if (!Number.isFinite(p)) fail(i, `price is ${p}`);
    if (p <= 0) fail(i, `price ${p} is not positive`);
    const a = amount[i];
    if (!Number.isFinite(a)) fail(i, `amount is ${a}`);
    if (a <= 0) fail(i, `amount ${a} is not positive`);
  }
  const warnings: string[] = [];
  if (t.id) {
    const id = t.id;
    const bad = firstIdOutOfOrder(id);
    if (bad !== -1) {
      // Not increasing: look for a real duplicate anywhere (the first repeat in file order).
      const seen = new Map<number, number>();
      for (let i = 0; i < id.length; i++) {
        if (!Number.isFinite(id[i])) fail(i, `trade id is ${id[i]}`);
        const first = seen.get(id[i]);
        if (first !== undefined) fail(i, `duplicate trade id ${id[i]} (first seen at row ${rowOf(first)})`);
        seen.set(id[i], i);
      }
      warnings.push(`${file}: row ${rowOf(bad)}: trade id ${id[bad]} is not greater than the previous id ${id[bad - 1]} (ids are unique but out of order)`);
    }
  }
  warnings.push(...gapWarnings(time, file, opts.maxGapMs ?? DEFAULT_TRADE_GAP_MS, opts.maxListedGaps));
  return warnings;
}

/** Check a bar tape; throws DataError on bad rows, returns warnings (gaps > 2 × timeframe by default). */
export function validateBarTape(b: BarTape, opts: ValidateOptions = {}): string[] {
  const { file, fail } = context(b, opts);
  const { time, open, high, low, close, volume } = b;
  for (let i = 0; i < b.length; i++) {
    const ti = time[i];
    if (!Number.isFinite(ti)) fail(i, `timestamp is ${ti}`);
    if (i > 0 && ti <= time[i - 1]) {
      fail(
        i,
        ti === time[i - 1]
          ? `duplicate bar time ${iso(ti)} (same as the previous row)`
          : `bar time ${iso(ti)} is earlier than the previous row's ${iso(time[i - 1])} (bars must be in time order)`,
      );
    }
    const o = open[i];
    const h = high[i];
    const l = low[i];
    const c = close[i];
    const v = volume[i];
    if (!Number.isFinite(o)) fail(i, `open is ${o}`);
    if (!Number.isFinite(h)) fail(i, `high is ${h}`);
    if (!Number.isFinite(l)) fail(i, `low is ${l}`);
    if (!Number.isFinite(c)) fail(i, `close is ${c}`);
    if (!Number.isFinite(v)) fail(i, `volume is ${v}`);
    if (o <= 0 || h <= 0 || l <= 0 || c <= 0) fail(i, `prices must be positive (open ${o}, high ${h}, low ${l}, close ${c})`);
    if (h < o || h < c || h < l) fail(i, `high ${h} is below open/close/low (open ${o}, low ${l}, close ${c})`);
    if (l > o || l > c) fail(i, `low ${l} is above open/close (open ${o}, close ${c})`);
    if (v < 0) fail(i, `volume ${v} is negative`);
  }
  const maxGap = opts.maxGapMs ?? 2 * b.timeframeMs;
  return gapWarnings(time, file, maxGap, opts.maxListedGaps);
}

/** Check a quote tape; throws DataError on bad rows, returns warnings (gaps, crossed quotes). */
export function validateQuoteTape(q: QuoteTape, opts: ValidateOptions = {}): string[] {
  const { file, rowOf, fail } = context(q, opts);
  const { time, bidPrice, bidSize, askPrice, askSize } = q;
  let crossed = 0;
  let firstCrossed = -1;
  for (let i = 0; i < q.length; i++) {
    const ti = time[i];
    if (!Number.isFinite(ti)) fail(i, `timestamp is ${ti}`);
    if (i > 0 && ti < time[i - 1]) {
      fail(i, `timestamp ${iso(ti)} is earlier than the previous row's ${iso(time[i - 1])} (quotes must be in time order)`);
    }
    const bp = bidPrice[i];
    const ap = askPrice[i];
    const bs = bidSize[i];
    const as = askSize[i];
    if (!Number.isFinite(bp)) fail(i, `bid price is ${bp}`);
    if (!Number.isFinite(ap)) fail(i, `ask price is ${ap}`);
    if (!Number.isFinite(bs)) fail(i, `bid size is ${bs}`);
    if (!Number.isFinite(as)) fail(i, `ask size is ${as}`);
    if (bp <= 0) fail(i, `bid price ${bp} is not positive`);
    if (ap <= 0) fail(i, `ask price ${ap} is not positive`);
    if (bs < 0) fail(i, `bid size ${bs} is negative`);
    if (as < 0) fail(i, `ask size ${as} is negative`);
    if (bp > ap) {
      crossed++;
      if (firstCrossed === -1) firstCrossed = i;
    }
  }
  const warnings: string[] = [];
  if (crossed) {
    warnings.push(
      `${file}: ${crossed} crossed quote(s) with bid > ask (first at row ${rowOf(firstCrossed)}: bid ${bidPrice[firstCrossed]}, ask ${askPrice[firstCrossed]})`,
    );
  }
  warnings.push(...gapWarnings(time, file, opts.maxGapMs ?? DEFAULT_TRADE_GAP_MS, opts.maxListedGaps));
  return warnings;
}

/** Dispatch on the tape kind. */
export function validateTape(t: TradeTape | BarTape | QuoteTape, opts: ValidateOptions = {}): string[] {
  switch (t.kind) {
    case 'trades':
      return validateTradeTape(t, opts);
    case 'bars':
      return validateBarTape(t, opts);
    case 'quotes':
      return validateQuoteTape(t, opts);
  }
}
