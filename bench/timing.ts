/** Helpers shared by the bench scripts: process CPU time, best of k, the bare pass, sizes from the environment. */

/**
 * A trade count from environment variable `name` (else `fallback`): a whole
 * number ≥ 1, or ≥ 0 with `allowZero` (0 skips a section). Anything else ends
 * the bench with exit 2 and a one-line message naming the variable, before
 * anything is generated or written.
 */
export function tradesFromEnv(name: string, fallback: number, opts: { allowZero?: boolean } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  const min = opts.allowZero ? 0 : 1;
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench: ${name} must be a whole number ≥ ${min}, got '${raw}'\n`);
    process.exit(2);
  }
  return n;
}

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
