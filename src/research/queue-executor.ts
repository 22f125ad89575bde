/**
 * The BullMQ executor: the coordinator side of a sweep spread over machines.
 * It submits the plan's jobs to the `edgelab-sweeps` queue under their
 * idempotent ids, follows them (one progress figure fed by every worker's
 * job progress) and hands the stored results back to the one reducer.
 *
 * Faults, deliberately:
 * - A worker killed mid-job: its lock lapses (lockDuration) and another
 *   worker's stalled check (stalledInterval) puts the job back in the queue;
 *   that re-run does not use up an attempt. A job that stalls more than
 *   maxStalledCount times fails outright. These are worker options (see
 *   `edgelab worker`).
 * - A job that throws: retried up to `attempts` (3) times with a fixed
 *   backoff; after that this executor stops the sweep with the job's error,
 *   removes the sweep's jobs still waiting, and never returns a partial set.
 * - The coordinator restarted: the same sweep yields the same job ids, so
 *   completed jobs are read back instead of re-run, running ones are
 *   followed, failed ones from an earlier run are retried once more.
 * - Each configuration is in exactly one job (planner) and each job id once
 *   in the queue (BullMQ ignores a duplicate id); the reducer refuses a
 *   configuration seen twice, so DSR's trial count is the grid's size.
 * On success the sweep's jobs are removed: Redis keeps no stale results.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import IORedis from 'ioredis';
import { UserError } from '../util/errors';
import type { ChunkResult, SweepExecutor, SweepJob, SweepPlan, SweepProgress, SweepSpec } from './sweep-plan';
import { defaultChunkSize } from './sweep-plan';
import type { QueueConnection } from './redis-url';
import type { TapeRef } from './tape-ref';

export const QUEUE_NAME = 'edgelab-sweeps';

/** What a job carries: the spec, its configurations and a reference to the data — never the data. */
export interface QueueJobData {
  sweep: string;
  tape: TapeRef;
  spec: SweepSpec;
  job: SweepJob;
  modules: string[];
}

export const JOB_ATTEMPTS = 3;

/** A job failed for good (after its attempts, or stalled too often): the sweep stopped; the message names the job and its error. */
export class SweepFailedError extends Error {
  override name = 'SweepFailedError';
}

/** Check that Redis answers and accepts the credentials, with errors that name the (masked) URL. */
export async function probeRedis(conn: QueueConnection): Promise<void> {
  const r = new IORedis({ ...conn.options, enableReadyCheck: false, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 5000 });
  let cause: Error | null = null; // the socket's own error (ECONNREFUSED, WRONGPASS) beats "Connection is closed"
  r.on('error', (e: Error) => (cause ??= e));
  try {
    await r.connect();
    await r.ping();
    await r.info('server'); // BullMQ reads the server version with INFO: an ACL without +info fails here, clearly
  } catch (e) {
    const msg = conn.redact((cause ?? (e as Error)).message || String(cause ?? e));
    if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(msg)) throw new UserError(`Redis at ${conn.display} refused the credentials (${msg})`);
    if (/NOPERM/.test(msg)) throw new UserError(`Redis at ${conn.display}: the user lacks a permission (${msg}); see README "Minimal Redis ACL"`);
    throw new UserError(`cannot reach Redis at ${conn.display}: ${msg}`);
  } finally {
    r.disconnect();
  }
}

export class BullMqExecutor implements SweepExecutor {
  /** Jobs found completed in Redis when the run started (a resumed sweep). */
  resumed = 0;

  constructor(
    private readonly conn: QueueConnection,
    private readonly tape: TapeRef,
    private readonly opts: { modules?: string[]; log?: (line: string) => void; pollMs?: number } = {},
  ) {}

  chunkSize(configs: number): number {
    return defaultChunkSize(configs);
  }

  private log(line: string): void {
    this.opts.log?.(this.conn.redact(line));
  }

  async run(plan: SweepPlan, onProgress?: SweepProgress): Promise<ChunkResult[]> {
    await probeRedis(this.conn);
    const connection = this.conn.options;
    const queue = new Queue<QueueJobData, ChunkResult>(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    queue.on('error', () => {});
    events.on('error', () => {});
    try {
      await events.waitUntilReady();
      return await this.follow(plan, queue, events, onProgress);
    } catch (e) {
      if (e instanceof UserError || e instanceof SweepFailedError) throw e;
      const msg = this.conn.redact((e as Error).message);
      if (/NOPERM/.test(msg)) throw new UserError(`Redis at ${this.conn.display}: the user lacks a permission (${msg}); see README "Minimal Redis ACL"`);
      throw new Error(msg);
    } finally {
      await events.close();
      await queue.close();
    }
  }

  private async follow(plan: SweepPlan, queue: Queue<QueueJobData, ChunkResult>, events: QueueEvents, onProgress?: SweepProgress): Promise<ChunkResult[]> {
    const total = plan.configs.length;
    const sizeOf = new Map(plan.jobs.map((j) => [j.id, j.configs.length]));
    const results = new Map<string, ChunkResult>();
    const partial = new Map<string, number>();
    let fatal: Error | null = null;
    let wake: (() => void) | null = null;
    const poke = () => wake?.();
    const report = () => {
      let done = 0;
      for (const r of results.values()) done += r.summaries.length;
      for (const [id, n] of partial) if (!results.has(id)) done += n;
      onProgress?.(Math.min(done, total), total);
    };
    const take = async (id: string) => {
      if (results.has(id) || fatal) return;
      const job = await queue.getJob(id);
      if (!job) return;
      const state = await job.getState();
      if (state === 'completed' && job.returnvalue) {
        results.set(id, job.returnvalue as ChunkResult);
        report();
        poke();
      } else if (state === 'failed') {
        fatal = this.jobError(job);
        poke();
      }
    };
    events.on('progress', ({ jobId, data }) => {
      if (!sizeOf.has(jobId) || typeof data !== 'number') return;
      partial.set(jobId, data);
      report();
    });
    events.on('completed', ({ jobId }) => {
      if (sizeOf.has(jobId)) void take(jobId).catch(() => {});
    });
    events.on('failed', ({ jobId }) => {
      if (sizeOf.has(jobId)) void take(jobId).catch(() => {});
    });

    // Submit, or pick up what an earlier coordinator of the same sweep left.
    const toAdd: SweepJob[] = [];
    for (const j of plan.jobs) {
      const existing = await queue.getJob(j.id);
      if (!existing) {
        toAdd.push(j);
        continue;
      }
      const state = await existing.getState();
      if (state === 'completed' && existing.returnvalue) {
        results.set(j.id, existing.returnvalue as ChunkResult);
        this.resumed++;
      } else if (state === 'failed') {
        this.log(`retrying job ${j.id}, which failed in an earlier run: ${existing.failedReason}`);
        await existing.retry('failed');
      }
    }
    if (this.resumed) this.log(`resumed sweep ${plan.hash}: ${this.resumed} of ${plan.jobs.length} jobs already done in Redis`);
    await queue.addBulk(
      toAdd.map((j) => ({
        name: 'chunk',
        data: { sweep: plan.hash, tape: this.tape, spec: plan.spec, job: j, modules: this.opts.modules ?? [] },
        opts: { jobId: j.id, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
      })),
    );
    this.log(`sweep ${plan.hash}: ${plan.jobs.length} jobs (${total} configurations) on queue ${QUEUE_NAME} at ${this.conn.display}`);
    report();

    // Follow: events wake us; a slow poll covers events missed while (re)connecting.
    const pollMs = this.opts.pollMs ?? 2000;
    const t0 = performance.now();
    let hinted = false;
    while (results.size < plan.jobs.length && !fatal) {
      if (!hinted && results.size === this.resumed && partial.size === 0 && performance.now() - t0 > 20_000) {
        hinted = true; // a coordinator with no worker waits silently otherwise
        this.log(`no worker has taken a job in 20 s; start one: edgelab worker --queue ${this.conn.display}`);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, pollMs);
      });
      wake = null;
      if (fatal) break;
      for (const j of plan.jobs) {
        if (fatal) break;
        if (!results.has(j.id)) await take(j.id);
      }
    }
    if (fatal) {
      await this.removeWaiting(queue, plan);
      throw fatal;
    }
    // Done: the results are in memory; leave nothing of this sweep in Redis.
    for (const j of plan.jobs) await (await queue.getJob(j.id))?.remove().catch(() => {});
    return plan.jobs.map((j) => results.get(j.id)!);
  }

  private jobError(job: Job): Error {
    const reason = this.conn.redact(job.failedReason ?? 'no reason recorded');
    const msg = `sweep stopped: job ${job.id} failed (${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'}): ${reason}`;
    // Prefixes set by queue-processor.ts (not imported: that module is the worker thread's entry).
    if (reason.startsWith('refused') || reason.startsWith('invalid: ')) return new UserError(msg);
    return new SweepFailedError(msg);
  }

  private async removeWaiting(queue: Queue<QueueJobData, ChunkResult>, plan: SweepPlan): Promise<void> {
    for (const j of plan.jobs) {
      const job = await queue.getJob(j.id).catch(() => undefined);
      if (!job) continue;
      const state = await job.getState().catch(() => 'unknown');
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await job.remove().catch(() => {});
    }
  }

  async close(): Promise<void> {}
}
