/**
 * Maker entries for the backtest engine (`edgelab backtest --execution
 * maker`): each entry decision posts the plan's post-only limit (offset,
 * timeout, then taker fallback or cancel) through the same fill models as
 * `edgelab maker-sim`. Stops stay taker; targets are resting limits already.
 */
import type { TradeTape } from '../data/tape';
import type { EntryExecution } from './entry';
import { makeFillModel, PLAN_MAKER_PARAMS, simulateMakerEntry, type MakerParams } from './maker';
import { UserError } from '../util/errors';
import { checkValue, type ValueSpec } from '../core/param-check';

/** Bounds and units of the numeric fields of a maker `engine.execution` block. */
export const MAKER_EXECUTION_SPECS = {
  offsetPct: { minExclusive: -50, maxExclusive: 50, unit: '%', doc: 'Post the limit this far from the reference price, in percent (0.02 = 0.02%).' },
  timeoutMs: { min: 0, unit: 'ms', doc: 'Cancel (then fall back) after this long unfilled.' },
} as const satisfies Record<string, ValueSpec & { doc: string }>;

export interface MakerExecutionConfig {
  mode: 'maker';
  /** Percent (0.02 = 0.02%). */
  offsetPct: number;
  timeoutMs: number;
  fallback: 'taker' | 'cancel';
  /** Trades-only fill models; the L2 queue models need a book and live in `edgelab maker-sim`. */
  fillModel: 'trade-through' | 'touch';
}

export type ExecutionConfig = { mode: 'taker' } | MakerExecutionConfig;

export const PLAN_MAKER_EXECUTION: Readonly<MakerExecutionConfig> = Object.freeze({
  mode: 'maker',
  offsetPct: PLAN_MAKER_PARAMS.offsetPct,
  timeoutMs: PLAN_MAKER_PARAMS.timeoutMs,
  fallback: PLAN_MAKER_PARAMS.fallback,
  fillModel: 'trade-through',
});

export function makerEntryExecution(cfg: MakerExecutionConfig): EntryExecution {
  const params: Partial<MakerParams> = { offsetPct: cfg.offsetPct, timeoutMs: cfg.timeoutMs, fallback: cfg.fallback };
  const model = makeFillModel(cfg.fillModel);
  return {
    name: `maker(${cfg.offsetPct}% / ${cfg.timeoutMs / 1000} s, ${cfg.fillModel}, then ${cfg.fallback})`,
    fill(tape: TradeTape, decisionRow: number, side: 1 | -1) {
      const f = simulateMakerEntry(tape, decisionRow, side, params, model);
      return f.filled ? { row: f.fillRow, price: f.fillPrice, maker: f.liquidity === 'maker' } : { row: -1, price: NaN, maker: false };
    },
  };
}

/** Validate an `engine.execution` block from a preset or --config. */
export function parseExecutionConfig(v: unknown, path: string): ExecutionConfig {
  if (v === 'taker' || (v && typeof v === 'object' && (v as { mode?: unknown }).mode === 'taker')) return { mode: 'taker' };
  if (v === 'maker') return { ...PLAN_MAKER_EXECUTION };
  if (!v || typeof v !== 'object' || (v as { mode?: unknown }).mode !== 'maker') {
    throw new UserError(`${path}: expected "taker", "maker" or { "mode": "maker", "offsetPct", "timeoutMs", "fallback", "fillModel" }`);
  }
  const o = v as Record<string, unknown>;
  const out: MakerExecutionConfig = { ...PLAN_MAKER_EXECUTION };
  for (const [k, x] of Object.entries(o)) {
    if (k === 'mode') continue;
    if (k === 'offsetPct' || k === 'timeoutMs') {
      out[k] = checkValue(x, MAKER_EXECUTION_SPECS[k], `${path}.${k}`) as number;
    } else if (k === 'fallback') {
      if (x !== 'taker' && x !== 'cancel') throw new UserError(`${path}.fallback: expected "taker" or "cancel"`);
      out.fallback = x;
    } else if (k === 'fillModel') {
      if (x !== 'trade-through' && x !== 'touch') throw new UserError(`${path}.fillModel: expected "trade-through" or "touch" (the L2 queue models need a book: use edgelab maker-sim)`);
      out.fillModel = x;
    } else throw new UserError(`${path}.${k}: unknown field (mode, offsetPct, timeoutMs, fallback, fillModel)`);
  }
  return out;
}
