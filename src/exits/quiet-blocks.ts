/**
 * Which blocks of prints cannot hold an open position's exit, read from the
 * tape's block summary (data/print-blocks.ts) with the exit rules' own tests:
 * a block is quiet when neither its print nearest the stop (its lowest, for
 * a long) triggers the stop nor its print nearest the target (its highest)
 * goes through the target (exits/fill-rules.ts), and the time exit is not
 * yet due at its last print (exits/time-exit.ts; tape times never decrease,
 * so it is due at no earlier print either).
 */
import type { PrintBlocks } from '../data/print-blocks';
import { stopTriggered, targetTriggered } from './fill-rules';
import { timeExitDue } from './time-exit';

/**
 * The first block in [from, to) that is not quiet for a position on `side`
 * with these trigger levels, entered at `entryTime` and due a time exit
 * after `timeExitAfter` ms (∞: none), or `to`.
 */
export function firstEventfulBlock(
  blocks: PrintBlocks,
  from: number,
  to: number,
  side: number,
  stopTrig: number,
  targetTrig: number,
  entryTime: number,
  timeExitAfter: number,
): number {
  const nearStop = side > 0 ? blocks.min : blocks.max;
  const nearTarget = side > 0 ? blocks.max : blocks.min;
  const lastTime = blocks.lastTime;
  let b = from;
  while (
    b < to &&
    !stopTriggered(nearStop[b], side, stopTrig) &&
    !targetTriggered(nearTarget[b], side, targetTrig) &&
    !timeExitDue(lastTime[b], entryTime, timeExitAfter)
  ) {
    b++;
  }
  return b;
}
