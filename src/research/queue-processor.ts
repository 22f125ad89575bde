/**
 * BullMQ's sandboxed processor for sweep jobs, run in a worker thread of
 * `edgelab worker` (useWorkerThreads: the CPU-bound backtests never block the
 * worker's lock renewal, and a kill -9 of the worker takes its threads with
 * it — no orphaned child). The thread is reused across jobs: it keeps the
 * loaded tape and, per sweep, one tape object whose series caches the
 * sweep's chunks share.
 */
import * as os from 'node:os';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import type { MarketTape } from '../data/tape';
import { loadData } from '../data/load';
import { loadStrategyModule } from '../strategies/plugins';
import { UserError } from '../util/errors';
import { evaluateChunk, type ChunkResult } from './sweep-plan';
import { resolveTapeRef } from './tape-ref';
import type { QueueJobData } from './queue-executor';

let loaded: { hash: string; tape: MarketTape } | null = null;
let sweepTape: { sweep: string; tape: MarketTape } | null = null;
const modules = new Set<string>();

/** Refusals start with this, so the coordinator can tell a data mismatch from a crash. */
export const REFUSED = 'refused';
/** A user error (bad parameter) raised while computing. */
export const INVALID = 'invalid';

export default async function process(job: SandboxedJob<QueueJobData, ChunkResult>): Promise<ChunkResult> {
  const d = job.data;
  const worker = globalThis.process.env.EDGELAB_WORKER_NAME ?? `${os.hostname()}-${globalThis.process.pid}`;
  const where = resolveTapeRef(d.tape, globalThis.process.env.EDGELAB_WORKER_DATA_DIR || undefined);
  if (!where.ok) {
    // Unrecoverable: no retry on this or any worker — the sweep stops and says which worker holds what.
    throw new UnrecoverableError(`${REFUSED}: worker ${worker} refused job ${job.id}: ${where.reason}; it computed nothing`);
  }
  for (const m of d.modules) {
    if (!modules.has(m)) {
      loadStrategyModule(m);
      modules.add(m);
    }
  }
  if (!loaded || loaded.hash !== d.tape.hash) {
    const r = loadData(where.files.length === 1 ? where.files[0] : where.files);
    if (r.tape.kind === 'quotes') throw new UnrecoverableError(`${where.files.join(', ')}: quotes only; a sweep needs trades or bars`);
    loaded = { hash: d.tape.hash, tape: r.tape };
    sweepTape = null;
  }
  if (!sweepTape || sweepTape.sweep !== d.sweep) sweepTape = { sweep: d.sweep, tape: { ...loaded.tape } };
  try {
    return evaluateChunk(sweepTape.tape, d.spec, d.job, (done) => void job.updateProgress(done));
  } catch (e) {
    // A bad parameter fails the same way on every machine: no retries, and the coordinator shows it as the user's error.
    if (e instanceof UserError) throw new UnrecoverableError(`${INVALID}: ${e.message}`);
    throw e;
  }
}
