/**
 * Walk-forward windows over a time span. The span is cut into `folds + 1`
 * equal consecutive segments. Fold f (1..folds) tests on segment f and trains
 * on segment f − 1 (`rolling`) or on segments 0..f − 1 (`anchored`). Test
 * windows never overlap and never precede their training window.
 */
export type WalkForwardScheme = 'rolling' | 'anchored';

export interface Window {
  fromMs: number;
  toMs: number;
}

export interface Fold {
  fold: number;
  train: Window;
  test: Window;
}

export function walkForwardFolds(fromMs: number, toMs: number, folds: number, scheme: WalkForwardScheme): Fold[] {
  if (!Number.isInteger(folds) || folds < 1) throw new RangeError(`walk-forward folds must be a positive integer, got ${folds}`);
  if (!(toMs > fromMs)) throw new RangeError('walk-forward needs a span with to > from');
  const seg = (toMs - fromMs) / (folds + 1);
  const edge = (k: number) => (k === folds + 1 ? toMs : Math.round(fromMs + k * seg));
  const out: Fold[] = [];
  for (let f = 1; f <= folds; f++) {
    out.push({
      fold: f,
      train: { fromMs: scheme === 'anchored' ? fromMs : edge(f - 1), toMs: edge(f) },
      test: { fromMs: edge(f), toMs: edge(f + 1) },
    });
  }
  return out;
}

/** The window the deployable parameters are chosen on: the latest training-length window ending at the data's end. */
export function finalSelectionWindow(fromMs: number, toMs: number, folds: number, scheme: WalkForwardScheme): Window {
  if (scheme === 'anchored') return { fromMs, toMs };
  const seg = (toMs - fromMs) / (folds + 1);
  return { fromMs: Math.round(toMs - seg), toMs };
}

/** Rows whose entry lies in [w.fromMs, w.toMs). */
export function rowsIn<T extends { entryTime: number }>(rows: readonly T[], w: Window): T[] {
  return rows.filter((r) => r.entryTime >= w.fromMs && r.entryTime < w.toMs);
}
