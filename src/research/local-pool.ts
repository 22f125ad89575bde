/**
 * The default sweep executor: worker threads on this machine. The tape is
 * handed to the workers once as SharedArrayBuffers (no copy per worker, none
 * at all when its columns already live in shared memory) and the pool can
 * run several sweeps on the same threads. Each run starts every worker on a
 * fresh tape object, so series caches live for one sweep (a benchmark's runs
 * stay cold) while the JIT stays warm.
 *
 * Scheduling: jobs sharing a series (same group) go to the same worker while
 * untouched groups remain; then a free worker takes the largest unstarted
 * group, then helps with the largest group still running — neither core
 * idles while a job is waiting.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { MarketTape } from '../data/tape';
import { packageRoot } from '../util/package-root';
import { UserError } from '../util/errors';
import { AffinityScheduler, toSharedTape, type SharedTape } from './sweep';
import { evaluateChunk, type ChunkResult, type SweepExecutor, type SweepPlan, type SweepProgress } from './sweep-plan';

export interface PoolWorkerStats {
  worker: number;
  /** Time spent computing jobs in the last run (ms, wall clock). */
  busyMs: number;
  /** CPU time the thread used on them (ms; Linux only, else null): the work itself, whoever else shares the core. */
  cpuMs: number | null;
  jobs: number;
  configs: number;
}

type FromWorker =
  | { ready: true }
  | { progress: number }
  | { result: ChunkResult; cpuMs: number | null }
  | { error: { message: string; user: boolean; job: string } };

function poolScript(): string | null {
  const f = path.join(packageRoot(), 'dist', 'src', 'research', 'pool-worker.js');
  return fs.existsSync(f) ? f : null;
}

export class LocalPool implements SweepExecutor {
  readonly workers: number;
  private readonly modules: string[];
  private readonly inProcess: boolean;
  private threads: Worker[] = [];
  private shared: SharedTape | null = null;
  /** Per-worker busy time of the last run. */
  stats: PoolWorkerStats[] = [];

  constructor(
    private readonly tape: MarketTape,
    opts: { workers?: number; modules?: string[]; inProcess?: boolean } = {},
  ) {
    this.workers = Math.max(1, opts.workers ?? os.availableParallelism());
    this.modules = opts.modules ?? [];
    // One worker runs in this thread by default (strategies registered only here keep working); a benchmark asks for a thread.
    this.inProcess = opts.inProcess ?? this.workers === 1;
  }

  /** A job is one postMessage here, so one configuration per job balances best. */
  chunkSize(): number {
    return 1;
  }

  private async start(n: number): Promise<void> {
    const script = poolScript();
    if (!script) return;
    this.shared ??= toSharedTape(this.tape);
    while (this.threads.length < n) {
      const w = new Worker(script, { workerData: { tape: this.shared, modules: this.modules } });
      await new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      });
      this.threads.push(w);
    }
  }

  async run(plan: SweepPlan, onProgress?: SweepProgress): Promise<ChunkResult[]> {
    const total = plan.configs.length;
    const n = Math.min(this.workers, plan.jobs.length);
    if (!this.inProcess) await this.start(n);
    if (this.inProcess || this.threads.length < n) return this.runHere(plan, onProgress);

    const groups = [...new Set(plan.jobs.map((j) => j.group))];
    const scheduler = new AffinityScheduler(
      plan.jobs.map((j) => ({ g: groups.indexOf(j.group) })),
      groups.length > 1 ? ['g'] : [],
    );
    this.stats = this.threads.slice(0, n).map((_, w) => ({ worker: w, busyMs: 0, cpuMs: 0 as number | null, jobs: 0, configs: 0 }));
    const results: ChunkResult[] = [];
    let done = 0;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const cleanups: (() => void)[] = [];
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        if (err) {
          // A failed sweep leaves threads mid-job: drop them, the next run starts fresh ones.
          for (const t of this.threads) void t.terminate();
          this.threads = [];
          reject(err);
        } else resolve();
      };
      for (let w = 0; w < n; w++) {
        const t = this.threads[w];
        const feed = () => {
          const k = scheduler.next(w);
          if (k >= 0) t.postMessage({ job: plan.jobs[k] });
          else if (results.length === plan.jobs.length) finish();
        };
        const onMessage = (m: FromWorker) => {
          if (settled) return;
          if ('error' in m) return finish(m.error.user ? new UserError(m.error.message) : new Error(`job ${m.error.job}: ${m.error.message}`));
          if ('progress' in m) {
            done += m.progress;
            onProgress?.(done, total);
            return;
          }
          if ('result' in m) {
            results.push(m.result);
            const s = this.stats[w];
            s.busyMs += m.result.busyMs;
            s.cpuMs = s.cpuMs === null || m.cpuMs === null ? null : s.cpuMs + m.cpuMs;
            s.jobs++;
            s.configs += m.result.summaries.length;
            feed();
          }
        };
        const onError = (e: Error) => finish(e);
        const onExit = (code: number) => finish(new Error(`sweep worker ${w} exited (code ${code}) mid-sweep`));
        t.on('message', onMessage);
        t.on('error', onError);
        t.on('exit', onExit);
        cleanups.push(() => {
          t.off('message', onMessage);
          t.off('error', onError);
          t.off('exit', onExit);
        });
        t.postMessage({ spec: plan.spec });
        feed();
      }
    });
    return results;
  }

  private runHere(plan: SweepPlan, onProgress?: SweepProgress): ChunkResult[] {
    const total = plan.configs.length;
    const tape = { ...this.tape }; // fresh caches, as a worker's run gets
    let done = 0;
    const results = plan.jobs.map((job) =>
      evaluateChunk(tape, plan.spec, job, () => {
        done++;
        onProgress?.(done, total);
      }),
    );
    this.stats = [{ worker: 0, busyMs: results.reduce((s, r) => s + r.busyMs, 0), cpuMs: null, jobs: results.length, configs: total }];
    return results;
  }

  async close(): Promise<void> {
    const ts = this.threads;
    this.threads = [];
    await Promise.all(ts.map((t) => t.terminate()));
  }
}
