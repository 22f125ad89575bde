/**
 * A user's entry log: the trades a live bot (or a person) entered, as a CSV
 * of `time,side,price` — what compare-exits replays under different exits
 * (`edgelab compare-exits --entries <file>`). Only the entry of each trade is
 * read; exits come from the simulated policies. (Full trade logs of live bots
 * and freqtrade, with their exits, have their own readers in ./trade-log/.)
 */
import { UserError } from '../../util/errors';
import { epochDigitsToMs, isoTextToMs } from './columns';
import { forEachLine } from './lines';

/** One line of an entry log. */
export interface LogTrade {
  time: number;
  side: 1 | -1;
  price: number;
  /** 1-based line in the file. */
  line: number;
}

const LOG_SIDES: Record<string, 1 | -1> = { buy: 1, long: 1, b: 1, sell: -1, short: -1, s: -1 };

function unquote(s: string): string {
  return s.trim().replace(/^"(.*)"$/, '$1').trim();
}

/**
 * Read an entry log CSV: header with `time` (or `timestamp`/`date`), `side`
 * (buy/sell/long/short) and `price` columns, any order, other columns
 * ignored; time as epoch digits (ms; 10/16/19 digits read as s/µs/ns) or an
 * ISO UTC date-time. Every problem is a UserError naming the file and line.
 * Rows are returned sorted by time (stable).
 */
export function readEntryLog(file: string): LogTrade[] {
  const out: LogTrade[] = [];
  let col: { time: number; side: number; price: number } | null = null;
  let width = 0;
  const bad = (line: number, msg: string) => new UserError(`${file}: line ${line}: ${msg}`);
  forEachLine(file, (raw, lineNo) => {
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') return;
    const cells = line.split(',').map(unquote);
    if (col === null) {
      const h = cells.map((c) => c.toLowerCase());
      const find = (...names: string[]) => names.map((x) => h.indexOf(x)).find((i) => i >= 0) ?? -1;
      col = { time: find('time', 'timestamp', 'date'), side: find('side'), price: find('price') };
      const missing = Object.entries(col).filter(([, i]) => i < 0).map(([k]) => k);
      if (missing.length) throw bad(lineNo, `header is missing column(s) ${missing.join(', ')} (expected time,side,price; found: ${h.join(',')})`);
      width = cells.length;
      return;
    }
    if (cells.length !== width) throw bad(lineNo, `expected ${width} columns, found ${cells.length}: '${line.slice(0, 120)}'`);
    const tText = cells[col.time];
    let t = epochDigitsToMs(tText);
    if (!(t === t)) t = isoTextToMs(tText);
    if (!(t === t)) throw bad(lineNo, tText === '' ? 'empty time' : `time '${tText}' is neither epoch milliseconds nor an ISO date-time`);
    const side = LOG_SIDES[cells[col.side].toLowerCase()];
    if (side === undefined) throw bad(lineNo, `side '${cells[col.side]}' is not buy, sell, long or short`);
    const pText = cells[col.price];
    const price = Number(pText);
    if (pText === '' || !(Number.isFinite(price) && price > 0)) throw bad(lineNo, pText === '' ? 'empty price' : `price '${pText}' is not a positive number`);
    out.push({ time: t, side, price, line: lineNo });
  });
  if (col === null) throw new UserError(`${file}: line 1: file is empty (expected a header time,side,price)`);
  if (out.length === 0) throw new UserError(`${file}: no trades after the header`);
  return out.sort((a, b) => a.time - b.time); // Array.prototype.sort is stable
}
