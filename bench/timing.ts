/** Timing helpers shared by the bench scripts (process CPU time, best of k, the bare pass). */

/**
 * Milliseconds of this process's CPU time spent in `f`. Every timed section
 * here is single-threaded, so on a quiet machine this equals wall time; on a
 * machine shared with other jobs it leaves out the time the process sat
 * waiting for a core, which wall time would add at random. (The sweep
 * section uses worker threads and keeps wall time: bench/sweep.ts.)
 */
export function cpuMs(f: () => unknown): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

export function bestOf<T>(reps: number, f: () => T): { ms: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < reps; r++) {
    const ms = cpuMs(() => (value = f()));
    if (ms < best) best = ms;
  }
  return { ms: best, value };
}

/** The bare pass every figure is set against: a sum over one Float64 column. */
export function barePass(price: Float64Array): number {
  let s = 0;
  for (let i = 0; i < price.length; i++) s += price[i];
  return s;
}
