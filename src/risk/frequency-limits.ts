import type { LimitRule } from '../core/ledger';
import type { FrequencyLimits } from '../core/rules';

export const PLAN_LIMITS: Readonly<FrequencyLimits> = Object.freeze({ perMinute: 1, perHour: 10, perDay: 50 });

const WINDOWS_MS = [60_000, 3_600_000, 86_400_000] as const;

/**
 * Rolling-window entry limits in event time (the plan's `can_trade`, without
 * its wall clock and its O(n) list rebuild).
 *
 * For a limit of N entries per window W, the entries are kept in a ring of
 * the last N entry times: a new entry is allowed iff fewer than N entries were
 * recorded, or the N-th most recent one is at least W old. That is exactly
 * "fewer than N entries in (now − W, now]", checked in O(1).
 */
export class FrequencyLimiter {
  private readonly caps: Int32Array;
  private readonly rings: Float64Array[];
  private readonly heads: Int32Array;
  private readonly counts: Int32Array;
  /** Rule index (0 minute, 1 hour, 2 day) of the last refusal. */
  lastBlockedRule = -1;

  constructor(limits: FrequencyLimits | null) {
    const l = limits ?? { perMinute: null, perHour: null, perDay: null };
    const caps = [l.perMinute, l.perHour, l.perDay].map((x) => (x === null || x === undefined ? 0 : x));
    for (const c of caps) {
      if (!Number.isInteger(c) || c < 0) throw new RangeError(`frequency limits must be non-negative integers or null, got ${c}`);
    }
    this.caps = Int32Array.from(caps);
    this.rings = caps.map((c) => new Float64Array(Math.max(1, c)));
    this.heads = new Int32Array(3);
    this.counts = new Int32Array(3);
  }

  /** True when an entry at time `t` (ms) is allowed; otherwise records which rule refused. */
  allows(t: number): boolean {
    for (let w = 0; w < 3; w++) {
      const cap = this.caps[w];
      if (cap === 0 || this.counts[w] < cap) continue;
      // ring[head] holds the oldest of the last `cap` entries.
      if (t - this.rings[w][this.heads[w]] < WINDOWS_MS[w]) {
        this.lastBlockedRule = w;
        return false;
      }
    }
    return true;
  }

  /**
   * Right after `allows(t)` refused: the refusing rule keeps refusing every
   * time t' with `t' - blockingSince() < blockingWindowMs()` (nothing is
   * recorded while refused, and the rules before it cannot start refusing
   * later), so a caller can count those decisions without asking again.
   * The engine writes the comparison exactly as `allows` does, so fractional
   * millisecond times round the same way.
   */
  blockingSince(): number {
    const w = this.lastBlockedRule;
    return this.rings[w][this.heads[w]];
  }

  blockingWindowMs(): number {
    return WINDOWS_MS[this.lastBlockedRule];
  }

  /** Record an entry at time `t` (call when the entry fills). */
  record(t: number): void {
    for (let w = 0; w < 3; w++) {
      const cap = this.caps[w];
      if (cap === 0) continue;
      this.rings[w][this.heads[w]] = t;
      this.heads[w] = (this.heads[w] + 1) % cap;
      if (this.counts[w] < cap) this.counts[w]++;
    }
  }

  static ruleName(index: number): LimitRule | null {
    return index === 0 ? 'minute' : index === 1 ? 'hour' : index === 2 ? 'day' : null;
  }
}
