/**
 * Format detection for one trade-log file, from its bytes (never from a flag
 * or the file extension). Order, first match wins:
 * - bytes starting `SQLite format 3\0` → freqtrade's tradesv3.sqlite;
 * - bytes starting `PK\x03\x04` → a zip: freqtrade's zipped backtest export;
 * - gzip → inflated, then detected as below;
 * - text whose first non-blank character is `{`: the whole text parses as one JSON object
 *   with a `strategy` object of `{trades: [...]}` → freqtrade backtest export; otherwise
 *   JSON Lines of trade records (live log / edgelab trades.jsonl);
 * - otherwise a CSV whose header names trade-log columns (live log / edgelab trades.csv).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { DataError, UserError } from '../../../util/errors';
import { isGzipMagic, readContent } from '../lines';
import { readTradeLogCsv, readTradeLogJsonl, csvTradeLogHeader } from './live-log';
import { isFreqtradeBacktestJson, readFreqtradeBacktestJson, readFreqtradeBacktestZip } from './freqtrade-backtest';
import { readFreqtradeSqlite } from './freqtrade-sqlite';
import { notATradeLogReason, type ParsedRecord } from './record';
import type { TradeLogTrade } from './types';

/** What one adapter read from one file. */
export interface AdapterOutput {
  file: string;
  format: string;
  records: ParsedRecord[];
  sha256: string;
  warnings: string[];
}

export function sha256Hex(buf: Uint8Array): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Tolerance of the P&L cross-check: |recomputed − reported| ≤ 1e-8 + 1e-6 · entry notional
 * (quote). 1e-8 absorbs logs that round P&L to 8 decimals (freqtrade does); 1 ppm of the
 * notional absorbs a log that rounds prices or quantities. Anything larger is reported.
 */
export function pnlTolerance(t: Pick<TradeLogTrade, 'entryPrice' | 'qty'>): number {
  return 1e-8 + 1e-6 * t.entryPrice * t.qty;
}

/** Read one file (not a directory), detecting its format from its bytes. */
export function readTradeLogFile(file: string): AdapterOutput {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'file not found' : (e as Error).message}`);
  }
  const sha256 = sha256Hex(raw);
  if (raw.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    return { file, sha256, ...readFreqtradeSqlite(raw, file) };
  }
  if (raw.length >= 4 && raw[0] === 0x50 && raw[1] === 0x4b && raw[2] === 0x03 && raw[3] === 0x04) {
    return { file, sha256, ...readFreqtradeBacktestZip(raw, file) };
  }
  const content = isGzipMagic(raw) ? readContent(file) : raw;
  const text = content.toString('utf8');
  const firstChar = /\S/.exec(text.replace(/^\uFEFF/, ''))?.[0];
  if (firstChar === undefined) throw new DataError(file, null, 'file is empty');
  if (firstChar === '{') {
    let whole: unknown;
    try {
      whole = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      whole = undefined; // several objects, one per line: JSON Lines
    }
    if (whole !== undefined && isFreqtradeBacktestJson(whole)) {
      return { file, sha256, ...readFreqtradeBacktestJson(whole, file) };
    }
    return { file, sha256, format: 'trade-log-jsonl', records: readTradeLogJsonl(content, file), warnings: [] };
  }
  const firstLine = text.replace(/^\uFEFF/, '').split('\n').find((l) => l.trim() !== '') ?? '';
  const header = firstLine.replace(/\r$/, '');
  if (csvTradeLogHeader(header) === null && /(^|,)\s*"?strategy/i.test(header)) {
    // A CSV that names a strategy column is an attempt at a trade log: say what it lacks.
    throw new DataError(file, 1, `not a trade-log header: ${notATradeLogReason(header.split(',').map((h) => h.trim().replace(/^"|"$/g, '')))}`);
  }
  if (csvTradeLogHeader(header) === null) {
    throw new DataError(
      file,
      null,
      'not a trade log edgelab can read: expected a CSV or JSON Lines trade log (README "Trade logs"), a freqtrade ' +
        'backtest export (.json / .zip), a freqtrade tradesv3.sqlite, or an edgelab output folder',
    );
  }
  return { file, sha256, format: 'trade-log-csv', records: readTradeLogCsv(content, file), warnings: [] };
}

