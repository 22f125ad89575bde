import { UserError } from '../util/errors';
import type { Liquidity } from '../core/ledger';

/**
 * Fee model: how much a fill costs. Fees are charged on BOTH legs of every
 * round trip (entry and exit), each at the rate of that fill's liquidity.
 */
export interface FeeModel {
  /** A short label for summaries, e.g. `fixed(maker 0.02%, taker 0.04%)`. */
  readonly name: string;
  /** Fee rate (fraction of notional, 0.0004 = 0.04%) for a fill of this liquidity. */
  rate(liquidity: Liquidity): number;
}

/** Rates as fractions of notional. */
export interface FeeRates {
  maker: number;
  taker: number;
}

/** The action plan's rates: 0.04% taker, 0.02% maker (Phase 4 text). */
export const PLAN_FEES: Readonly<FeeRates> = Object.freeze({ maker: 0.0002, taker: 0.0004 });

/** Fee = notional × rate, with one rate for maker and one for taker fills. */
export class NotionalRateFeeModel implements FeeModel {
  readonly name: string;
  constructor(readonly rates: FeeRates, label = 'fixed') {
    for (const k of ['maker', 'taker'] as const) {
      const r = rates[k];
      if (!Number.isFinite(r) || r < -0.01 || r > 0.05) {
        throw new UserError(`fees.${k} must be a fraction of notional between -0.01 and 0.05, got ${r}`);
      }
    }
    this.name = `${label}(maker ${(rates.maker * 100).toFixed(4)}%, taker ${(rates.taker * 100).toFixed(4)}%)`;
  }
  rate(liquidity: Liquidity): number {
    return liquidity === 'maker' ? this.rates.maker : this.rates.taker;
  }
}

/**
 * Fee rates from ccxt's published schedule for an exchange id (the base
 * tier in `exchange.fees.trading`, which ccxt ships offline). Volume tiers
 * and per-market overrides need `loadMarkets()` and are not applied.
 */
export function feeRatesFromCcxt(exchangeId: string): FeeRates {
  // Loaded lazily: ccxt is large and most runs use the plan's rates.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ccxt = require('ccxt') as Record<string, unknown> & { exchanges: string[] };
  if (!ccxt.exchanges.includes(exchangeId)) {
    throw new UserError(`unknown exchange '${exchangeId}' (ccxt knows ${ccxt.exchanges.length} exchanges, e.g. binance, bybit, okx)`);
  }
  const Ctor = ccxt[exchangeId] as new (o?: object) => { fees?: { trading?: { maker?: number; taker?: number } } };
  const ex = new Ctor();
  const t = ex.fees?.trading;
  if (typeof t?.maker !== 'number' || typeof t?.taker !== 'number') {
    throw new UserError(`ccxt has no trading fee schedule for '${exchangeId}'`);
  }
  return { maker: t.maker, taker: t.taker };
}

/** Fee configuration as it appears in presets and --config. */
export type FeeConfig = { maker: number; taker: number } | { exchange: string };

export function makeFeeModel(cfg: FeeConfig | undefined): FeeModel {
  if (!cfg) return new NotionalRateFeeModel(PLAN_FEES, 'plan');
  if ('exchange' in cfg) return new NotionalRateFeeModel(feeRatesFromCcxt(cfg.exchange), `ccxt:${cfg.exchange}`);
  return new NotionalRateFeeModel({ maker: cfg.maker, taker: cfg.taker });
}
