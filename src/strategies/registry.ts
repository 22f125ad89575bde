import { UserError } from '../util/errors';
import type { AnyStrategy, Strategy } from './strategy';
import { V1_OFI } from './v1-ofi';
import { V4_OU } from './v4-ou';

const registry = new Map<string, AnyStrategy>();

/** Make a strategy available by id to presets, --config and the CLI. Replaces one with the same id. */
export function registerStrategy<P extends Record<string, number>>(s: Strategy<P>): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(s.id)) throw new UserError(`strategy id '${s.id}' must be a letter followed by letters, digits, _ or -`);
  registry.set(s.id, s as unknown as AnyStrategy);
}

export function getStrategy(id: string): AnyStrategy {
  const s = registry.get(id);
  if (!s) throw new UserError(`unknown strategy '${id}' (known: ${[...registry.keys()].join(', ')})`);
  return s;
}

export function listStrategies(): AnyStrategy[] {
  return [...registry.values()];
}

registerStrategy(V1_OFI);
registerStrategy(V4_OU);
