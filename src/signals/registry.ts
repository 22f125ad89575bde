/** Every formula by the name `edgelab signals --signal <name>` and notebooks use. */
import { UserError } from '../util/errors';
import { checkNumberText } from '../core/param-check';
import type { SignalSpec } from './signal';
import { VPIN_SIGNAL } from './vpin';
import { OFI_SIGNAL } from './ofi';
import { KYLE_SIGNAL } from './kyle-lambda';
import { OU_SIGNAL } from './ou';
import { HMM_SIGNAL } from './hmm';

export const SIGNALS: Readonly<Record<string, SignalSpec>> = Object.freeze({
  vpin: VPIN_SIGNAL,
  ofi: OFI_SIGNAL,
  kyle: KYLE_SIGNAL,
  ou: OU_SIGNAL,
  hmm: HMM_SIGNAL,
});

export function getSignal(name: string): SignalSpec {
  const s = SIGNALS[name];
  if (!s) throw new UserError(`unknown signal '${name}' (known: ${Object.keys(SIGNALS).join(', ')})`);
  return s;
}

/** Defaults overlaid with `name=value` pairs; unknown names and bad values name the parameter. */
export function resolveSignalParams(spec: SignalSpec, pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, p] of Object.entries(spec.params)) out[k] = p.default;
  for (const pair of pairs) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)=(.*)$/.exec(pair);
    if (!m) throw new UserError(`--param '${pair}': expected name=value`);
    const [, name, raw] = m;
    const p = spec.params[name];
    if (!p) throw new UserError(`--param ${name}: unknown parameter of ${spec.name} (parameters: ${Object.keys(spec.params).join(', ')})`);
    const v = checkNumberText(raw, p, `--param ${name}`, spec.name);
    out[name] = v;
  }
  return out;
}
