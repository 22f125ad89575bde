/**
 * freqtrade OHLCV candles stored as Feather v2 (`<BASE>_<QUOTE>-<timeframe>.feather`,
 * e.g. `BTC_USDT-5m.feather`), as written by `freqtrade download-data`.
 *
 * Assumptions:
 * - Feather v2 = the Arrow IPC file format (magic `ARROW1`). freqtrade writes its
 *   record batches LZ4_FRAME-compressed; apache-arrow (JS) ships no codec, so
 *   lz4js is registered for LZ4_FRAME once, on first use.
 * - Columns `date, open, high, low, close, volume`; `date` is the bar OPEN time
 *   as Timestamp<ns, UTC>. apache-arrow returns int64 timestamps from
 *   `toArray()` as a BigInt64Array of raw units (converted exactly with BigInt
 *   division); plain numbers (other writers, Date columns) are taken by magnitude.
 * - `volume` is in the base asset (ccxt convention).
 * - The timeframe comes from the file name (`-5m`, `-1h`, ...) when present,
 *   else from the smallest spacing between bars.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompressionType, compressionRegistry, tableFromIPC, type Table } from 'apache-arrow';
import { DataError, UserError } from '../../util/errors';
import { inferTimeframeMs, makeBarTape, type BarTape } from '../tape';
import type { ReadResult } from './read-result';

interface Lz4js {
  decompress(src: Uint8Array, maxSize?: number): Uint8Array | number[];
}

let lz4Registered = false;

/** Register lz4js as apache-arrow's LZ4_FRAME codec (idempotent; keeps a codec someone else registered). */
export function registerLz4Codec(): void {
  if (lz4Registered) return;
  if (!compressionRegistry.get(CompressionType.LZ4_FRAME)) {
    // lz4js ships no type declarations; its CommonJS export is described by `Lz4js`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lz4 = require('lz4js') as Lz4js;
    compressionRegistry.set(CompressionType.LZ4_FRAME, {
      decode: (data: Uint8Array) => {
        const out = lz4.decompress(data);
        return out instanceof Uint8Array ? out : Uint8Array.from(out);
      },
    });
  }
  lz4Registered = true;
}

/** `5m` → 300000; `1h`, `1d`, `1w`, `1M` (30 d), `30s`; null when not a timeframe. */
export function timeframeToMs(tf: string): number | null {
  const m = /^(\d+)(s|m|h|d|w|M)$/.exec(tf);
  if (!m) return null;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000 }[m[2] as 's'];
  return Number(m[1]) * unit;
}

/** Pair and timeframe from a freqtrade file name: `BTC_USDT-5m.feather` → BTC/USDT, 5m. */
export function parseFreqtradeFileName(file: string): { symbol?: string; timeframe?: string } {
  const m = /^([A-Z0-9]+)_([A-Z0-9]+)(?:_[A-Z0-9]+)?-(\d+[smhdwM])(?:-[a-z]+)?\.(?:feather|json|json\.gz|parquet)$/.exec(
    path.basename(file),
  );
  return m ? { symbol: `${m[1]}/${m[2]}`, timeframe: m[3] } : {};
}

const TIME_UNIT_TO_NS = [1_000_000_000n, 1_000_000n, 1_000n, 1n]; // arrow TimeUnit SECOND, MILLISECOND, MICROSECOND, NANOSECOND

/** A number of unknown unit → ms, by magnitude (valid for dates 1973..5138). */
function numberToMs(v: number): number {
  const a = Math.abs(v);
  if (a >= 1e17) return Math.floor(v / 1e6);
  if (a >= 1e14) return Math.floor(v / 1e3);
  if (a >= 1e11) return v;
  return v * 1000;
}

function timeColumnMs(table: Table, name: string, file: string): Float64Array {
  const col = table.getChild(name);
  if (!col) throw new DataError(file, null, `no '${name}' column (columns: ${table.schema.fields.map((f) => f.name).join(', ')})`);
  const raw = col.toArray() as ArrayLike<unknown>;
  const out = new Float64Array(table.numRows);
  if (raw instanceof BigInt64Array) {
    const unit = (col.type as { unit?: number }).unit;
    const nsPerUnit = TIME_UNIT_TO_NS[unit ?? 3] ?? 1n;
    const perMs = 1_000_000n / nsPerUnit; // units per ms (0 for seconds)
    for (let i = 0; i < raw.length; i++) {
      out[i] = perMs > 0n ? Number(raw[i] / perMs) : Number(raw[i]) * 1000;
    }
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    const v = raw[i];
    out[i] = typeof v === 'bigint' ? Number(v / 1_000_000n) : numberToMs(Number(v));
  }
  return out;
}

function numericColumn(table: Table, name: string, file: string): Float64Array {
  const col = table.getChild(name);
  if (!col) throw new DataError(file, null, `no '${name}' column (columns: ${table.schema.fields.map((f) => f.name).join(', ')})`);
  const raw = col.toArray() as ArrayLike<number | bigint>;
  if (raw instanceof Float64Array) return raw.slice();
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = Number(raw[i]);
  return out;
}

/** Read a freqtrade OHLCV feather file into a BarTape (not yet validated: `loadData` does that). */
export function readFreqtradeFeather(file: string): ReadResult<BarTape> {
  registerLz4Codec();
  let table: Table;
  try {
    table = tableFromIPC(fs.readFileSync(file));
  } catch (e) {
    throw new UserError(`${file}: cannot read as Arrow/Feather v2 (${(e as Error).message})`);
  }
  const time = timeColumnMs(table, 'date', file);
  const open = numericColumn(table, 'open', file);
  const high = numericColumn(table, 'high', file);
  const low = numericColumn(table, 'low', file);
  const close = numericColumn(table, 'close', file);
  const volume = numericColumn(table, 'volume', file);
  // toArray() turns nulls into 0 silently; report them instead.
  for (const name of ['date', 'open', 'high', 'low', 'close', 'volume']) {
    const col = table.getChild(name);
    if (col && col.nullCount > 0) {
      for (let i = 0; i < table.numRows; i++) {
        if (!col.isValid(i)) throw new DataError(file, i + 1, `${name} is null`);
      }
    }
  }

  const { symbol, timeframe } = parseFreqtradeFileName(file);
  const warnings: string[] = [];
  const inferred = inferTimeframeMs(time);
  let timeframeMs = inferred;
  const named = timeframe ? timeframeToMs(timeframe) : null;
  if (named !== null) {
    timeframeMs = named;
    if (inferred !== 0 && inferred !== named) {
      warnings.push(`${file}: file name says ${timeframe} bars but the closest bars are ${inferred / 60_000} min apart`);
    }
  }
  return {
    tape: makeBarTape({ time, open, high, low, close, volume, timeframeMs, source: { file, format: 'freqtrade-feather', symbol } }),
    rowOf: (i) => i + 1,
    warnings,
  };
}
