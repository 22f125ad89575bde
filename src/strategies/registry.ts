import { UserError } from '../util/errors';
import type { AnyStrategy, Strategy } from './strategy';
import { V1_OFI } from './v1-ofi';
import { V2_KYLE } from './v2-kyle';
import { V3_VPIN_REVERSION } from './v3-vpin-reversion';
import { V4_OU } from './v4-ou';
import { V5_VOL_BREAKOUT } from './v5-vol-breakout';
import { V6_HMM_REGIME } from './v6-hmm-regime';
import { V7_VOLUME_SPIKE } from './v7-volume-spike';
import { V8_VPIN_GATED } from './v8-vpin-gated';

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

/** The eight strategies of the plan, in order. */
export const PLAN_STRATEGY_IDS = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'] as const;

for (const s of [V1_OFI, V2_KYLE, V3_VPIN_REVERSION, V4_OU, V5_VOL_BREAKOUT, V6_HMM_REGIME, V7_VOLUME_SPIKE, V8_VPIN_GATED]) {
  registerStrategy(s as unknown as Strategy<Record<string, number>>);
}
