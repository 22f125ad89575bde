/**
 * Worker side of `runSweep`: rebuilds the shared tape once, then evaluates
 * configurations as they arrive. Its per-tape caches live as long as the
 * worker, so parameter-independent series are computed once per worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateConfig, fromSharedTape, type SharedTape } from './sweep';
import type { RunConfig } from '../config/run-config';
import { UserError } from '../util/errors';

import { loadStrategyModule } from '../strategies/plugins';

const data = workerData as { tape: SharedTape; base: RunConfig; strategy: string; modules: string[] };
for (const m of data.modules) loadStrategyModule(m);
const tape = fromSharedTape(data.tape);

parentPort!.on('message', (m: { index?: number; values?: Record<string, number>; stop?: true }) => {
  if (m.stop) {
    process.exit(0);
  }
  try {
    const result = evaluateConfig(tape, data.base, data.strategy, m.values!, m.index!);
    parentPort!.postMessage({ result });
  } catch (e) {
    parentPort!.postMessage({ error: { message: (e as Error).message, user: e instanceof UserError } });
  }
});
parentPort!.postMessage({ ready: true });
