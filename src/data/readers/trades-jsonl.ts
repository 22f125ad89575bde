/**
 * Trades as JSON Lines: one ccxt `Trade` object per line, e.g.
 *   {"id":"4213","timestamp":1709251200123,"datetime":"2024-03-01T00:00:00.123Z","symbol":"BTC/USDT",
 *    "side":"buy","price":61234.5,"amount":0.012,"cost":734.814,"fee":null,"info":{…}}
 * which is what `JSON.stringify` of ccxt's `fetchTrades` / `watchTrades`
 * results gives, line by line.
 *
 * Required keys: `timestamp` (ms; s/µs/ns digit counts and ISO text are
 * recognised as in the CSV readers), `price`, `amount`, `side`. Optional: `id`
 * (kept when every id is an integer below 2^53; ccxt gives it as a string).
 * Numbers may be JSON numbers or numeric strings. Other keys (`info`, `fee`,
 * nested objects and arrays) are skipped without being parsed into objects.
 *
 * The scanner reads the top-level keys of each line from the bytes, so a
 * 50-million-line file becomes typed columns without a JSON.parse per line;
 * a line that is not a flat JSON object of this shape is a DataError naming
 * the line.
 */
import * as fs from 'node:fs';
import { DataError } from '../../util/errors';
import { makeTradeTape, type TradeTape } from '../tape';
import { bytesToLatin1, parseDecimalBytes, parseEpochMsBytes, sideBytes, smallIntBytes } from './bytes';
import { countNewlines, forEachChunk } from './chunks';
import type { ReadResult } from './read-result';
import { LineMap, TradeColumns } from './trade-columns';

const KEY_TIMESTAMP = 1;
const KEY_PRICE = 2;
const KEY_AMOUNT = 3;
const KEY_SIDE = 4;
const KEY_ID = 5;
const KEY_NAMES = ['', 'timestamp', 'price', 'amount', 'side', 'id'];
const KEY_BYTES = KEY_NAMES.map((k) => Buffer.from(k, 'latin1'));

/** Does this first line look like a ccxt trade object? (for format detection) */
export function looksLikeTradeJsonLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{')) return false;
  try {
    const o = JSON.parse(t) as Record<string, unknown>;
    return o !== null && typeof o === 'object' && 'timestamp' in o && 'price' in o && 'amount' in o && 'side' in o;
  } catch {
    return false;
  }
}

function keyCode(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  for (let k = 1; k < KEY_BYTES.length; k++) {
    const want = KEY_BYTES[k];
    if (want.length !== n) continue;
    let same = true;
    for (let i = 0; i < n && same; i++) same = buf[s + i] === want[i];
    if (same) return k;
  }
  return 0;
}

/** Index just past the JSON string starting at `i` (a `"`), honouring escapes; −1 when unterminated. */
function skipString(buf: Uint8Array, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = buf[j];
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}

/** Index just past the object/array starting at `i`; −1 when unbalanced. */
function skipNested(buf: Uint8Array, i: number, end: number): number {
  let depth = 0;
  for (let j = i; j < end; j++) {
    const c = buf[j];
    if (c === 34) {
      j = skipString(buf, j, end) - 1;
      if (j < 0) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 10;

export function readTradesJsonl(file: string): ReadResult<TradeTape> {
  const size = fs.statSync(file).size;
  // Sized on the first chunk (rows per byte there × file size), so a large file is allocated about once.
  let cols = new TradeColumns(0, true);
  let sized = false;
  const lines = new LineMap(1);
  const warnings: string[] = [];
  const vs = new Int32Array(6);
  const ve = new Int32Array(6);
  let skipped = 0;
  let idProblem = '';
  let bytesSeen = 0;

  forEachChunk(file, (chunk, firstLineNo) => {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = buf.length;
    if (!sized) {
      sized = true;
      const perByte = (countNewlines(buf) + 1) / Math.max(1, len);
      cols = new TradeColumns(perByte * size * (/\.gz$/i.test(file) ? 6 : 1.01) + 1024, true);
    } else if (cols.length > 0) {
      const est = (cols.length / Math.max(1, bytesSeen)) * size * 1.01;
      if (est > cols.capacity) cols.reserve(est);
    }
    let pos = 0;
    let lineNo = firstLineNo;
    while (pos < len) {
      let nl = buf.indexOf(10, pos);
      if (nl === -1) nl = len;
      let i = pos;
      while (i < nl && isSpace(buf[i])) i++;
      if (i === nl) {
        skipped++;
        lines.shift(cols.length, skipped);
      } else {
        if (buf[i] !== 123) throw bad(lineNo, 'not a JSON object');
        vs.fill(-1);
        i++;
        // key: value pairs of the top-level object
        for (;;) {
          while (i < nl && isSpace(buf[i])) i++;
          if (buf[i] === 125) break;
          if (buf[i] !== 34) throw bad(lineNo, `expected a key at column ${i - pos + 1}`);
          const ks = i + 1;
          const kEnd = skipString(buf, i, nl);
          if (kEnd < 0) throw bad(lineNo, 'unterminated string');
          const key = keyCode(buf, ks, kEnd - 1);
          i = kEnd;
          while (i < nl && isSpace(buf[i])) i++;
          if (buf[i] !== 58) throw bad(lineNo, `expected ':' after key '${bytesToLatin1(buf, ks, kEnd - 1)}'`);
          i++;
          while (i < nl && isSpace(buf[i])) i++;
          const c = buf[i];
          let s = i;
          let e: number;
          if (c === 34) {
            e = skipString(buf, i, nl);
            if (e < 0) throw bad(lineNo, 'unterminated string');
            s = i + 1;
            i = e;
            e = e - 1;
          } else if (c === 123 || c === 91) {
            e = skipNested(buf, i, nl);
            if (e < 0) throw bad(lineNo, 'unbalanced object or array');
            i = e;
          } else {
            while (i < nl && buf[i] !== 44 && buf[i] !== 125 && !isSpace(buf[i])) i++;
            e = i;
          }
          if (key !== 0) {
            vs[key] = s;
            ve[key] = e;
          }
          while (i < nl && isSpace(buf[i])) i++;
          if (buf[i] === 44) {
            i++;
            continue;
          }
          if (buf[i] === 125) break;
          throw bad(lineNo, `expected ',' or '}' at column ${i - pos + 1}`);
        }
        for (let k = KEY_TIMESTAMP; k <= KEY_SIDE; k++) {
          if (vs[k] < 0) throw bad(lineNo, `missing key '${KEY_NAMES[k]}'`);
        }
        const n = cols.length;
        if (n === cols.capacity) cols.reserve(n + 1);
        cols.time[n] = parseEpochMsBytes(buf, vs[KEY_TIMESTAMP], ve[KEY_TIMESTAMP], file, lineNo);
        cols.price[n] = parseDecimalBytes(buf, vs[KEY_PRICE], ve[KEY_PRICE], 'price', file, lineNo);
        cols.amount[n] = parseDecimalBytes(buf, vs[KEY_AMOUNT], ve[KEY_AMOUNT], 'amount', file, lineNo);
        cols.side[n] = sideBytes(buf, vs[KEY_SIDE], ve[KEY_SIDE], true);
        if (cols.id !== null) {
          if (vs[KEY_ID] < 0) {
            idProblem = `line ${lineNo} has no id`;
            cols.dropIds();
          } else {
            let v = smallIntBytes(buf, vs[KEY_ID], ve[KEY_ID]);
            if (v !== v) {
              const text = bytesToLatin1(buf, vs[KEY_ID], ve[KEY_ID]);
              v = Number(text);
              if (text === '' || text === 'null' || !Number.isSafeInteger(v)) {
                idProblem = `line ${lineNo} has id '${text}'`;
                cols.dropIds();
              }
            }
            if (cols.id !== null) cols.id[n] = v;
          }
        }
        cols.length = n + 1;
      }
      pos = nl + 1;
      lineNo++;
    }
    bytesSeen += len;
  });

  function bad(lineNo: number, why: string): DataError {
    return new DataError(file, lineNo, `${why} (expected one ccxt trade object per line)`);
  }

  if (cols.length === 0 && skipped === 0) throw new DataError(file, null, 'file is empty');
  if (idProblem) warnings.push(`${file}: trade ids are not all integers below 2^53 (${idProblem}); the id column was dropped`);
  const finished = cols.finish();
  // The chunk callback's closure shares this scope with `rowOf` below: drop the
  // growable columns so their spare capacity is not kept alive by it.
  cols = new TradeColumns(0, false);
  return {
    tape: makeTradeTape({ ...finished, source: { file, format: 'trades-jsonl' } }),
    rowOf: (r) => lines.lineOf(r),
    warnings,
  };
}
