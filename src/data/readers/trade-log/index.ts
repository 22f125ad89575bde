/**
 * Trade logs in: every adapter produces the one ledger schema of ./types.
 * `readTradeLogs` detects each path's format from its content (never from a
 * flag or the file extension), reads it, and then applies the rules every
 * source shares: open trades listed apart, duplicated rows refused with their
 * line numbers, each trade's recomputed P&L cross-checked against the P&L the
 * log reports, each source listed with its SHA-256.
 *
 * Detection: a directory is an edgelab output folder or a folder of logs (./edgelab-output); a file is
 * detected from its bytes (./detect).
 */
import * as fs from 'node:fs';
import { DataError, UserError } from '../../../util/errors';
import { pnlTolerance, readTradeLogFile, type AdapterOutput } from './detect';
import { readTradeLogFolder } from './folder';
import type { OpenTrade, PnlMismatch, TradeLogSet, TradeLogSource, TradeLogTrade } from './types';

export type { OpenTrade, PnlMismatch, TradeLogSet, TradeLogSource, TradeLogTrade, TradeSide } from './types';
export { normaliseExitReason, parseTime } from './record';
export { readTradeLogFile, pnlTolerance, type AdapterOutput } from './detect';

function tradeKey(t: TradeLogTrade): string {
  return [t.strategy, t.symbol ?? '', t.side, t.entryTime, t.exitTime, t.entryPrice, t.exitPrice, t.qty].join('|');
}

function openKey(t: OpenTrade): string {
  return ['open', t.strategy, t.symbol ?? '', t.side, t.entryTime, t.entryPrice, t.qty].join('|');
}

function where(s: { file: string; line: number }): string {
  return `${s.file}:${s.line}`;
}

/**
 * Read every path (files or edgelab output folders) into one {@link TradeLogSet}.
 *
 * @throws UserError / DataError naming the file and line (or row id) for unreadable input,
 *   an unrecognised format, a malformed row, or a duplicated trade (same strategy, symbol,
 *   side, entry and exit time, prices and qty — within a file or across files: pooling the
 *   same trade twice would double-count it).
 */
export function readTradeLogs(paths: readonly string[]): TradeLogSet {
  if (paths.length === 0) throw new UserError('no trade log given');
  const outputs: AdapterOutput[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new UserError(`${p}: file not found`);
    }
    if (st.isDirectory()) outputs.push(...readTradeLogFolder(p));
    else outputs.push(readTradeLogFile(p));
  }

  const sources: TradeLogSource[] = [];
  const trades: TradeLogTrade[] = [];
  const open: OpenTrade[] = [];
  const mismatches: PnlMismatch[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, { file: string; line: number }>();
  const strategySources = new Map<string, Set<string>>();

  for (const o of outputs) {
    warnings.push(...o.warnings);
    let nClosed = 0;
    let nOpen = 0;
    let noFee = 0;
    for (const r of o.records) {
      const key = r.kind === 'closed' ? tradeKey(r.trade) : openKey(r.trade);
      const prev = seen.get(key);
      if (prev) {
        throw new DataError(
          r.trade.source.file,
          r.trade.source.line,
          `duplicate of ${where(prev)} (same strategy, symbol, side, times, prices and qty); a trade log must list each trade once`,
        );
      }
      seen.set(key, r.trade.source);
      let set = strategySources.get(r.trade.strategy);
      if (!set) strategySources.set(r.trade.strategy, (set = new Set()));
      set.add(o.file);
      if (r.kind === 'open') {
        open.push(r.trade);
        nOpen++;
        continue;
      }
      const t = r.trade;
      trades.push(t);
      nClosed++;
      if (t.entryFee === 0 && t.exitFee === 0) noFee++;
      if (t.reportedPnl !== undefined) {
        const basis = t.reportedPnlBasis ?? 'net';
        const recomputed = basis === 'net' ? t.netPnl : t.grossPnl;
        const difference = recomputed - t.reportedPnl;
        if (Math.abs(difference) > pnlTolerance(t)) {
          mismatches.push({ file: t.source.file, line: t.source.line, strategy: t.strategy, recomputed, reported: t.reportedPnl, difference, basis });
        }
      }
    }
    if (noFee > 0) {
      warnings.push(`${o.file}: ${noFee} of ${nClosed} closed trades carry no fee — their P&L is before fees, so their edge is overstated`);
    }
    sources.push({ file: o.file, format: o.format, trades: nClosed, open: nOpen, sha256: o.sha256 });
  }
  // An open trade that a later source shows closed (yesterday's log opened it, today's closed it)
  // is no longer open: match on what an entry is — strategy, symbol, side, entry time, price, qty.
  const entryKey = (t: OpenTrade | TradeLogTrade) => [t.strategy, t.symbol ?? '', t.side, t.entryTime, t.entryPrice, t.qty].join('|');
  const closedEntries = new Set(trades.map(entryKey));
  const stillOpen = open.filter((t) => !closedEntries.has(entryKey(t)));
  if (stillOpen.length < open.length) {
    const n = open.length - stillOpen.length;
    warnings.push(`${n} open trade(s) are closed in another source (the closed record is counted; the open one is dropped)`);
    open.splice(0, open.length, ...stillOpen);
  }
  for (const [strategy, files] of strategySources) {
    if (files.size > 1) warnings.push(`strategy ${strategy} appears in ${files.size} sources (${[...files].join(', ')}): their trades are pooled`);
  }
  if (mismatches.length) {
    warnings.push(`${mismatches.length} trade(s) whose recomputed P&L differs from the log's own figure beyond the tolerance (1e-8 + 1 ppm of notional)`);
  }
  // Stable sort by exit time: equity curves and windows need exit order.
  const order = trades.map((_, i) => i).sort((a, b) => trades[a].exitTime - trades[b].exitTime || a - b);
  return { sources, trades: order.map((i) => trades[i]), open, mismatches, warnings };
}
