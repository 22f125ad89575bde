/**
 * User strategies from their own files: `--module ./my-strategy.js` loads a
 * CommonJS module and registers every export that implements `Strategy`
 * (an object with `id`, `type`, `params` and a `signals` function).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { UserError } from '../util/errors';
import { registerStrategy } from './registry';
import type { AnyStrategy } from './strategy';

const TYPES = ['mean_reversion', 'regime', 'microstructure', 'event'];

function looksLikeStrategy(x: unknown): x is AnyStrategy {
  const s = x as Partial<AnyStrategy> | null;
  return !!s && typeof s === 'object' && typeof s.id === 'string' && typeof s.signals === 'function' && typeof s.params === 'object';
}

/** Load and register the strategies a module exports; returns their ids. */
export function loadStrategyModule(file: string): string[] {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new UserError(`--module ${file}: file not found`);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(abs);
  } catch (e) {
    throw new UserError(`--module ${file}: cannot load it: ${(e as Error).message}`);
  }
  const found = Object.values(mod).filter(looksLikeStrategy);
  if (looksLikeStrategy(mod)) found.push(mod);
  if (!found.length) throw new UserError(`--module ${file}: exports no strategy (an object with id, type, params and signals(tape, params))`);
  for (const s of found) {
    if (!TYPES.includes(s.type)) throw new UserError(`--module ${file}: strategy ${s.id}: type must be one of ${TYPES.join(', ')}, got '${String(s.type)}'`);
    registerStrategy(s);
  }
  return found.map((s) => s.id);
}
