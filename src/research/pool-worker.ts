/**
 * Worker thread of the local pool: maps the shared tape once, then runs
 * jobs. A `spec` message starts a sweep on a fresh tape object (its series
 * caches belong to that sweep); `job` messages run one chunk each.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { fromSharedTape, type SharedTape } from './sweep';
import type { MarketTape } from '../data/tape';
import { UserError } from '../util/errors';
import { loadStrategyModule } from '../strategies/plugins';
import { evaluateChunk, type SweepJob, type SweepSpec } from './sweep-plan';

const data = workerData as { tape: SharedTape; modules: string[] };
for (const m of data.modules) loadStrategyModule(m);
const shared = fromSharedTape(data.tape);
let tape: MarketTape = shared;
let spec: SweepSpec | null = null;

/**
 * CPU time of this thread (ms, 10 ms resolution) from /proc/thread-self/stat (Linux), read
 * synchronously so it is this thread's; null elsewhere. Unlike wall time it does not grow
 * while other processes hold the core, so it shows the work itself on a shared machine.
 */
function threadCpuMs(): number | null {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return null;
  }
}

parentPort!.on('message', (m: { spec?: SweepSpec; job?: SweepJob }) => {
  if (m.spec) {
    spec = m.spec;
    tape = { ...shared };
    return;
  }
  const job = m.job!;
  try {
    const cpu0 = threadCpuMs();
    const result = evaluateChunk(tape, spec!, job, () => parentPort!.postMessage({ progress: 1 }));
    const cpu1 = threadCpuMs();
    parentPort!.postMessage({ result, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 });
  } catch (e) {
    parentPort!.postMessage({ error: { message: (e as Error).message, user: e instanceof UserError, job: job.id } });
  }
});
parentPort!.postMessage({ ready: true });
