/** Small builders for LedgerRow objects in analytics tests. */
import type { LedgerRow } from '../../src/core/ledger';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * A ledger row with sensible defaults. `netPnl` is derived as
 * grossPnl − entryFee − exitFee unless given; holdMs from the times.
 */
export function makeRow(p: Partial<LedgerRow> & { entryTime?: number; exitTime: number }): LedgerRow {
  const entryTime = p.entryTime ?? p.exitTime - HOUR;
  const entryFee = p.entryFee ?? 0;
  const exitFee = p.exitFee ?? 0;
  const grossPnl = p.grossPnl ?? (p.netPnl !== undefined ? p.netPnl + entryFee + exitFee : 0);
  const netPnl = p.netPnl ?? grossPnl - entryFee - exitFee;
  return {
    strategy: 'test',
    side: 'long',
    entryPrice: 100,
    exitPrice: 100,
    qty: 1,
    stopPrice: null,
    targetPrice: null,
    entryLiquidity: 'taker',
    exitLiquidity: 'taker',
    exitReason: 'signal',
    exitDelayedBy: null,
    blockedSignals: 0,
    blockedBy: null,
    capitalAfter: 0,
    entryIndex: 0,
    exitIndex: 0,
    ...p,
    entryTime,
    entryFee,
    exitFee,
    grossPnl,
    netPnl,
    holdMs: p.exitTime - entryTime,
    entryIso: new Date(entryTime).toISOString(),
    exitIso: new Date(p.exitTime).toISOString(),
  };
}

/** Fee-free row that only matters for the equity curve: `netPnl` realised at `exitTime`. */
export function pnlAt(exitTime: number, netPnl: number): LedgerRow {
  return makeRow({ exitTime, netPnl });
}

/** Recursively assert a value is JSON-safe: no NaN, no ±Infinity, no undefined. */
export function assertJsonSafe(v: unknown, path = '$'): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${path} is ${v}`);
  } else if (v === undefined) {
    throw new Error(`${path} is undefined`);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => assertJsonSafe(x, `${path}[${i}]`));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) assertJsonSafe(x, `${path}.${k}`);
  }
}
