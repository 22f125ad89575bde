/**
 * Worker thread of the local pool: maps the shared tape once, then runs
 * jobs. A `spec` message starts a sweep on a fresh tape object (its series
 * caches belong to that sweep); `job` messages run one chunk each.
 */
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

parentPort!.on('message', (m: { spec?: SweepSpec; job?: SweepJob }) => {
  if (m.spec) {
    spec = m.spec;
    tape = { ...shared };
    return;
  }
  const job = m.job!;
  try {
    const result = evaluateChunk(tape, spec!, job, () => parentPort!.postMessage({ progress: 1 }));
    parentPort!.postMessage({ result });
  } catch (e) {
    parentPort!.postMessage({ error: { message: (e as Error).message, user: e instanceof UserError, job: job.id } });
  }
});
parentPort!.postMessage({ ready: true });
