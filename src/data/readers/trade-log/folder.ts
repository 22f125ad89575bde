/**
 * edgelab's own output folders as trade logs (what the commands write today):
 * - `edgelab backtest` / `main`: trades.jsonl + trades.csv + summary.json → 'edgelab-backtest'
 *   (trades.jsonl is read — the two hold the same rows; the symbol comes from summary.json `data.symbol`);
 * - `edgelab portfolio`: trades.csv + portfolio.json → 'edgelab-portfolio';
 * - `edgelab calibrate`: oos-trades.csv + calibration.json → 'edgelab-calibrate-oos'
 *   (the out-of-sample walk-forward ledger only; in-sample trades are not validated);
 * - `edgelab maker-sim`: orders.csv + summary.json → 'edgelab-maker-sim': single maker
 *   orders with fills and markouts, no round trips — listed as a source with 0 trades and a
 *   warning, since there is no per-trade P&L to validate;
 * - a folder of such folders (`edgelab main --out`): each sub-folder is read and its
 *   strategies are named `<sub-folder>/<strategy>` so presets run on the same strategies stay apart;
 * - any other folder (the plan's `trade_logs/`): every regular, non-hidden file in it is read
 *   as a trade log (detected from content, in name order) — a file that is not one is an error.
 *   The strategies of several files pool (daily log files of one bot).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../../util/errors';
import { readTradeLogFile, sha256Hex, type AdapterOutput } from './detect';

function readJsonIfPresent(file: string): Record<string, unknown> | null {
  if (!fs.existsSync(file)) return null;
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch (e) {
    throw new UserError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

function symbolOf(meta: Record<string, unknown> | null): string | null {
  const data = meta?.data as Record<string, unknown> | undefined;
  return data && typeof data.symbol === 'string' && data.symbol !== '' ? data.symbol : null;
}

function withMeta(out: AdapterOutput, format: string, symbol: string | null, prefix: string | null): AdapterOutput {
  for (const r of out.records) {
    if (r.trade.symbol === null) r.trade.symbol = symbol;
    if (prefix !== null) r.trade.strategy = `${prefix}/${r.trade.strategy}`;
  }
  return { ...out, format };
}

/** One output folder, or null when the folder holds no edgelab output. */
function readOne(dir: string, prefix: string | null): AdapterOutput | null {
  const has = (f: string) => fs.existsSync(path.join(dir, f));
  if (has('trades.jsonl') || has('trades.csv')) {
    const ledger = path.join(dir, has('trades.jsonl') ? 'trades.jsonl' : 'trades.csv');
    const portfolio = readJsonIfPresent(path.join(dir, 'portfolio.json'));
    const summary = portfolio ? null : readJsonIfPresent(path.join(dir, 'summary.json'));
    const format = portfolio ? 'edgelab-portfolio' : summary ? 'edgelab-backtest' : 'edgelab-trades';
    return withMeta(readTradeLogFile(ledger), format, symbolOf(portfolio ?? summary), prefix);
  }
  if (has('oos-trades.csv')) {
    const meta = readJsonIfPresent(path.join(dir, 'calibration.json'));
    return withMeta(readTradeLogFile(path.join(dir, 'oos-trades.csv')), 'edgelab-calibrate-oos', symbolOf(meta), prefix);
  }
  if (has('orders.csv') && has('summary.json')) {
    const file = path.join(dir, 'orders.csv');
    return {
      file,
      format: 'edgelab-maker-sim',
      records: [],
      sha256: sha256Hex(fs.readFileSync(file)),
      warnings: [`${file}: a maker-sim folder holds single maker orders (fills, markouts), not round trips — no trades to validate; validate the backtest folder of a maker-mode run instead`],
    };
  }
  return null;
}

/** Read an edgelab output folder, a folder of them, or a folder of trade-log files. */
export function readTradeLogFolder(dir: string): AdapterOutput[] {
  const one = readOne(dir, null);
  if (one) return [one];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => !d.name.startsWith('.'));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: AdapterOutput[] = [];
  for (const d of entries) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) {
      const r = readOne(p, d.name);
      if (r) out.push(r);
    } else if (d.isFile()) out.push(readTradeLogFile(p));
  }
  if (!out.length) {
    throw new UserError(
      `${dir}: no trade log in this folder (expected trade-log files, an edgelab output folder with trades.jsonl/trades.csv, oos-trades.csv or orders.csv, or sub-folders holding them)`,
    );
  }
  return out;
}
