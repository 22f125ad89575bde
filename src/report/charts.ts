/**
 * Plotly figures (plain JSON: data + layout) for the report pages. The
 * statistics are always computed on the full series by the caller; only what
 * is drawn is thinned (`thinSeries`), keeping each bucket's extremes so a
 * drawdown's depth survives the thinning.
 */
import { wilsonInterval } from '../analytics/stats';
import { day } from './format';

export interface Figure {
  title: string;
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** Points drawn per line at most. */
export const MAX_POINTS = 1500;
const DAY_MS = 86_400_000;

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
export const colour = (i: number) => PALETTE[i % PALETTE.length];

/** '#1f77b4' → 'rgba(31,119,180,a)'. */
function translucent(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

function baseLayout(yTitle: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    margin: { l: 64, r: 16, t: 12, b: 40 },
    font: { family: 'Helvetica, Arial, sans-serif', size: 11 },
    legend: { orientation: 'h', y: -0.18 },
    yaxis: { title: { text: yTitle }, zeroline: true, automargin: true },
    xaxis: { automargin: true },
    hovermode: 'closest',
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    ...extra,
  };
}

/**
 * At most `maxPoints` points of a line: the first and last point, and in each
 * of ⌈maxPoints/2⌉ buckets the minimum and the maximum (in x order).
 */
export function thinSeries(x: readonly number[], y: readonly number[], maxPoints = MAX_POINTS): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= maxPoints) return { x: [...x], y: [...y] };
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const keep: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * (n - 2)) / buckets);
    const hi = 1 + Math.floor(((b + 1) * (n - 2)) / buckets);
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo; i < hi; i++) {
      if (y[i] < y[iMin]) iMin = i;
      if (y[i] > y[iMax]) iMax = i;
    }
    if (iMin === iMax) keep.push(iMin);
    else keep.push(Math.min(iMin, iMax), Math.max(iMin, iMax));
  }
  keep.push(n - 1);
  return { x: keep.map((i) => x[i]), y: keep.map((i) => y[i]) };
}

export interface EquitySeries {
  name: string;
  /** ms of each point (start, then each exit). */
  time: number[];
  equity: number[];
}

/** Equity from exits: start at `capital` at `startMs`, add each trade's net P&L at its exit. */
export function equityFromTrades(name: string, trades: readonly { exitTime: number; netPnl: number }[], capital: number, startMs: number): EquitySeries {
  const sorted = [...trades].sort((a, b) => a.exitTime - b.exitTime);
  const time = [startMs];
  const equity = [capital];
  let e = capital;
  for (const t of sorted) {
    e += t.netPnl;
    time.push(t.exitTime);
    equity.push(e);
  }
  return { name, time, equity };
}

/** Drawdown below the running peak, in quote currency (≤ 0). */
export function underwater(equity: readonly number[]): number[] {
  let peak = -Infinity;
  return equity.map((e) => {
    peak = Math.max(peak, e);
    return e - peak;
  });
}

export function equityFigure(series: EquitySeries[], title = 'Equity'): Figure {
  return {
    title,
    data: series.map((s, i) => {
      const t = thinSeries(s.time, s.equity);
      return { type: 'scatter', mode: 'lines', name: s.name, x: t.x, y: t.y, line: { color: colour(i), width: 1.5, shape: 'hv' } };
    }),
    layout: baseLayout('equity (quote)', { xaxis: { type: 'date', automargin: true } }),
  };
}

export function underwaterFigure(series: EquitySeries[], title = 'Underwater (drawdown from peak)'): Figure {
  return {
    title,
    data: series.map((s, i) => {
      const t = thinSeries(s.time, underwater(s.equity));
      return { type: 'scatter', mode: 'lines', name: s.name, x: t.x, y: t.y, fill: 'tozeroy', line: { color: colour(i), width: 1, shape: 'hv' } };
    }),
    layout: baseLayout('below peak (quote)', { xaxis: { type: 'date', automargin: true } }),
  };
}

/** Sum of net P&L and count of trades per UTC day of exit, per strategy, on one shared list of days. */
export function dailyBuckets(byStrategy: Record<string, readonly { exitTime: number; netPnl: number }[]>): { days: string[]; pnl: Record<string, number[]>; count: Record<string, number[]> } {
  const daySet = new Set<number>();
  for (const ts of Object.values(byStrategy)) for (const t of ts) daySet.add(Math.floor(t.exitTime / DAY_MS));
  const dayNums = [...daySet].sort((a, b) => a - b);
  const pos = new Map(dayNums.map((d, i) => [d, i]));
  const pnl: Record<string, number[]> = {};
  const count: Record<string, number[]> = {};
  for (const [id, ts] of Object.entries(byStrategy)) {
    pnl[id] = new Array(dayNums.length).fill(0);
    count[id] = new Array(dayNums.length).fill(0);
    for (const t of ts) {
      const k = pos.get(Math.floor(t.exitTime / DAY_MS))!;
      pnl[id][k] += t.netPnl;
      count[id][k] += 1;
    }
  }
  return { days: dayNums.map((d) => day(d * DAY_MS)), pnl, count };
}

export function dailyPnlFigure(b: ReturnType<typeof dailyBuckets>): Figure {
  return {
    title: 'Daily net P&L (by day of exit)',
    data: Object.keys(b.pnl).map((id, i) => ({ type: 'bar', name: id, x: b.days, y: b.pnl[id], marker: { color: colour(i) } })),
    layout: baseLayout('net P&L (quote)', { barmode: 'relative', xaxis: { type: 'date', automargin: true } }),
  };
}

/** Trades per day (by day of exit) against the daily limit, drawn as a dashed line. */
export function tradesPerDayFigure(b: ReturnType<typeof dailyBuckets>, limit: number | null): Figure {
  const data: Record<string, unknown>[] = Object.keys(b.count).map((id, i) => ({ type: 'bar', name: id, x: b.days, y: b.count[id], marker: { color: colour(i) } }));
  if (limit !== null && b.days.length) {
    data.push({ type: 'scatter', mode: 'lines', name: `limit ${limit}/day per strategy`, x: b.days, y: b.days.map(() => limit), line: { color: '#b3261e', dash: 'dash', width: 1.5 } });
  }
  return { title: 'Trades per day per strategy, against the daily limit', data, layout: baseLayout('trades', { barmode: 'group', xaxis: { type: 'date', automargin: true } }) };
}

/**
 * R-multiples: net P&L of each trade in units of the strategy's average
 * losing trade (a trade log carries no initial stop, so the average loss is
 * the risk unit; −1 R = an average loss).
 */
export function rMultiples(pnls: readonly number[]): number[] {
  let s = 0;
  let n = 0;
  for (const p of pnls) if (p < 0) (s += -p), n++;
  if (!n) return [];
  const unit = s / n;
  return pnls.map((p) => p / unit);
}

export function rHistogramFigure(byStrategy: Record<string, readonly number[]>): Figure {
  return {
    title: 'R-multiple distribution (1 R = the average losing trade)',
    data: Object.entries(byStrategy).map(([id, rs], i) => ({ type: 'histogram', name: id, x: [...rs], opacity: 0.6, xbins: { size: 0.25 }, marker: { color: colour(i) } })),
    layout: baseLayout('trades', { barmode: 'overlay', xaxis: { title: { text: 'R' }, automargin: true } }),
  };
}

/**
 * Rolling win rate over the last `window` trades with its 95% Wilson band,
 * one point per trade from the window-th on (thinned for drawing only).
 */
export function rollingWinRate(trades: readonly { exitTime: number; netPnl: number }[], window: number): { time: number[]; rate: number[]; lo: number[]; hi: number[] } {
  const sorted = [...trades].sort((a, b) => a.exitTime - b.exitTime);
  const out = { time: [] as number[], rate: [] as number[], lo: [] as number[], hi: [] as number[] };
  let wins = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].netPnl > 0) wins++;
    if (i >= window && sorted[i - window].netPnl > 0) wins--;
    if (i + 1 >= window) {
      const ci = wilsonInterval(wins, window)!;
      out.time.push(sorted[i].exitTime);
      out.rate.push(wins / window);
      out.lo.push(ci[0]);
      out.hi.push(ci[1]);
    }
  }
  return out;
}

export function rollingWinRateFigure(byStrategy: Record<string, ReturnType<typeof rollingWinRate>>, window: number, breakEven: number | null): Figure {
  const data: Record<string, unknown>[] = [];
  Object.entries(byStrategy).forEach(([id, r], i) => {
    const c = colour(i);
    // One thinning index set for the band and the line, so they stay aligned.
    const idx = thinSeries(r.time.map((_, k) => k), r.rate).x;
    const pick = (a: number[]) => idx.map((k) => a[k]);
    data.push({ type: 'scatter', mode: 'lines', name: `${id} 95% band`, x: pick(r.time), y: pick(r.hi), line: { width: 0, color: c }, showlegend: false, hoverinfo: 'skip', legendgroup: id });
    data.push({ type: 'scatter', mode: 'lines', name: `${id} 95% band`, x: pick(r.time), y: pick(r.lo), line: { width: 0, color: c }, fill: 'tonexty', fillcolor: translucent(c, 0.15), showlegend: false, hoverinfo: 'skip', legendgroup: id });
    data.push({ type: 'scatter', mode: 'lines', name: id, x: pick(r.time), y: pick(r.rate), line: { color: c, width: 1.5 }, legendgroup: id });
  });
  const layout = baseLayout(`win rate, last ${window} trades`, { xaxis: { type: 'date', automargin: true }, yaxis: { title: { text: `win rate, last ${window} trades` }, tickformat: '.0%', range: [0, 1] } });
  if (breakEven !== null) layout.shapes = [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: breakEven, y1: breakEven, line: { color: '#b3261e', dash: 'dot', width: 1 } }];
  return { title: `Rolling win rate (last ${window} trades) with its 95% Wilson band`, data, layout };
}
