/**
 * Display helpers for tslab (TypeScript) Jupyter notebooks: offline plotly.js
 * charts and HTML tables. Follows the verified recipe in shared/NOTEBOOKS.md:
 *
 *  - `initPlotly()` (first cell, once) emits the plotly.js bundle from
 *    node_modules inside a wrapper whose parameters shadow
 *    `define`/`module`/`exports`, so the UMD build lands on `window.Plotly`
 *    even when require.js is on the page (classic Notebook, nbconvert HTML).
 *  - `plot()` emits only a `<div>` and a short script that polls for the div
 *    and `window.Plotly` (~10 s), then calls `Plotly.newPlot`.
 *  - `table()` emits a plain, escaped `<table>`.
 *
 * The `*Html` builders are pure and unit-tested without a kernel. The emitting
 * functions take an optional `HtmlSink`; by default they resolve tslab lazily
 * at call time, so importing this module outside a kernel is harmless.
 *
 * Notebooks opened from an nbconvert run are untrusted: re-run the cells or
 * `jupyter trust` the file, otherwise the browser drops the chart scripts.
 */
import * as fs from 'fs';

/** Receives one HTML display payload (e.g. `tslab.display.html`). */
export type HtmlSink = (html: string) => void;

/** One plotly trace (`{ x, y, type, name, ... }`). Kept loose on purpose. */
export type PlotTrace = Record<string, unknown>;
export type PlotLayout = Record<string, unknown>;

/** Anything shaped like a danfo.js DataFrame (duck-typed: no danfo import). */
export interface DataFrameLike {
  columns: string[];
  values: unknown[][] | unknown[];
  index?: Array<string | number>;
}

export type TableRow = Record<string, unknown>;

export interface TableOptions {
  /** Caption above the table (escaped). */
  caption?: string;
  /** Columns to show, in order (default: DataFrame columns / keys of the first rows). */
  columns?: string[];
  /** Header labels by column name (default: the column name). */
  headers?: Record<string, string>;
  /** Per-column formatters; their output is escaped. */
  formats?: Record<string, (value: unknown) => string>;
  /** Decimals for non-integer numbers without a formatter (default 4). */
  digits?: number;
  /** Show the row index as the first column (default: false; DataFrames only). */
  index?: boolean;
  /** Show at most this many rows, then a "… N more rows" line (default: all). */
  maxRows?: number;
}

// ---------------------------------------------------------------------------
// Pure HTML builders

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for embedding inside a `<script>`: `<` becomes `\u003c` (so no
 * `</script>` or `<!--` can appear) and the JS-hostile line separators are
 * escaped. `undefined` (not JSON) becomes `null`.
 */
export function scriptJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Makes arbitrary JS source safe inside an inline `<script>` element: every
 * `</script` (any case) becomes `<\/script`. (Inside JS string/regex literals
 * `\/` is just `/`, and `</script` cannot occur elsewhere in valid code.)
 */
export function escapeScriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

let cachedBundle: string | undefined;

/** Path of the plotly.js bundle in node_modules. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min');
}

/** Reads (once) the plotly.js bundle from node_modules. */
export function plotlyBundle(): string {
  cachedBundle ??= fs.readFileSync(plotlyBundlePath(), 'utf8');
  return cachedBundle;
}

/**
 * The one-time init payload: the plotly bundle (default: from node_modules)
 * inside a function whose parameters shadow `define`, `module` and `exports`,
 * so any UMD build assigns `window.Plotly` instead of registering with
 * require.js. Skipped in the browser when `window.Plotly` already exists.
 */
export function plotlyInitHtml(bundleSource: string = plotlyBundle()): string {
  return (
    '<script>if(!window.Plotly){(function(define,module,exports){\n' +
    escapeScriptSource(bundleSource) +
    '\n}).call(window);}</script>'
  );
}

let plotSeq = 0;

/** A fresh DOM id for a chart div: unique within a kernel and across kernels. */
export function newPlotId(): string {
  const rand = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
  return `plotly-${Date.now().toString(36)}-${rand}-${plotSeq++}`;
}

/**
 * A chart: a `<div>` plus a small script that waits (200 × 50 ms) for the div
 * and `window.Plotly`, then draws; if plotly never appears it writes a hint
 * into the div. Requires the `initPlotly()` output earlier on the page.
 */
export function plotHtml(
  data: readonly PlotTrace[],
  layout: PlotLayout = {},
  height = 400,
  id: string = newPlotId(),
): string {
  if (!Number.isFinite(height) || height <= 0) {
    throw new RangeError(`plot height must be a positive number of pixels, got ${height}`);
  }
  if (!/^[A-Za-z][\w-]*$/.test(id)) {
    throw new RangeError(`plot id must be a simple DOM id ([A-Za-z][\\w-]*), got ${JSON.stringify(id)}`);
  }
  const idJson = JSON.stringify(id);
  return (
    `<div id="${id}" class="edgelab-plot" style="width:100%;height:${Math.round(height)}px"></div>` +
    `<script>(function d(n){var el=document.getElementById(${idJson});` +
    `if(el&&window.Plotly){window.Plotly.newPlot(el,${scriptJson(data)},${scriptJson(layout)},{responsive:true});return;}` +
    `if(n<200){setTimeout(function(){d(n+1)},50);return;}` +
    `if(el)el.textContent="plotly.js is not loaded: run initPlotly() in the first cell (and trust the notebook)";})(0);</script>`
  );
}

function isDataFrameLike(x: unknown): x is DataFrameLike {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const df = x as Partial<DataFrameLike>;
  return Array.isArray(df.columns) && Array.isArray(df.values);
}

/** Default cell formatting: integers as-is, other numbers to `digits` decimals. */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
    return Number.isInteger(value) ? String(value) : value.toFixed(digits);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

/** An HTML table from row objects or a danfo.js DataFrame; all text escaped. */
export function tableHtml(input: readonly TableRow[] | DataFrameLike, opts: TableOptions = {}): string {
  let columns: string[];
  let rows: unknown[][];
  let index: Array<string | number> | undefined;

  if (isDataFrameLike(input)) {
    const all = input.columns.map(String);
    const values = input.values;
    // A one-column frame / Series may give a flat array of values.
    const matrix = values.map((v) => (Array.isArray(v) ? v : [v]));
    const picked = opts.columns ?? all;
    const positions = picked.map((c) => {
      const i = all.indexOf(c);
      if (i < 0) throw new RangeError(`table: no column ${JSON.stringify(c)} (have ${all.join(', ')})`);
      return i;
    });
    columns = picked;
    rows = matrix.map((r) => positions.map((i) => r[i]));
    index = input.index;
  } else if (Array.isArray(input)) {
    const list = input as readonly TableRow[];
    if (opts.columns) {
      columns = opts.columns;
    } else {
      const seen = new Set<string>();
      for (const r of list) for (const k of Object.keys(r)) seen.add(k);
      columns = [...seen];
    }
    rows = list.map((r) => columns.map((c) => r[c]));
  } else {
    throw new TypeError('table: expected an array of row objects or a danfo DataFrame');
  }

  const digits = opts.digits ?? 4;
  const showIndex = opts.index === true && index !== undefined;
  const limit = opts.maxRows === undefined ? rows.length : Math.max(0, Math.floor(opts.maxRows));
  const shown = rows.slice(0, limit);

  // Numeric columns (every non-empty value a number) align right, header included.
  const numeric = columns.map((_, j) =>
    shown.every((r) => r[j] === null || r[j] === undefined || typeof r[j] === 'number' || typeof r[j] === 'bigint'),
  );
  const th = (right: boolean) =>
    `style="text-align:${right ? 'right' : 'left'};padding:2px 8px;border-bottom:1px solid #999"`;
  const out: string[] = ['<table class="edgelab-table" style="border-collapse:collapse">'];
  if (opts.caption !== undefined) {
    out.push(`<caption style="text-align:left;font-weight:bold">${escapeHtml(opts.caption)}</caption>`);
  }
  out.push('<thead><tr>');
  if (showIndex) out.push(`<th ${th(false)}></th>`);
  columns.forEach((c, j) => out.push(`<th ${th(numeric[j] === true)}>${escapeHtml(opts.headers?.[c] ?? c)}</th>`));
  out.push('</tr></thead><tbody>');
  shown.forEach((r, i) => {
    out.push('<tr>');
    if (showIndex) out.push(`<th style="text-align:left;padding:2px 8px">${escapeHtml(formatCell(index?.[i]))}</th>`);
    r.forEach((v, j) => {
      const col = columns[j] as string;
      const fmt = opts.formats?.[col];
      const text = fmt ? fmt(v) : formatCell(v, digits);
      const align = numeric[j] === true ? 'right' : 'left';
      out.push(`<td style="text-align:${align};padding:2px 8px">${escapeHtml(text)}</td>`);
    });
    out.push('</tr>');
  });
  out.push('</tbody></table>');
  if (shown.length < rows.length) {
    out.push(`<div style="font-style:italic">… ${rows.length - shown.length} more rows</div>`);
  }
  return out.join('');
}

// ---------------------------------------------------------------------------
// Emitting to the kernel

interface TslabLike {
  display: { html(s: string): void };
}

/**
 * `tslab.display.html`, resolved at call time. Prefers the kernel's own
 * `require` (tslab hooks `require('tslab')` there, so this works even when the
 * kernel is a different tslab install than the one in node_modules).
 */
export function kernelHtmlSink(): HtmlSink {
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  let mod: TslabLike;
  try {
    mod = (hook?.require ?? require)('tslab') as TslabLike;
  } catch (e) {
    throw new Error(`notebook display needs the tslab kernel (require('tslab') failed: ${(e as Error).message})`);
  }
  return (html: string) => {
    try {
      mod.display.html(html);
    } catch (e) {
      throw new Error(
        `tslab display failed (${(e as Error).message}); run this inside a tslab kernel or pass an HtmlSink`,
      );
    }
  };
}

/**
 * First cell only: emits the plotly.js bundle (~4.8 MB of output) so later
 * `plot()` calls stay ~1 KB each. Re-running it is harmless (the browser skips
 * the bundle when `window.Plotly` exists).
 */
export function initPlotly(sink: HtmlSink = kernelHtmlSink()): void {
  sink(plotlyInitHtml());
}

/** Shows a plotly chart (needs `initPlotly()` earlier in the notebook). */
export function plot(
  data: readonly PlotTrace[],
  layout: PlotLayout = {},
  height = 400,
  sink: HtmlSink = kernelHtmlSink(),
): void {
  sink(plotHtml(data, layout, height));
}

/** Shows an HTML table of row objects or a danfo.js DataFrame. */
export function table(
  input: readonly TableRow[] | DataFrameLike,
  opts: TableOptions = {},
  sink: HtmlSink = kernelHtmlSink(),
): void {
  sink(tableHtml(input, opts));
}
