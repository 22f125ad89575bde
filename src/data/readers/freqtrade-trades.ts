/**
 * freqtrade public-trade files (`<BASE>_<QUOTE>-trades.json.gz`, and the
 * newer `-trades.feather`), as written by `freqtrade download-data --dl-trades`.
 *
 * json.gz: a gzip-compressed JSON array of rows
 *   `[timestamp_ms, id, type, side, price, amount, cost]`
 *   (ccxt trade fields in freqtrade's DEFAULT_TRADES_COLUMNS order; `id` is a
 *   string, `type` usually null, `side` the taker side buy/sell, `cost` = price ×
 *   amount and not needed). The whole array is parsed at once with JSON.parse —
 *   fine for the file sizes freqtrade produces (it writes one file per pair).
 * feather: the same columns as an Arrow table (LZ4-compressed like the candles).
 *
 * Row numbers in errors are 1-based array elements / table rows.
 */
import * as fs from 'node:fs';
import { tableFromIPC, type Table } from 'apache-arrow';
import { DataError, UserError } from '../../util/errors';
import { makeTradeTape, type TradeTape } from '../tape';
import { sideCode } from './columns';
import type { ReadResult } from './read-result';
import { parseFreqtradeFileName, registerLz4Codec } from './feather';
import { readContent } from './lines';

function pairFromName(file: string): string | undefined {
  const m = /([A-Z0-9]+)_([A-Z0-9]+)(?:_[A-Z0-9]+)?-trades/.exec(file);
  return m ? `${m[1]}/${m[2]}` : parseFreqtradeFileName(file).symbol;
}

/** Read a freqtrade `-trades.json.gz` (or plain `.json`) file into a TradeTape (not yet validated). */
export function readFreqtradeTradesJson(file: string): ReadResult<TradeTape> {
  let rows: unknown;
  try {
    rows = JSON.parse(readContent(file).toString('utf8'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new DataError(file, null, `invalid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(rows)) throw new DataError(file, null, 'expected a JSON array of [timestamp, id, type, side, price, amount, cost] rows');
  const n = rows.length;
  const time = new Float64Array(n);
  const price = new Float64Array(n);
  const amount = new Float64Array(n);
  const side = new Int8Array(n);
  const id = new Float64Array(n);
  let idsUsable = true;
  let idProblem = '';
  const warnings: string[] = [];

  const numAt = (r: unknown[], k: number, what: string, i: number): number => {
    const v = r[k];
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '') {
      const x = Number(v);
      if (x === x || v.trim().toLowerCase() === 'nan') return x;
    }
    if (v === null && what !== 'timestamp') return NaN; // JSON has no NaN: pandas writes null; validation reports it
    throw new DataError(file, i + 1, `element [${i}]: ${what} ${JSON.stringify(v)} is not a number`);
  };

  for (let i = 0; i < n; i++) {
    const r = rows[i] as unknown;
    if (!Array.isArray(r) || r.length < 6) {
      throw new DataError(file, i + 1, `element [${i}] is not a [timestamp, id, type, side, price, amount, cost] row: ${JSON.stringify(r)?.slice(0, 100)}`);
    }
    time[i] = numAt(r, 0, 'timestamp', i);
    price[i] = numAt(r, 4, 'price', i);
    amount[i] = numAt(r, 5, 'amount', i);
    side[i] = typeof r[3] === 'string' ? sideCode(r[3]) : 0;
    if (idsUsable) {
      const v = typeof r[1] === 'number' ? r[1] : typeof r[1] === 'string' && r[1] !== '' ? Number(r[1]) : NaN;
      if (Number.isSafeInteger(v)) id[i] = v;
      else {
        idsUsable = false;
        idProblem = `element [${i}] has id ${JSON.stringify(r[1])}`;
      }
    }
  }
  if (!idsUsable) warnings.push(`${file}: trade ids are not all integers below 2^53 (${idProblem}); the id column was dropped`);
  return {
    tape: makeTradeTape({
      time,
      price,
      amount,
      side,
      id: idsUsable ? id : undefined,
      source: { file, format: 'freqtrade-trades-json', symbol: pairFromName(file) },
    }),
    rowOf: (i) => i + 1,
    warnings,
  };
}

/** True when an Arrow table has freqtrade's trade columns. */
export function isTradesTable(table: Table): boolean {
  const names = new Set(table.schema.fields.map((f) => f.name));
  return names.has('timestamp') && names.has('price') && names.has('amount') && names.has('side');
}

/** Read a freqtrade `-trades.feather` file (Arrow IPC) into a TradeTape (not yet validated). */
export function readFreqtradeTradesFeather(file: string, table?: Table): ReadResult<TradeTape> {
  registerLz4Codec();
  if (!table) {
    try {
      table = tableFromIPC(fs.readFileSync(file));
    } catch (e) {
      throw new UserError(`${file}: cannot read as Arrow/Feather v2 (${(e as Error).message})`);
    }
  }
  if (!isTradesTable(table)) {
    throw new DataError(file, null, `not a trades table: columns are ${table.schema.fields.map((f) => f.name).join(', ')}`);
  }
  const n = table.numRows;
  const num = (name: string): Float64Array => {
    const col = table!.getChild(name)!;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = col.get(i) as unknown;
      out[i] = v === null ? NaN : typeof v === 'bigint' ? Number(v) : Number(v);
    }
    return out;
  };
  const time = num('timestamp');
  const price = num('price');
  const amount = num('amount');
  const sideCol = table.getChild('side')!;
  const side = new Int8Array(n);
  for (let i = 0; i < n; i++) side[i] = sideCode(String(sideCol.get(i) ?? ''));
  const idCol = table.getChild('id');
  let id: Float64Array | undefined;
  const warnings: string[] = [];
  if (idCol) {
    id = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = Number(idCol.get(i) ?? NaN);
      if (!Number.isSafeInteger(v)) {
        warnings.push(`${file}: trade ids are not all integers below 2^53 (row ${i + 1} has id ${String(idCol.get(i))}); the id column was dropped`);
        id = undefined;
        break;
      }
      id[i] = v;
    }
  }
  return {
    tape: makeTradeTape({ time, price, amount, side, id, source: { file, format: 'freqtrade-trades-feather', symbol: pairFromName(file) } }),
    rowOf: (i) => i + 1,
    warnings,
  };
}
