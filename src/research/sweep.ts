/**
 * Parameter sweeps: every configuration is one full causal backtest of one
 * strategy over the whole tape, run on all cores (worker threads), reporting
 * progress through `onProgress(done, total)` (the CLI renders it with
 * cli/progress.ts: bar, rate, ETA). Workers share the tape through SharedArrayBuffers (no
 * copy per worker) and keep their per-tape caches, so a series that does not
 * depend on the swept parameter (VPIN, the HMM, a sampled grid) is computed
 * once per worker, not once per configuration.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import type { LedgerRow } from '../core/ledger';
import { executionContext, runStrategyTrades } from '../run/run';
import { specFor, type RunConfig } from '../config/run-config';
import { checkValue } from '../core/param-check';
import { packageRoot } from '../util/package-root';
import { UserError } from '../util/errors';
import { getStrategy } from '../strategies/registry';

export interface SweepParam {
  name: string;
  values: number[];
}

/**
 * Parse `name=from:to:step` (inclusive grid) or `name=a,b,c`.
 * @example parseParamRange('zEntry=2:3:0.5') // => { name: 'zEntry', values: [2, 2.5, 3] }
 */
export function parseParamRange(spec: string): SweepParam {
  const m = /^([A-Za-z][A-Za-z0-9_]*)=(.+)$/.exec(spec.trim());
  if (!m) throw new UserError(`--param '${spec}': expected name=from:to:step or name=a,b,c`);
  const [, name, body] = m;
  const num = (s: string) => {
    const x = Number(s);
    if (s.trim() === '' || !Number.isFinite(x)) throw new UserError(`--param ${name}: '${s}' is not a number`);
    return x;
  };
  if (body.includes(':')) {
    const parts = body.split(':');
    if (parts.length !== 3) throw new UserError(`--param ${name}: expected from:to:step, got '${body}'`);
    const [from, to, step] = parts.map(num);
    if (!(step > 0)) throw new UserError(`--param ${name}: step must be > 0`);
    if (to < from) throw new UserError(`--param ${name}: to (${to}) < from (${from})`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > 100_000) throw new UserError(`--param ${name}: ${count} values is too many`);
    // Round to the step's decimals so 0.1 + 0.2 style drift does not leak into names.
    const dec = Math.min(12, (String(step).split('.')[1] ?? '').length + (String(from).split('.')[1] ?? '').length);
    return { name, values: Array.from({ length: count }, (_, k) => Number((from + k * step).toFixed(dec))) };
  }
  return { name, values: body.split(',').map(num) };
}

/** Cartesian product of the parameter values, in a stable order. */
export function gridConfigs(params: readonly SweepParam[]): Record<string, number>[] {
  let out: Record<string, number>[] = [{}];
  for (const p of params) {
    const next: Record<string, number>[] = [];
    for (const c of out) for (const v of p.values) next.push({ ...c, [p.name]: v });
    out = next;
  }
  return out;
}

/** Compact result of one configuration: its parameters and full-tape ledger. */
export interface ConfigResult {
  index: number;
  params: Record<string, number>;
  ledger: LedgerRow[];
}

/** Rules a sweep may vary besides the strategy's own parameters. */
export const SWEEPABLE_RULES = ['stopPct', 'targetPct', 'maxHoldMs', 'minHoldMs', 'minConfirmations'] as const;

/**
 * Refuse a sweep before any work starts: every value of every swept
 * parameter goes through the one parameter check against the strategy's
 * declared spec (or the rule's), so no configuration runs with a value a
 * backtest would refuse. A random search samples from these same values.
 */
export function checkSweepParams(strategyId: string, params: readonly SweepParam[]): void {
  const strat = getStrategy(strategyId);
  for (const p of params) {
    const spec = (SWEEPABLE_RULES as readonly string[]).includes(p.name) ? specFor(strategyId, p.name) : strat.params[p.name];
    if (!spec) {
      throw new UserError(
        `--param ${p.name}: not a parameter of ${strategyId} (parameters: ${Object.keys(strat.params).join(', ')}; rules: ${SWEEPABLE_RULES.join(', ')})`,
      );
    }
    for (const v of p.values) checkValue(v, spec, `--param ${p.name}=${v}`, strategyId);
  }
}

/** Apply swept values on top of a resolved config (strategy params or rule keys). */
export function configWith(base: RunConfig, strategy: string, values: Record<string, number>): RunConfig {
  const st = base.strategies[strategy];
  const params = { ...st.params };
  const rules = { ...st.rules, limits: st.rules.limits ? { ...st.rules.limits } : null };
  const confirmation = { ...st.confirmation };
  for (const [k, v] of Object.entries(values)) {
    if (k in params) params[k] = v;
    else if (k === 'stopPct' || k === 'targetPct' || k === 'maxHoldMs') rules[k] = v;
    else if (k === 'minHoldMs') rules.minHoldMs = v;
    else if (k === 'minConfirmations') confirmation.minConfirmations = v;
    else throw new UserError(`cannot sweep '${k}': not a parameter of ${strategy} (parameters: ${Object.keys(params).join(', ')}; or stopPct, targetPct, maxHoldMs, minHoldMs, minConfirmations)`);
  }
  return { ...base, strategies: { [strategy]: { params, rules, confirmation } } };
}

/** Run one configuration in this thread. */
export function evaluateConfig(tape: MarketTape, base: RunConfig, strategy: string, values: Record<string, number>, index: number): ConfigResult {
  const config = configWith(base, strategy, values);
  const settings = config.strategies[strategy];
  // Ledger only: metrics are computed by the caller per walk-forward window, not per run.
  const { ledger } = runStrategyTrades(tape, strategy, settings, executionContext(tape, config));
  return { index, params: { ...settings.params, ...values }, ledger };
}

// ---- worker plumbing ----

type ColumnName = 'time' | 'price' | 'amount' | 'side' | 'id' | 'open' | 'high' | 'low' | 'close' | 'volume';

export interface SharedTape {
  kind: 'trades' | 'bars';
  length: number;
  timeframeMs?: number;
  source: MarketTape['source'];
  columns: Partial<Record<ColumnName, { buffer: SharedArrayBuffer; type: 'f64' | 'i8' }>>;
}

function share(a: Float64Array | Int8Array): { buffer: SharedArrayBuffer; type: 'f64' | 'i8' } {
  const type = a instanceof Float64Array ? 'f64' : 'i8';
  // A column already in shared memory (whole buffer) is handed over as is: no copy at all.
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return { buffer: a.buffer, type };
  const sab = new SharedArrayBuffer(a.byteLength);
  if (a instanceof Float64Array) new Float64Array(sab).set(a);
  else new Int8Array(sab).set(a);
  return { buffer: sab, type: a instanceof Float64Array ? 'f64' : 'i8' };
}

export function toSharedTape(tape: MarketTape): SharedTape {
  if (tape.kind === 'trades') {
    return {
      kind: 'trades',
      length: tape.length,
      source: tape.source,
      columns: { time: share(tape.time), price: share(tape.price), amount: share(tape.amount), side: share(tape.side), ...(tape.id ? { id: share(tape.id) } : {}) },
    };
  }
  return {
    kind: 'bars',
    length: tape.length,
    timeframeMs: tape.timeframeMs,
    source: tape.source,
    columns: { time: share(tape.time), open: share(tape.open), high: share(tape.high), low: share(tape.low), close: share(tape.close), volume: share(tape.volume) },
  };
}

export function fromSharedTape(s: SharedTape): MarketTape {
  const f = (c: ColumnName) => new Float64Array(s.columns[c]!.buffer);
  if (s.kind === 'trades') {
    const t: TradeTape = {
      kind: 'trades',
      length: s.length,
      time: f('time'),
      price: f('price'),
      amount: f('amount'),
      side: new Int8Array(s.columns.side!.buffer),
      id: s.columns.id ? f('id') : undefined,
      source: s.source,
    };
    return t;
  }
  const b: BarTape = {
    kind: 'bars',
    length: s.length,
    time: f('time'),
    open: f('open'),
    high: f('high'),
    low: f('low'),
    close: f('close'),
    volume: f('volume'),
    timeframeMs: s.timeframeMs!,
    source: s.source,
  };
  return b;
}

export interface SweepOptions {
  /** Worker threads; 1 runs in this thread. Default: available cores. */
  workers?: number;
  /** User strategy modules (`--module`) each worker must load too. */
  modules?: string[];
  onProgress?: (done: number, total: number) => void;
}

function workerScript(): string | null {
  const f = path.join(packageRoot(), 'dist', 'src', 'research', 'sweep-worker.js');
  return fs.existsSync(f) ? f : null;
}

/**
 * Evaluate every configuration; results come back in configuration order.
 * Uses worker threads when more than one worker is asked for and the built
 * worker script exists (dist/); otherwise runs in this thread.
 */
export async function runSweep(
  tape: MarketTape,
  base: RunConfig,
  strategy: string,
  configs: Record<string, number>[],
  opts: SweepOptions = {},
): Promise<ConfigResult[]> {
  const total = configs.length;
  const nWorkers = Math.max(1, Math.min(opts.workers ?? os.availableParallelism(), total));
  const script = workerScript();
  const results: ConfigResult[] = new Array(total);
  if (nWorkers === 1 || !script) {
    for (let k = 0; k < total; k++) {
      results[k] = evaluateConfig(tape, base, strategy, configs[k], k);
      opts.onProgress?.(k + 1, total);
    }
    return results;
  }
  const shared = toSharedTape(tape);
  const scheduler = new AffinityScheduler(configs, seriesParams(strategy, configs));
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let failed = false;
    const finish = (err?: Error) => {
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    for (let w = 0; w < nWorkers; w++) {
      const worker = new Worker(script, { workerData: { tape: shared, base, strategy, modules: opts.modules ?? [] } });
      workers.push(worker);
      const feed = () => {
        const k = scheduler.next(w);
        if (k >= 0) worker.postMessage({ index: k, values: configs[k] });
        else worker.postMessage({ stop: true });
      };
      worker.on('message', (m: { ready?: true; result?: ConfigResult; error?: { message: string; user: boolean } }) => {
        if (failed) return;
        if (m.error) {
          failed = true;
          finish(m.error.user ? new UserError(m.error.message) : new Error(m.error.message));
          return;
        }
        if (m.result) {
          results[m.result.index] = m.result;
          done++;
          opts.onProgress?.(done, total);
          if (done === total) {
            finish();
            return;
          }
        }
        feed();
      });
      worker.on('error', (e) => {
        if (!failed) {
          failed = true;
          finish(e);
        }
      });
    }
  });
  return results;
}

/** The swept parameters that change a computed series (ParamSpec.series), for the scheduler. */
function seriesParams(strategy: string, configs: readonly Record<string, number>[]): string[] {
  let spec: Record<string, { series?: boolean }> = {};
  try {
    spec = getStrategy(strategy).params as Record<string, { series?: boolean }>;
  } catch {
    /* unknown here (a worker-only module): no affinity */
  }
  const names = new Set<string>();
  for (const c of configs) for (const k of Object.keys(c)) if (spec[k]?.series) names.add(k);
  return [...names];
}

/**
 * Hands configurations to workers so that those sharing the values of every
 * series parameter (a window, a sampling interval) go to the same worker:
 * each worker then computes a series once and reuses it from its cache. A
 * worker finishes its group, then takes the largest untouched group, then
 * helps with the largest group still running (so no worker idles at the end).
 */
export class AffinityScheduler {
  private readonly groups: number[][];
  private readonly started: boolean[];
  private readonly current = new Map<number, number>();

  constructor(configs: readonly Record<string, number>[], seriesKeys: readonly string[]) {
    const byKey = new Map<string, number[]>();
    configs.forEach((c, k) => {
      const key = seriesKeys.map((n) => `${n}=${c[n]}`).join('|');
      const g = byKey.get(key);
      if (g) g.push(k);
      else byKey.set(key, [k]);
    });
    // Without series parameters every configuration is its own group (plain dynamic scheduling).
    this.groups = seriesKeys.length ? [...byKey.values()] : configs.map((_, k) => [k]);
    for (const g of this.groups) g.reverse(); // pop() then takes them in order
    this.started = this.groups.map(() => false);
  }

  /** Next configuration index for `worker`, or −1 when all are handed out. */
  next(worker: number): number {
    const cur = this.current.get(worker);
    if (cur !== undefined && this.groups[cur].length) return this.groups[cur].pop()!;
    let pick = -1;
    for (let g = 0; g < this.groups.length; g++) {
      if (!this.started[g] && this.groups[g].length && (pick < 0 || this.groups[g].length > this.groups[pick].length)) pick = g;
    }
    if (pick < 0) {
      for (let g = 0; g < this.groups.length; g++) if (this.groups[g].length && (pick < 0 || this.groups[g].length > this.groups[pick].length)) pick = g;
    }
    if (pick < 0) return -1;
    this.started[pick] = true;
    this.current.set(worker, pick);
    return this.groups[pick].pop()!;
  }
}
