/**
 * When a time exit becomes due: at the first print whose time since the
 * entry is at least the maximum hold (and the minimum hold: a time exit
 * never cuts a hold short).
 */

/** True when a position entered at `entryTime` is due a time exit at a print at `t` (afterMs = max(maxHold, minHold)). */
export function timeExitDue(t: number, entryTime: number, afterMs: number): boolean {
  return t - entryTime >= afterMs;
}

/**
 * The first row j in [from, to) at which the time exit is due, or `to`.
 * Tape times are non-decreasing (src/data/tape.ts), so a caller that knows
 * the exit is not due at row to − 1 need not call this at all: the tick
 * engine reads one time per block of prints and calls this only for the
 * block where it becomes due.
 */
export function timeExitRow(time: Float64Array, from: number, to: number, entryTime: number, afterMs: number): number {
  let j = from;
  while (j < to && !(time[j] - entryTime >= afterMs)) j++;
  return j;
}
