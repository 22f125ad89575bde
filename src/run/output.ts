/**
 * Serialising a backtest: trades.csv, trades.jsonl and summary.json, written
 * together and atomically (a failure leaves no partial output).
 */
import { LEDGER_COLUMNS, type LedgerRow } from '../core/ledger';
import type { BacktestResult } from './run';
import { writeOutputsAtomic } from '../util/atomic-write';
import { toCsv } from '../util/csv';
import { toJsonDocument } from '../util/json';

export function ledgerToCsv(rows: readonly LedgerRow[]): string {
  return toCsv(LEDGER_COLUMNS, rows.map((r) => LEDGER_COLUMNS.map((c) => r[c])));
}

export function ledgerToJsonl(rows: readonly LedgerRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

export function summaryOf(result: BacktestResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const strategies: Record<string, unknown> = {};
  for (const [id, r] of Object.entries(result.strategies)) {
    strategies[id] = {
      name: r.name,
      type: r.type,
      ...r.metrics,
      edgeValidation: r.edge,
      gate: r.gate,
      ...(r.confirmation ? { confirmation: r.confirmation } : {}),
      ...(r.entryFills ? { entryFills: r.entryFills } : {}),
      ...(r.signalStats ? { signalStats: r.signalStats } : {}),
      ...(r.ambiguousBars !== undefined ? { ambiguousBars: r.ambiguousBars, ambiguousResolvedByTicks: r.ambiguousResolvedByTicks } : {}),
      params: r.params,
    };
  }
  return { strategies, config: result.config, data: result.data, ...extra };
}

export function writeBacktestOutputs(outDir: string, result: BacktestResult, extra: Record<string, unknown> = {}): string[] {
  const rows = Object.values(result.strategies).flatMap((r) => r.ledger);
  rows.sort((a, b) => a.entryTime - b.entryTime || a.strategy.localeCompare(b.strategy));
  const files = {
    'trades.csv': ledgerToCsv(rows),
    'trades.jsonl': ledgerToJsonl(rows),
    'summary.json': toJsonDocument(summaryOf(result, extra)),
  };
  writeOutputsAtomic(outDir, files);
  return Object.keys(files);
}
