/**
 * Trade logs for the report tests, made from REAL backtests on the bundled
 * 5m BTC/USDT bars (so the pages show hundreds of realistic trades): a
 * freqtrade backtest export and a plain live-bot CSV whose entries are moved
 * a known number of bps against the trader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadData } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { runBacktest } from '../../src/run/run';
import type { LedgerRow } from '../../src/core/ledger';

let cached: Record<string, LedgerRow[]> | null = null;

/** phase3 ledgers of V1 and V4 on the 5m bars, closed trades only (no `end` exits). */
export function realLedgers(): Record<string, LedgerRow[]> {
  if (cached) return cached;
  const bars = loadData(bundledData.bars5m).tape;
  const res = runBacktest(bars, { strategies: ['V1', 'V4'], preset: 'phase3' });
  cached = Object.fromEntries(Object.entries(res.strategies).map(([id, r]) => [id, r.ledger.filter((x) => x.exitReason !== 'end')]));
  return cached;
}

const FT_REASON: Record<string, string> = { stop: 'stop_loss', target: 'roi', signal: 'exit_signal', time: 'timeout' };

/** A freqtrade backtest export (`backtest-result-*.json`) of the ledgers; fee rates as freqtrade writes them. */
export function writeFreqtradeExport(dir: string, ledgers: Record<string, LedgerRow[]>): string {
  const strategy: Record<string, { trades: unknown[] }> = {};
  for (const [id, rows] of Object.entries(ledgers)) {
    strategy[id] = {
      trades: rows.map((r) => ({
        pair: 'BTC/USDT',
        amount: r.qty,
        open_date: new Date(r.entryTime).toISOString().replace('T', ' ').replace('.000Z', '+00:00'),
        close_date: new Date(r.exitTime).toISOString().replace('T', ' ').replace('.000Z', '+00:00'),
        open_rate: r.entryPrice,
        close_rate: r.exitPrice,
        fee_open: r.entryFee / (r.entryPrice * r.qty),
        fee_close: r.exitFee / (r.exitPrice * r.qty),
        profit_abs: r.netPnl,
        exit_reason: FT_REASON[r.exitReason] ?? r.exitReason,
        is_open: false,
        is_short: r.side === 'short',
        enter_tag: 'edgelab',
        open_timestamp: r.entryTime,
        close_timestamp: r.exitTime,
      })),
    };
  }
  const file = path.join(dir, 'backtest-result-2024-09-06_12-00-00.json');
  fs.writeFileSync(file, JSON.stringify({ strategy, strategy_comparison: [] }, null, 1));
  return file;
}

export interface LiveRow {
  strategy: string;
  side: 'long' | 'short';
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  qty: number;
  entryFee: number;
  exitFee: number;
  exitReason: string;
}

/** Live rows from a ledger with every entry `bps` worse for the trader (fee 0.04% on the moved price). */
export function liveRows(rows: LedgerRow[], bps: number): LiveRow[] {
  return rows.map((r) => {
    const dir = r.side === 'long' ? 1 : -1;
    const entryPrice = r.entryPrice * (1 + (dir * bps) / 10_000);
    return { strategy: r.strategy, side: r.side, entryTime: r.entryTime, exitTime: r.exitTime, entryPrice, exitPrice: r.exitPrice, qty: r.qty, entryFee: entryPrice * r.qty * 0.0004, exitFee: r.exitFee, exitReason: r.exitReason };
  });
}

/** The plain live-log CSV (README "Live trade log"): ISO times, both fee legs, edgelab exit reasons. */
export function writeLiveCsv(file: string, rows: LiveRow[], extraLines: string[] = []): string {
  const lines = ['strategy,symbol,side,entry_time,exit_time,entry_price,exit_price,qty,entry_fee,exit_fee,exit_reason'];
  for (const r of rows) {
    lines.push([r.strategy, 'BTC/USDT', r.side, new Date(r.entryTime).toISOString(), new Date(r.exitTime).toISOString(), r.entryPrice, r.exitPrice, r.qty, r.entryFee, r.exitFee, r.exitReason].join(','));
  }
  fs.writeFileSync(file, [...lines, ...extraLines].join('\n') + '\n');
  return file;
}

/** Net P&L of a live row, by hand: ±(exit − entry)·qty − both fees. */
export function handNet(r: LiveRow): number {
  return (r.side === 'long' ? 1 : -1) * (r.exitPrice - r.entryPrice) * r.qty - r.entryFee - r.exitFee;
}
