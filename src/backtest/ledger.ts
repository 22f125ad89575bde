/**
 * The trade ledger: one row per round trip, with every fill, fee and the
 * reason it closed. The engine appends to a columnar `LedgerBuilder` (typed
 * arrays, no per-trade objects in the hot loop) and materialises `LedgerRow`s
 * once at the end.
 */

import { EXIT_REASONS, LIMIT_RULES, type LedgerRow, type Liquidity } from '../core/ledger';

const LIQ: readonly Liquidity[] = ['maker', 'taker'];

/**
 * Growable columnar store the engine appends to. Capacity doubles, so appends
 * are amortised O(1) and allocate only on growth (log₂ n times per run).
 */
export class LedgerBuilder {
  length = 0;
  private cap: number;
  side!: Int8Array;
  entryTime!: Float64Array;
  entryPrice!: Float64Array;
  exitTime!: Float64Array;
  exitPrice!: Float64Array;
  qty!: Float64Array;
  stopPrice!: Float64Array;
  targetPrice!: Float64Array;
  entryFee!: Float64Array;
  exitFee!: Float64Array;
  entryLiq!: Uint8Array;
  exitLiq!: Uint8Array;
  exitReason!: Uint8Array;
  delayed!: Uint8Array;
  blockedSignals!: Float64Array;
  blockedBy!: Int8Array;
  capitalAfter!: Float64Array;
  entryIndex!: Float64Array;
  exitIndex!: Float64Array;

  constructor(initialCapacity = 256) {
    this.cap = 0;
    this.grow(Math.max(16, initialCapacity));
  }

  private grow(cap: number): void {
    const f = (old: Float64Array | undefined) => {
      const a = new Float64Array(cap);
      if (old) a.set(old.subarray(0, this.length));
      return a;
    };
    const u = (old: Uint8Array | undefined) => {
      const a = new Uint8Array(cap);
      if (old) a.set(old.subarray(0, this.length));
      return a;
    };
    const s = (old: Int8Array | undefined) => {
      const a = new Int8Array(cap);
      if (old) a.set(old.subarray(0, this.length));
      return a;
    };
    this.side = s(this.side);
    this.entryTime = f(this.entryTime);
    this.entryPrice = f(this.entryPrice);
    this.exitTime = f(this.exitTime);
    this.exitPrice = f(this.exitPrice);
    this.qty = f(this.qty);
    this.stopPrice = f(this.stopPrice);
    this.targetPrice = f(this.targetPrice);
    this.entryFee = f(this.entryFee);
    this.exitFee = f(this.exitFee);
    this.entryLiq = u(this.entryLiq);
    this.exitLiq = u(this.exitLiq);
    this.exitReason = u(this.exitReason);
    this.delayed = u(this.delayed);
    this.blockedSignals = f(this.blockedSignals);
    this.blockedBy = s(this.blockedBy);
    this.capitalAfter = f(this.capitalAfter);
    this.entryIndex = f(this.entryIndex);
    this.exitIndex = f(this.exitIndex);
    this.cap = cap;
  }

  /**
   * Append one round trip. Codes: side ±1; liquidity 0 maker / 1 taker;
   * reason = index in EXIT_REASONS; blockedBy = index in LIMIT_RULES or -1;
   * stop/target NaN when absent.
   */
  push(
    side: number,
    entryTime: number,
    entryPrice: number,
    exitTime: number,
    exitPrice: number,
    qty: number,
    stopPrice: number,
    targetPrice: number,
    entryFee: number,
    exitFee: number,
    entryLiq: number,
    exitLiq: number,
    reason: number,
    delayed: number,
    blockedSignals: number,
    blockedBy: number,
    capitalAfter: number,
    entryIndex: number,
    exitIndex: number,
  ): void {
    if (this.length === this.cap) this.grow(this.cap * 2);
    const k = this.length++;
    this.side[k] = side;
    this.entryTime[k] = entryTime;
    this.entryPrice[k] = entryPrice;
    this.exitTime[k] = exitTime;
    this.exitPrice[k] = exitPrice;
    this.qty[k] = qty;
    this.stopPrice[k] = stopPrice;
    this.targetPrice[k] = targetPrice;
    this.entryFee[k] = entryFee;
    this.exitFee[k] = exitFee;
    this.entryLiq[k] = entryLiq;
    this.exitLiq[k] = exitLiq;
    this.exitReason[k] = reason;
    this.delayed[k] = delayed;
    this.blockedSignals[k] = blockedSignals;
    this.blockedBy[k] = blockedBy;
    this.capitalAfter[k] = capitalAfter;
    this.entryIndex[k] = entryIndex;
    this.exitIndex[k] = exitIndex;
  }

  /** Materialise row objects (once, after the hot loop). */
  toRows(strategy: string): LedgerRow[] {
    const rows: LedgerRow[] = new Array(this.length);
    for (let k = 0; k < this.length; k++) {
      const sgn = this.side[k];
      const gross = sgn * (this.exitPrice[k] - this.entryPrice[k]) * this.qty[k];
      rows[k] = {
        strategy,
        side: sgn > 0 ? 'long' : 'short',
        entryTime: this.entryTime[k],
        entryPrice: this.entryPrice[k],
        exitTime: this.exitTime[k],
        exitPrice: this.exitPrice[k],
        qty: this.qty[k],
        stopPrice: Number.isNaN(this.stopPrice[k]) ? null : this.stopPrice[k],
        targetPrice: Number.isNaN(this.targetPrice[k]) ? null : this.targetPrice[k],
        entryFee: this.entryFee[k],
        exitFee: this.exitFee[k],
        entryLiquidity: LIQ[this.entryLiq[k]],
        exitLiquidity: LIQ[this.exitLiq[k]],
        grossPnl: gross,
        netPnl: gross - this.entryFee[k] - this.exitFee[k],
        exitReason: EXIT_REASONS[this.exitReason[k]],
        holdMs: this.exitTime[k] - this.entryTime[k],
        exitDelayedBy: this.delayed[k] ? 'minHold' : null,
        blockedSignals: this.blockedSignals[k],
        blockedBy: this.blockedBy[k] >= 0 ? LIMIT_RULES[this.blockedBy[k]] : null,
        capitalAfter: this.capitalAfter[k],
        entryIndex: this.entryIndex[k],
        exitIndex: this.exitIndex[k],
        entryIso: new Date(this.entryTime[k]).toISOString(),
        exitIso: new Date(this.exitTime[k]).toISOString(),
      };
    }
    return rows;
  }
}
