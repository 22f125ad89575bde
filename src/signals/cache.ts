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
