/**
 * V1's tick loop (src/strategies/v1-ofi.ts v1TickLoop, no volume ratio) in
 * AssemblyScript, compiled to WebAssembly by bench/floor.ts: the same two
 * forms as kernels.c, over columns placed in the module's linear memory.
 * Not part of the build (tsconfig excludes *.as.ts): AssemblyScript's
 * load/store builtins are not TypeScript.
 */

/** One body for both forms: inlined into each export with a constant `pair`, which -O3 folds away. */
@inline
function v1Loop(timeP: usize, amountP: usize, sideP: usize, entryP: usize, exitP: usize, n: i32, thr: f64, W: f64, minCount: i32, pair: bool): void {
  let tail: i32 = 0;
  let sgn: f64 = 0;
  let total: f64 = 0;
  let b: f64;
  for (let i: i32 = 0; i < n; i++) {
    const a = load<f64>(amountP + (<usize>i << 3));
    const cutoff = load<f64>(timeP + (<usize>i << 3)) - W;
    sgn += <f64>load<i8>(sideP + <usize>i) * a;
    total += a;
    if (pair) {
      const nx = select<i32>(tail + 1, i, tail < i); // never a print not yet added
      const c1 = i32(load<f64>(timeP + (<usize>tail << 3)) <= cutoff);
      const c2 = i32(load<f64>(timeP + (<usize>nx << 3)) <= cutoff);
      b = load<f64>(amountP + (<usize>tail << 3)) * <f64>c1;
      sgn -= <f64>load<i8>(sideP + <usize>tail) * b;
      total -= b;
      b = load<f64>(amountP + (<usize>nx << 3)) * <f64>c2;
      sgn -= <f64>load<i8>(sideP + <usize>nx) * b;
      total -= b;
      tail += c1 + c2;
    } else {
      let adv: i32 = i32(load<f64>(timeP + (<usize>tail << 3)) <= cutoff);
      b = load<f64>(amountP + (<usize>tail << 3)) * <f64>adv;
      sgn -= <f64>load<i8>(sideP + <usize>tail) * b;
      total -= b;
      tail += adv;
      adv = i32(load<f64>(timeP + (<usize>tail << 3)) <= cutoff);
      b = load<f64>(amountP + (<usize>tail << 3)) * <f64>adv;
      sgn -= <f64>load<i8>(sideP + <usize>tail) * b;
      total -= b;
      tail += adv;
    }
    while (load<f64>(timeP + (<usize>tail << 3)) <= cutoff) {
      b = load<f64>(amountP + (<usize>tail << 3));
      sgn -= <f64>load<i8>(sideP + <usize>tail) * b;
      total -= b;
      tail++;
    }
    if (i - tail + 1 < minCount || total <= 0) continue;
    const bar = thr * total;
    if (sgn >= bar) {
      store<i8>(entryP + <usize>i, 1);
      store<u8>(exitP + <usize>i, 2);
    } else if (sgn <= -bar) {
      store<i8>(entryP + <usize>i, -1);
      store<u8>(exitP + <usize>i, 1);
    }
  }
}

export function v1AsWritten(timeP: usize, amountP: usize, sideP: usize, entryP: usize, exitP: usize, n: i32, thr: f64, W: f64, minCount: i32): void {
  v1Loop(timeP, amountP, sideP, entryP, exitP, n, thr, W, minCount, false);
}

export function v1Pair(timeP: usize, amountP: usize, sideP: usize, entryP: usize, exitP: usize, n: i32, thr: f64, W: f64, minCount: i32): void {
  v1Loop(timeP, amountP, sideP, entryP, exitP, n, thr, W, minCount, true);
}
