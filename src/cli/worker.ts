/**
 * `edgelab worker --queue redis://…`: runs calibration sweep jobs from the
 * BullMQ queue on this machine until stopped (SIGINT/SIGTERM: finishes the
 * jobs it holds, then exits). Each job runs in a worker thread (BullMQ's
 * sandboxed processor with useWorkerThreads), so the main thread keeps
 * renewing job locks however long a backtest takes.
 *
 * Stall settings and why:
 * - lockDuration 30 s: the lock is renewed every 15 s by a thread that never
 *   computes, so it only has to outlast a GC pause or a slow Redis round
 *   trip, not a job. Shorter means a killed worker's job is re-run sooner.
 * - stalledInterval 15 s: how often this worker looks for jobs whose lock
 *   lapsed (a worker killed or cut off). A dead worker's job is back in the
 *   queue within lockDuration + stalledInterval ≤ 45 s; re-running it does
 *   not use up one of its attempts.
 * - maxStalledCount 2: a job may lose its worker twice (a machine rebooted,
 *   a preempted VM); the third time it fails outright — the sweep stops with
 *   that job named rather than killing worker after worker (a tape too big
 *   for a machine's memory would do that).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { packageRoot } from '../util/package-root';
import { parseQueueUrl } from '../research/redis-url';
import { probeRedis, QUEUE_NAME } from '../research/queue-executor';

const USAGE =
  'edgelab worker --queue redis://[user:password@]host:port [--concurrency <n>] [--data-dir <dir>] [--name <name>] ' +
  '[--lock-duration <ms>] [--stalled-interval <ms>] [--max-stalled <n>] [--quiet]';

export const STALL_DEFAULTS = { lockDuration: 30_000, stalledInterval: 15_000, maxStalledCount: 2 };

export const workerCommand: Command = {
  summary: 'Run calibration sweep jobs from a Redis queue (BullMQ) on this machine, next to any number of other workers.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        'data-dir': { type: 'string' },
        name: { type: 'string' },
        'lock-duration': { type: 'string' },
        'stalled-interval': { type: 'string' },
        'max-stalled': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const conn = parseQueueUrl(required(v, 'queue', USAGE));
    const concurrency = numberFlag(v, 'concurrency', os.availableParallelism(), { min: 1, max: 256, integer: true, unit: 'threads' });
    const lockDuration = numberFlag(v, 'lock-duration', STALL_DEFAULTS.lockDuration, { min: 100, integer: true, unit: 'ms' });
    const stalledInterval = numberFlag(v, 'stalled-interval', STALL_DEFAULTS.stalledInterval, { min: 100, integer: true, unit: 'ms' });
    const maxStalledCount = numberFlag(v, 'max-stalled', STALL_DEFAULTS.maxStalledCount, { min: 0, integer: true, unit: 'stalls' });
    const name = v.name ?? `${os.hostname()}-${process.pid}`;
    const log = (line: string) => {
      if (!v.quiet) process.stderr.write(`worker ${name}: ${conn.redact(line)}\n`);
    };
    await probeRedis(conn);
    // Read by the processor threads (they get a copy of this environment when they start).
    process.env.EDGELAB_WORKER_NAME = name;
    if (v['data-dir']) process.env.EDGELAB_WORKER_DATA_DIR = path.resolve(v['data-dir']);
    else delete process.env.EDGELAB_WORKER_DATA_DIR;

    const { Worker } = await import('bullmq');
    const processor = path.join(packageRoot(), 'dist', 'src', 'research', 'queue-processor.js');
    const worker = new Worker(QUEUE_NAME, processor, {
      connection: conn.options,
      concurrency,
      useWorkerThreads: true,
      lockDuration,
      stalledInterval,
      maxStalledCount,
      name,
    });
    worker.on('error', (e) => log(`error: ${e.message}`));
    worker.on('active', (job) => {
      const n = (job.data as { job: { configs: unknown[] } }).job.configs.length;
      log(`active job ${job.id} (${n} configuration${n === 1 ? '' : 's'}, attempt ${job.attemptsStarted})`);
    });
    worker.on('completed', (job) => log(`completed job ${job.id}`));
    worker.on('failed', (job, err) => log(`failed job ${job?.id ?? '?'}: ${err.message}`));
    worker.on('stalled', (id) => log(`job ${id} stalled (its worker stopped renewing the lock); back in the queue`));
    await worker.waitUntilReady();
    log(
      `listening on ${conn.display} queue ${QUEUE_NAME}, concurrency ${concurrency}, ` +
        `lockDuration ${lockDuration} ms, stalledInterval ${stalledInterval} ms, maxStalledCount ${maxStalledCount}` +
        (v['data-dir'] ? `, data from ${path.resolve(v['data-dir'])}` : ''),
    );
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        log(`${sig}: finishing the jobs held, then exiting`);
        void worker.close().then(resolve, resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    log('stopped');
    return 0;
  },
};
