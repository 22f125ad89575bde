import type { ValueSpec } from './param-check';

/**
 * One tunable parameter of a strategy, documented where it is declared. Its
 * bounds and unit are a `ValueSpec`: every value a user gives for it is
 * checked by `checkValue` (src/core/param-check.ts).
 */
export interface ParamSpec extends Pick<ValueSpec, 'min' | 'minExclusive' | 'max' | 'integer'> {
  default: number;
  doc: string;
  /** The unit, as README's units table writes it: `ms`, `%`, `bps`, `σ`, `× average`, … */
  unit: string;
  /**
   * True when changing this parameter changes a computed series (a window,
   * a sampling interval, a model fit), not just a threshold applied to it. A
   * sweep keeps configurations that share these values on one worker, so each
   * series is computed once per worker rather than once per configuration.
   */
  series?: boolean;
}
