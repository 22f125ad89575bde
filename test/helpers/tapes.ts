import { makeBarTape, makeTradeTape } from '../../src/data/tape';
import type { StrategySignals } from '../../src/core/signals';

/** Trades at the given (seconds, price) points; amount 1, side buy. */
export function ticks(points: [number, number][], t0 = Date.UTC(2024, 0, 1)) {
  return makeTradeTape({
    time: points.map(([s]) => t0 + s * 1000),
    price: points.map(([, p]) => p),
    amount: points.map(() => 1),
    side: points.map(() => 1),
  });
}

/** Bars from [open, high, low, close] rows, 5 minutes apart. */
export function bars(rows: [number, number, number, number][], t0 = Date.UTC(2024, 0, 1)) {
  return makeBarTape({
    time: rows.map((_, i) => t0 + i * 300_000),
    open: rows.map((r) => r[0]),
    high: rows.map((r) => r[1]),
    low: rows.map((r) => r[2]),
    close: rows.map((r) => r[3]),
    volume: rows.map(() => 1),
    timeframeMs: 300_000,
  });
}

/** Signals with entries at the given rows (+1/−1) and optional exit flags. */
export function signals(n: number, entries: Record<number, number>, exits: Record<number, number> = {}): StrategySignals {
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  for (const [i, v] of Object.entries(entries)) entry[Number(i)] = v;
  for (const [i, v] of Object.entries(exits)) exit[Number(i)] = v;
  return { entry, exit };
}
