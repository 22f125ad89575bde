/**
 * The one number formatter of every report page. Templates print strings
 * made here and nothing else, so a figure reads the same in every table,
 * chart label and caption. Missing or non-finite values print as an em dash:
 * a report never shows NaN, Infinity or a silently rounded zero as a number.
 */

const DASH = '—';

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Quote-currency amount, with 4 decimals below $1 so per-trade edges of a $10 trade show: −$0.0057, $12.34. */
export function money(x: number | null | undefined, digits?: number): string {
  if (!finite(x)) return DASH;
  const d = digits ?? (Math.abs(x) >= 1 ? 2 : 4);
  const s = Math.abs(x).toFixed(d);
  const grouped = Math.abs(x) >= 1000 ? Number(s).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : s;
  return `${x < 0 && Number(s) !== 0 ? '−' : ''}$${grouped}`;
}

/** A fraction as percent: 0.273 → 27.3%. */
export function pct(x: number | null | undefined, digits = 1): string {
  if (!finite(x)) return DASH;
  const s = (x * 100).toFixed(digits);
  return `${Number(s) < 0 ? '−' : ''}${s.replace('-', '')}%`;
}

/** Plain number with fixed decimals and a typographic minus. */
export function num(x: number | null | undefined, digits = 2): string {
  if (!finite(x)) return DASH;
  const s = x.toFixed(digits);
  return Number(s) < 0 ? `−${s.slice(1)}` : s;
}

/** Integer with thousands separators. */
export function int(x: number | null | undefined): string {
  if (!finite(x)) return DASH;
  return Math.round(x).toLocaleString('en-US');
}

/** Basis points, signed: +5.0 bps. */
export function bps(x: number | null | undefined, digits = 1): string {
  if (!finite(x)) return DASH;
  const s = Math.abs(x).toFixed(digits);
  return `${x < 0 && Number(s) !== 0 ? '−' : '+'}${s} bps`;
}

/** A 95% interval with the formatter of its point: "[−$0.0092, −$0.0019]". */
export function interval(ci: readonly [number, number] | null | undefined, f: (x: number) => string): string {
  if (!ci || !finite(ci[0]) || !finite(ci[1])) return DASH;
  return `[${f(ci[0])}, ${f(ci[1])}]`;
}

/** ms since epoch → `2024-09-06 12:05:00 UTC`. */
export function utc(ms: number | null | undefined): string {
  if (!finite(ms)) return DASH;
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** ms since epoch → `2024-09-06` (UTC day). */
export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Duration in ms → `2 h 06 min`, `5 min`, `3.2 d`. */
export function duration(ms: number | null | undefined): string {
  if (!finite(ms)) return DASH;
  if (ms >= 2 * 86_400_000) return `${(ms / 86_400_000).toFixed(1)} d`;
  if (ms >= 3_600_000) {
    const h = Math.floor(ms / 3_600_000);
    return `${h} h ${String(Math.round((ms - h * 3_600_000) / 60_000)).padStart(2, '0')} min`;
  }
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** JSON for the .json file beside a page: the one JSON rule of edgelab (src/util/json.ts). */
export { toJsonDocument as stableJson } from '../util/json';
