/**
 * Per-tape memo for derived series. A formula that does not depend on a
 * swept parameter (VPIN when sweeping V3's `vpinEntry`, the HMM when
 * sweeping V6's `minRegimeProb`) is computed once per tape and parameter
 * set, not once per configuration. Entries die with the tape (WeakMap).
 */
const memo = new WeakMap<object, Map<string, unknown>>();

export function cachedSeries<T>(tape: object, key: string, compute: () => T): T {
  let m = memo.get(tape);
  if (!m) memo.set(tape, (m = new Map()));
  if (m.has(key)) return m.get(key) as T;
  const v = compute();
  m.set(key, v);
  return v;
}

/** A stable key for numeric parameters (sorted by name). */
export function paramKey(name: string, params: Record<string, number | undefined>): string {
  return name + '|' + Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join(',');
}

const seen = new WeakMap<object, Set<string>>();

/**
 * Marks `key` as used on `tape` and says whether it had been used before.
 * A strategy can compute a threshold-independent series straight into its
 * decisions on the first call (no extra memory), and cache the series only
 * when the same tape is run again with the same window — a sweep.
 */
export function seenBefore(tape: object, key: string): boolean {
  let s = seen.get(tape);
  if (!s) seen.set(tape, (s = new Set()));
  if (s.has(key)) return true;
  s.add(key);
  return false;
}
