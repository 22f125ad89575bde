/**
 * The one sweep planner. A calibration sweep is cut into jobs — chunks of
 * configurations — that any executor (the local worker pool, a BullMQ queue)
 * runs with `evaluateChunk`, returning compact per-configuration summaries
 * (window counts and objectives, full-span figures, the PBO period column),
 * never ledgers. The reducer in calibrate.ts is the only place that turns
 * summaries into a result, so every executor writes the same artifact.
 *
 * Why chunks and not chunks × folds: every configuration is ONE causal
 * backtest over the whole tape, and a fold is a slice of that one run's
 * ledger. A job per fold would either repeat the full backtest per fold
 * (folds × the work) or backtest each window from a cold start (different
 * trades at window edges than the local run). So a job carries every
 * selection window and returns each configuration's figures for all of them.
 *
 * Job ids are `<sweep hash>-<chunk hash>` (hex, no `:` — BullMQ forbids it):
 * the same sweep over the same data always yields the same ids, so
 * re-submitting after a coordinator restart finds the results already stored.
 */
import { createHash } from 'node:crypto';
import type { MarketTape } from '../data/tape';
import type { RunConfig } from '../config/run-config';
import ss from '../analytics/ss';
import { sharpeRatio } from '../analytics/sharpe';
import { getStrategy } from '../strategies/registry';
import { evaluateConfig } from './sweep';
import type { Window } from './walk-forward';
import type { LedgerRow } from '../core/ledger';

export type Objective = 'edgePerTrade' | 'sharpe' | 'expectedValue';

/** Per-trade net return on notional: the unit every objective and significance figure uses. */
export function tradeReturn(r: LedgerRow): number {
  return r.netPnl / (r.entryPrice * r.qty);
}

/** Objective value of a set of trades (higher is better); NaN when undefined. */
export function objectiveValue(rows: readonly LedgerRow[], objective: Objective): number {
  const r = rows.map(tradeReturn);
  if (!r.length) return NaN;
  if (objective === 'edgePerTrade') return ss.mean(r);
  if (objective === 'sharpe') return r.length > 1 ? sharpeRatio(r) : NaN;
  const wins = r.filter((x) => x > 0);
  const losses = r.filter((x) => x < 0);
  const wr = wins.length / r.length;
  return wr * (wins.length ? ss.mean(wins) : 0) - (1 - wr) * (losses.length ? -ss.mean(losses) : 0);
}

/** Everything a job needs besides its configurations; identical for every job of a sweep. */
export interface SweepSpec {
  strategy: string;
  base: RunConfig;
  objective: Objective;
  /** Selection windows: each fold's train window, then the final selection window. */
  windows: Window[];
  /** PBO's period grid: periods of `periodMs` from `fromMs`, `periods` of them. */
  period: { fromMs: number; periodMs: number; periods: number };
}

export interface SweepJob {
  /** `<sweep hash>-<chunk hash>`. */
  id: string;
  configs: { index: number; values: Record<string, number> }[];
  /** Series key the chunk shares (its configurations compute the same series); '' when none. */
  group: string;
}

export interface SweepPlan {
  hash: string;
  spec: SweepSpec;
  configs: Record<string, number>[];
  jobs: SweepJob[];
}

/** One configuration's figures — all the reducer needs, a few hundred bytes. */
export interface ConfigSummary {
  index: number;
  /** All strategy parameters with the swept values applied. */
  params: Record<string, number>;
  /** Per selection window (same order as spec.windows): trades entered in it and the objective over them (null = undefined). */
  windows: { trades: number; objective: number | null }[];
  /** Full span: trade count, mean per-trade return (bps), per-trade Sharpe (null when undefined). */
  trades: number;
  edgePerTradeBps: number | null;
  sharpe: number | null;
  /** PBO column, sparse: [period, sum of per-trade returns exiting in it] for non-empty periods, in period order. */
  periods: [number, number][];
}

export interface ChunkResult {
  id: string;
  summaries: ConfigSummary[];
  /** Time the executor spent computing this chunk (ms) — a timing field, never part of the artifact. */
  busyMs: number;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Series key of a configuration: the values of its series parameters (ParamSpec.series). */
function seriesKeyOf(strategy: string, values: Record<string, number>): string {
  let spec: Record<string, { series?: boolean }> = {};
  try {
    spec = getStrategy(strategy).params as Record<string, { series?: boolean }>;
  } catch {
    return '';
  }
  return Object.keys(values)
    .filter((k) => spec[k]?.series)
    .sort()
    .map((k) => `${k}=${values[k]}`)
    .join('|');
}

/**
 * Cut a sweep into jobs. Configurations sharing a series stay in the same
 * chunks (so a worker computes that series once for the chunk); a group is
 * split into chunks of at most `chunkSize`. `dataHash` names the data (the
 * tape's content hash) so the same grid on other data never shares ids.
 */
export function planSweep(spec: SweepSpec, configs: Record<string, number>[], opts: { chunkSize: number; dataHash: string }): SweepPlan {
  const chunkSize = Math.max(1, Math.floor(opts.chunkSize));
  const hash = sha(JSON.stringify({ v: 1, data: opts.dataHash, spec, configs })).slice(0, 16);
  const groups = new Map<string, number[]>();
  configs.forEach((c, k) => {
    const key = seriesKeyOf(spec.strategy, c);
    const g = groups.get(key);
    if (g) g.push(k);
    else groups.set(key, [k]);
  });
  const jobs: SweepJob[] = [];
  for (const [group, idx] of groups) {
    for (let s = 0; s < idx.length; s += chunkSize) {
      const part = idx.slice(s, s + chunkSize).map((index) => ({ index, values: configs[index] }));
      jobs.push({ id: `${hash}-${sha(JSON.stringify(part)).slice(0, 16)}`, configs: part, group });
    }
  }
  return { hash, spec, configs, jobs };
}

/** Default chunk size: about 32 jobs per sweep (enough to spread over many machines), at most 25 configurations each. */
export function defaultChunkSize(configs: number): number {
  return Math.max(1, Math.min(25, Math.ceil(configs / 32)));
}

/** Run one configuration and reduce its ledger to a summary. */
export function summarizeConfig(tape: MarketTape, spec: SweepSpec, index: number, values: Record<string, number>): ConfigSummary {
  const { params, ledger } = evaluateConfig(tape, spec.base, spec.strategy, values, index);
  const windows = spec.windows.map((w) => {
    const rows = ledger.filter((r) => r.entryTime >= w.fromMs && r.entryTime < w.toMs);
    const v = objectiveValue(rows, spec.objective);
    return { trades: rows.length, objective: Number.isFinite(v) ? v : null };
  });
  const r = ledger.map(tradeReturn);
  const s = r.length > 1 ? sharpeRatio(r) : NaN;
  const { fromMs, periodMs, periods: T } = spec.period;
  // Summed in ledger order, as a dense column would be, so the sums are bit-identical to the ledger path.
  const col = new Map<number, number>();
  for (const row of ledger) {
    const t = Math.min(T - 1, Math.max(0, Math.floor((row.exitTime - fromMs) / periodMs)));
    col.set(t, (col.get(t) ?? 0) + tradeReturn(row));
  }
  return {
    index,
    params,
    windows,
    trades: r.length,
    edgePerTradeBps: r.length ? ss.mean(r) * 1e4 : null,
    sharpe: Number.isFinite(s) ? s : null,
    periods: [...col.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/** Run one job in this thread; `onConfig` is called after each configuration (progress). */
export function evaluateChunk(tape: MarketTape, spec: SweepSpec, job: SweepJob, onConfig?: (done: number) => void): ChunkResult {
  const t0 = performance.now();
  const summaries: ConfigSummary[] = [];
  for (const c of job.configs) {
    summaries.push(summarizeConfig(tape, spec, c.index, c.values));
    onConfig?.(summaries.length);
  }
  return { id: job.id, summaries, busyMs: performance.now() - t0 };
}

/** Progress of a whole sweep: configurations done out of all, fed by every worker. */
export type SweepProgress = (done: number, total: number) => void;

/** Where jobs run. The local pool and the BullMQ queue both implement it; neither reduces results. */
export interface SweepExecutor {
  /** Run every job of the plan; resolves with one result per job (any order), rejects with the first job's fatal error. */
  run(plan: SweepPlan, onProgress?: SweepProgress): Promise<ChunkResult[]>;
  /** Configurations per job this executor balances best with. */
  chunkSize(configs: number): number;
  close(): Promise<void>;
}
