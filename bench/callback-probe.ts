/**
 * What a per-row strategy callback would give the same rule (issue 12 names
 * "a decision array that could be a callback the JIT inlines"). Part of
 * `npm run bench:floor`; a probe for planning, not a proposed engine.
 *
 * The probe loop is bench/same-rule.ts's fused loop with the rolling
 * imbalance moved into a user object whose `step(i)` is called on every
 * print (its window must see every print, flat or not) and returns the
 * decision. The engine's other work is left out (no frequency limiter
 * beyond the 60 s spacing, no minimum hold, no fee or slippage models, no
 * ledger), so the probe is an upper bound on what the API could reach.
 * Three cases:
 *  - monomorphic: the only class that ever went through the loop;
 *  - after four other strategy classes went through the same loop (a
 *    notebook or a report running several strategies): the call site is
 *    megamorphic and V8 stops inlining `step`;
 *  - one copy of the loop per class (the same source compiled again, with
 *    its own type feedback).
 * Every case must give the fused loop's round trips and P&L, or it is marked.
 */
import { RULE, fusedWay } from './same-rule';
import type { TradeTape } from '../src/data/tape';
import { cpuMs } from './timing';

interface RowStrategy {
  step(i: number): number;
}

class V1LikeStream implements RowStrategy {
  private signed = 0;
  private total = 0;
  private readonly W = RULE.windowTrades;
  private readonly thr = RULE.threshold;
  constructor(
    private readonly amount: Float64Array,
    private readonly side: Int8Array,
  ) {}
  step(i: number): number {
    const W = this.W;
    const a = this.amount[i];
    this.signed += this.side[i] * a;
    this.total += a;
    if (i >= W) {
      const b = this.amount[i - W];
      this.signed -= this.side[i - W] * b;
      this.total -= b;
    }
    if (i < W - 1) return 0;
    const imb = this.signed / this.total;
    return imb > this.thr ? 1 : imb < -this.thr ? -1 : 0;
  }
}

/** Four other shapes of strategy object, only there to make the call site see several classes. */
const OTHERS: ((t: TradeTape) => RowStrategy)[] = [
  (t) => new (class implements RowStrategy { private x = 0; step(i: number) { this.x = this.x * 0.9 + t.price[i] * 0.1; return t.price[i] > this.x * 1.001 ? 1 : 0; } })(),
  (t) => new (class implements RowStrategy { private k = 0; step(i: number) { this.k += t.side[i]; return this.k > 50 ? 1 : this.k < -50 ? -1 : 0; } })(),
  (t) => new (class implements RowStrategy { private m = 0; step(i: number) { this.m = Math.max(this.m * 0.99, t.amount[i]); return t.amount[i] > 0.9 * this.m ? -1 : 0; } })(),
  (t) => new (class implements RowStrategy { step(i: number) { return t.time[i] % 1000 < 2 ? 1 : 0; } })(),
];

type ProbeLoop = (tape: TradeTape, s: RowStrategy, rule: typeof RULE) => { count: number; pnl: number };

function probeLoop(tape: TradeTape, s: RowStrategy, rule: typeof RULE): { count: number; pnl: number } {
  const { time, price } = tape;
  const n = tape.length;
  const stopF = rule.stopPct / 100;
  const targetF = rule.targetPct / 100;
  const EPS = 1e-12;
  let count = 0;
  let pnl = 0;
  let pos = 0;
  let pending = 0;
  let lastEntry = -Infinity;
  let entryT = 0;
  let entryP = 0;
  let qty = 0;
  let entryFee = 0;
  let stopTrig = 0;
  let target = 0;
  let targetTrig = 0;
  for (let i = 0; i < n; i++) {
    const e = s.step(i);
    if (pending !== 0) {
      pos = pending;
      pending = 0;
      entryT = time[i];
      entryP = price[i];
      lastEntry = entryT;
      qty = rule.notional / entryP;
      entryFee = entryP * qty * rule.feeRate;
      target = entryP * (1 + pos * targetF);
      stopTrig = entryP * (1 - pos * stopF) * (1 + pos * EPS);
      targetTrig = target * (1 + pos * EPS);
      continue;
    }
    if (pos !== 0) {
      const p = price[i];
      let r = 0;
      let x = p;
      if (pos > 0 ? p <= stopTrig : p >= stopTrig) r = 1;
      else if (pos > 0 ? p > targetTrig : p < targetTrig) {
        r = 2;
        x = target;
      } else if (time[i] - entryT >= rule.maxHoldMs) r = 3;
      if (r === 0) continue;
      pnl += pos * (x - entryP) * qty - entryFee - x * qty * rule.feeRate;
      count++;
      pos = 0;
    }
    if (e !== 0 && time[i] - lastEntry >= rule.minSpacingMs) pending = e;
  }
  if (pos !== 0) {
    const x = price[n - 1];
    pnl += pos * (x - entryP) * qty - entryFee - x * qty * rule.feeRate;
    count++;
  }
  return { count, pnl };
}

/** A fresh copy of the probe loop: the same source compiled again, with type feedback of its own (it has no free variables: the rule comes in as an argument). */
function freshCopy(): ProbeLoop {
  return new Function(`return ${probeLoop.toString()}`)() as ProbeLoop;
}

export interface ProbeRow {
  fusedMs: number;
  callbackMs: number;
  ratio: number;
  identical: boolean;
}

export function callbackProbe(tape: TradeTape, reps: number): Record<'monomorphic' | 'afterFourOtherClasses' | 'oneLoopCopyPerClass', ProbeRow> {
  const fused = fusedWay(tape);
  let fusedPnl = 0;
  for (let k = 0; k < fused.count; k++) fusedPnl += fused.netPnl[k];
  const mine = () => new V1LikeStream(tape.amount, tape.side);
  const measure = (loop: ProbeLoop): ProbeRow => {
    const got = loop(tape, mine(), RULE);
    // The P&L is summed in the same order as the fused loop's rows, so it must be equal to the bit.
    const identical = got.count === fused.count && got.pnl === fusedPnl;
    let f = Infinity;
    let c = Infinity;
    for (let r = 0; r < reps; r++) {
      f = Math.min(f, cpuMs(() => fusedWay(tape)));
      c = Math.min(c, cpuMs(() => loop(tape, mine(), RULE)));
    }
    return { fusedMs: Number(f.toFixed(1)), callbackMs: Number(c.toFixed(1)), ratio: Number((f / c).toFixed(2)), identical };
  };
  const monomorphic = measure(probeLoop);
  for (const other of OTHERS) probeLoop(tape, other(tape), RULE);
  const afterFourOtherClasses = measure(probeLoop);
  const copies = new Map<unknown, ProbeLoop>();
  const perClass: ProbeLoop = (t, s, rule) => {
    let loop = copies.get(s.constructor);
    if (!loop) copies.set(s.constructor, (loop = freshCopy()));
    return loop(t, s, rule);
  };
  for (const other of OTHERS) perClass(tape, other(tape), RULE);
  const oneLoopCopyPerClass = measure(perClass);
  return { monomorphic, afterFourOtherClasses, oneLoopCopyPerClass };
}
