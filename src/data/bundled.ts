/**
 * Absolute paths of the real market-data sample shipped in `data/` (see
 * data/SOURCES.md for origin, licence, rows and spans of each file).
 *
 * The package root comes from `packageRoot` (src/util/package-root.ts), so
 * the paths are right both from the TypeScript source and from dist/.
 */
import * as path from 'node:path';
import { packageRoot } from '../util/package-root';

export { packageRoot };

/** `data/` inside the package. */
export const bundledDataDir = path.join(packageRoot(), 'data');

const at = (name: string) => path.join(bundledDataDir, name);

/** The bundled sample files (all real data, copied byte-for-byte from MIT / LGPL repositories). */
export const bundledData = {
  /** Tardis CSV, Binance USD-M futures BTCUSDT trades, 2020-02-22 00:00–02:05 (9,999 trades). */
  trades: at('tardis-binance-futures-btcusdt-trades-2020-02-22.csv'),
  /** Tardis CSV, same instrument, best bid/ask 2020-02-22 00:00:01–00:03:47 (9,999 quotes). */
  quotes: at('tardis-binance-futures-btcusdt-quotes-2020-02-22.csv'),
  /** Binance spot BTCUSDT WebSocket capture, two consecutive files (load together: 19,904 trades, 10.8 min). */
  spotTrades: [at('binance-spot-btcusdt_20240808.gz'), at('binance-spot-btcusdt_20240809.gz')] as const,
  /** Binance spot BTC/USDT 5m bars, 2024-01-01 .. 2024-09-06 (71,769 bars). */
  bars5m: at('BTC_USDT-5m.feather'),
  /** Binance spot ETH/USDT 5m bars, same span (71,769 bars). */
  bars5mEth: at('ETH_USDT-5m.feather'),
  /** Binance spot BTC/USDT 1h bars, 2024-01-01 .. 2024-09-06 03:00 (5,980 bars). */
  bars1h: at('BTC_USDT-1h.feather'),
} as const;
