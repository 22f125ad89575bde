/**
 * freqtrade's backtest export: `backtest-result-<date>.json`
 *   { "strategy": { "<name>": { "trades": [ {pair, open_timestamp, close_timestamp,
 *     open_rate, close_rate, amount, fee_open, fee_close, profit_abs, exit_reason,
 *     is_short, enter_tag, …}, … ], …stats }, … }, "strategy_comparison": [...], … }
 * and the `.zip` newer releases write (the same JSON inside, next to the config
 * and strategy source). Row numbers are the trade's 1-based position in the file,
 * counting through the strategies in file order.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { DataError } from '../../../util/errors';
import { freqtradeRecord, type FreqtradeRow } from './freqtrade-common';
import type { ParsedRecord } from './record';

type Export = { strategy: Record<string, { trades: unknown[] }> };

/** Is this parsed JSON a freqtrade backtest export? */
export function isFreqtradeBacktestJson(v: unknown): v is Export {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const s = (v as { strategy?: unknown }).strategy;
  if (!s || typeof s !== 'object' || Array.isArray(s)) return false;
  const entries = Object.values(s as Record<string, unknown>);
  return entries.length > 0 && entries.every((e) => !!e && typeof e === 'object' && Array.isArray((e as { trades?: unknown }).trades));
}

export function readFreqtradeBacktestJson(v: Export, file: string): { format: string; records: ParsedRecord[]; warnings: string[] } {
  const records: ParsedRecord[] = [];
  let k = 0;
  for (const [name, result] of Object.entries(v.strategy)) {
    result.trades.forEach((t, i) => {
      k++;
      const label = `strategy ${name} trade ${i + 1}`;
      if (!t || typeof t !== 'object' || Array.isArray(t)) throw new DataError(file, k, `${label}: not an object`);
      const row = t as FreqtradeRow & { profit_abs?: unknown };
      records.push(freqtradeRecord(row, name, row.profit_abs, file, k, label));
    });
  }
  return { format: 'freqtrade-backtest-json', records, warnings: [] };
}

/** The zip form: the one member that is a backtest export (config/meta/strategy files are skipped). */
export function readFreqtradeBacktestZip(raw: Buffer, file: string): { format: string; records: ParsedRecord[]; warnings: string[] } {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(new Uint8Array(raw), { filter: (f) => f.name.endsWith('.json') });
  } catch (e) {
    throw new DataError(file, null, `unreadable zip (${(e as Error).message})`);
  }
  const found: { name: string; v: Export }[] = [];
  for (const [name, bytes] of Object.entries(members)) {
    let v: unknown;
    try {
      v = JSON.parse(strFromU8(bytes));
    } catch {
      continue;
    }
    if (isFreqtradeBacktestJson(v)) found.push({ name, v });
  }
  if (found.length === 0) throw new DataError(file, null, 'a zip without a freqtrade backtest export inside (no .json member with {"strategy": {name: {"trades": [...]}}})');
  if (found.length > 1) throw new DataError(file, null, `a zip with ${found.length} backtest exports (${found.map((f) => f.name).join(', ')}); unzip it and pass the one to read`);
  const inner = `${file}!${found[0].name}`;
  const r = readFreqtradeBacktestJson(found[0].v, inner);
  return { ...r, format: 'freqtrade-backtest-zip' };
}
