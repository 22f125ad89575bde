/**
 * `npm run bench:floor`: how fast V1's signal, OFI streaming and the
 * bracket search can go on this CPU at all, for the results edgelab must
 * keep (issue 12 aims at 150 M and 100 M trades/s, and at the engine path
 * within 0.8× of a fused loop, whose first backtest must search every price).
 *
 * The same loops, with the same operations in the same order, run three
 * ways on the bench's seeded tape: our JavaScript (the product code), the
 * loop compiled to WebAssembly (AssemblyScript, bench/floor/v1.as.ts) and
 * in C (gcc -O3 -march=native, bench/floor/kernels.c). Each also comes in
 * a second form that tests the window's two oldest prints from one pointer.
 * Every kernel's output is compared bit for bit with ours, and a figure
 * whose output differs is marked. Each runtime times its own bare pass, so
 * the ratios travel. A benchmark, not a test: it asserts nothing.
 *
 * WebAssembly runs only V1: OFI streaming is a per-print method call from
 * JavaScript, which a kernel behind a JS-to-wasm call cannot stand for.
 *
 * Then bench/callback-probe.ts: what a per-row strategy callback would give
 * the same-rule bench's rule, against its fused loop.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { syntheticTrades } from './synthetic';
import { barePass, bestOf, tradesFromEnv } from './timing';
import { V1_OFI, type V1Params } from '../src/strategies/v1-ofi';
import { defaultParams } from '../src/strategies/strategy';
import { TradeFlowImbalanceIndicator } from '../src/signals/ofi';
import { firstBracketPrint } from '../src/exits/fill-rules';
import type { TradeTape } from '../src/data/tape';
import { packageRoot } from '../src/util/package-root';
import { writeFileAtomic } from '../src/util/atomic-write';
import { callbackProbe } from './callback-probe';

const N = tradesFromEnv('BENCH_TRADES', 10_000_000);
const REPS = 6;
const WINDOW_MS = 60_000;
const PARAMS: V1Params = { ...(defaultParams(V1_OFI) as V1Params), windowMs: WINDOW_MS, imbalanceThreshold: 0.7 };

interface Row {
  ms: number;
  tradesPerSecond: number;
  ratioToBarePass: number;
  identical: boolean;
}

function row(ms: number, bareMs: number, identical: boolean): Row {
  return { ms: Number(ms.toFixed(1)), tradesPerSecond: Math.round(N / (ms / 1000)), ratioToBarePass: Number((ms / bareMs).toFixed(2)), identical };
}

/** The bench's OFI streaming loop (bench/run.ts formulas), as timed there. */
function ofiStreaming(tape: TradeTape): number {
  const ind = new TradeFlowImbalanceIndicator(WINDOW_MS);
  const { time, price, amount, side, length: n } = tape;
  let acc = 0;
  for (let i = 0; i < n; i++) if (ind.update(time[i], price[i], amount[i], side[i])) acc += ind.value(0);
  return acc;
}

/** Every value of that loop, for the comparison with the compiled kernels (not timed). */
function ofiValues(tape: TradeTape): Float64Array {
  const ind = new TradeFlowImbalanceIndicator(WINDOW_MS);
  const { time, price, amount, side, length: n } = tape;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ind.update(time[i], price[i], amount[i], side[i]);
    out[i] = ind.value(0);
  }
  return out;
}

function equalBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function write(dir: string, name: string, a: ArrayBufferView): void {
  fs.writeFileSync(path.join(dir, name), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

/** The C kernels: compiled here, run as a child; null (and why) when there is no compiler. */
function nativeRows(src: string, dir: string): { rows: Record<string, Row>; note: string } | { rows: null; note: string } {
  const bin = path.join(dir, 'kernels');
  const cc = spawnSync('gcc', ['-O3', '-march=native', '-o', bin, src], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) return { rows: null, note: `C skipped: gcc ${cc.error ? 'not found' : `failed: ${cc.stderr.trim()}`}` };
  const run = spawnSync(bin, [dir, String(N), String(WINDOW_MS), String(PARAMS.imbalanceThreshold), String(PARAMS.minWindowTrades), String(REPS)], { encoding: 'utf8' });
  if (run.status !== 0) return { rows: null, note: `C kernels failed: ${run.stderr.trim()}` };
  const r = JSON.parse(run.stdout) as Record<string, number | boolean>;
  const bare = r.bareMs as number;
  return {
    rows: {
      bare: row(bare, bare, true),
      bracketSearch: row(r.bracketSearchMs as number, bare, r.bracketSearchSame as boolean),
      v1AsWritten: row(r.v1AsWrittenMs as number, bare, r.v1AsWrittenSame as boolean),
      v1Pair: row(r.v1PairMs as number, bare, r.v1PairSame as boolean),
      ofiAsWritten: row(r.ofiAsWrittenMs as number, bare, r.ofiAsWrittenSame as boolean),
      ofiPair: row(r.ofiPairMs as number, bare, r.ofiPairSame as boolean),
    },
    note: 'C: gcc -O3 -march=native',
  };
}

/** The AssemblyScript kernels over columns copied into wasm memory once, before timing. */
function wasmRows(src: string, dir: string, tape: TradeTape, entry: Int8Array, exit: Uint8Array, bareMs: number): { rows: Record<string, Row> | null; note: string } {
  const asc = path.join(packageRoot(), 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  if (!fs.existsSync(asc)) return { rows: null, note: 'WebAssembly skipped: assemblyscript is not installed' };
  const out = path.join(dir, 'v1.wasm');
  const c = spawnSync(process.execPath, [asc, src, '-O3', '--runtime', 'stub', '--importMemory', '--noAssert', '-o', out], { encoding: 'utf8' });
  if (c.status !== 0) return { rows: null, note: `WebAssembly skipped: asc failed: ${c.stderr.trim()}` };
  const n = tape.length;
  // Columns laid out as in a tape: time, amount (8-byte aligned), side, then the two outputs.
  // One print of +inf time past the end, as JavaScript's out-of-range read compares false.
  const timeP = 64;
  const amountP = timeP + 8 * (n + 1);
  const sideP = amountP + 8 * n;
  const entryP = sideP + n;
  const exitP = entryP + n;
  const memory = new Wasm.Memory({ initial: Math.ceil((exitP + n) / 65536) + 1 });
  const instance = new Wasm.Instance(new Wasm.Module(fs.readFileSync(out)), { env: { memory, abort: () => undefined } });
  const buf = memory.buffer;
  new Float64Array(buf, timeP, n + 1).set(tape.time);
  new Float64Array(buf, timeP + 8 * n, 1)[0] = Infinity;
  new Float64Array(buf, amountP, n).set(tape.amount);
  new Int8Array(buf, sideP, n).set(tape.side);
  const rows: Record<string, Row> = {};
  for (const [key, fn] of [['v1AsWritten', 'v1AsWritten'], ['v1Pair', 'v1Pair']] as const) {
    const kernel = instance.exports[fn] as (...a: number[]) => void;
    const outs = new Uint8Array(buf, entryP, 2 * n);
    const b = bestOf(REPS, () => {
      outs.fill(0);
      kernel(timeP, amountP, sideP, entryP, exitP, n, PARAMS.imbalanceThreshold, WINDOW_MS, PARAMS.minWindowTrades);
    });
    // The fill of the outputs is in the figure; so is the JavaScript signal's allocation of them.
    rows[key] = row(b.ms, bareMs, equalBytes(new Int8Array(buf, entryP, n), entry) && equalBytes(new Uint8Array(buf, exitP, n), exit));
  }
  return { rows, note: 'WebAssembly: AssemblyScript -O3, in this process' };
}

/** The part of the WebAssembly API used here (tsconfig's ES2022 lib has no WebAssembly values). */
interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

function cell(r: Row | undefined): string {
  if (!r) return '—'.padStart(30);
  return `${r.ms.toFixed(1)} ms ${(r.tradesPerSecond / 1e6).toFixed(0)} M/s ${r.ratioToBarePass.toFixed(1)}×${r.identical ? '' : ' DIFFERS'}`.padStart(30);
}

function main(): void {
  process.stderr.write(`bench:floor: building a seeded synthetic tape of ${N.toLocaleString('en-US')} trades…\n`);
  const tape = syntheticTrades(N, 7);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-floor-'));
  try {
    const bare = bestOf(REPS, () => barePass(tape.price));
    // Levels nothing reaches: the search reads every price, as a first backtest of an always-open position does.
    const search = bestOf(REPS, () => firstBracketPrint(tape.price, 0, N, 1, 0, Infinity));
    const v1 = bestOf(REPS, () => V1_OFI.signals({ ...tape }, PARAMS));
    const ofi = bestOf(REPS, () => ofiStreaming(tape));
    const imbalance = ofiValues(tape);
    const { entry, exit } = v1.value as { entry: Int8Array; exit: Uint8Array };
    const js: Record<string, Row> = { bare: row(bare.ms, bare.ms, true), bracketSearch: row(search.ms, bare.ms, search.value === N), v1AsWritten: row(v1.ms, bare.ms, true), ofiAsWritten: row(ofi.ms, bare.ms, true) };
    write(dir, 'time.f64', tape.time);
    write(dir, 'price.f64', tape.price);
    write(dir, 'amount.f64', tape.amount);
    write(dir, 'side.i8', tape.side);
    write(dir, 'v1-entry.i8', entry);
    write(dir, 'v1-exit.u8', exit);
    write(dir, 'ofi-imbalance.f64', imbalance);
    const src = path.join(packageRoot(), 'bench', 'floor');
    const wasm = wasmRows(path.join(src, 'v1.as.ts'), dir, tape, entry, exit, bare.ms);
    const c = nativeRows(path.join(src, 'kernels.c'), dir);

    process.stdout.write(`\nthe same loops in JavaScript, WebAssembly and C over ${N.toLocaleString('en-US')} trades (best of ${REPS}, CPU time; × = times the runtime's own bare pass)\n`);
    process.stdout.write(`${''.padEnd(44)} ${'JavaScript (ours)'.padStart(30)} ${'WebAssembly'.padStart(30)} ${'C'.padStart(30)}\n`);
    const lines: [string, string][] = [
      ['bare pass (sum of the price column)', 'bare'],
      ['bracket search over every price', 'bracketSearch'],
      ["V1's signal, as we write it (aim 150 M/s)", 'v1AsWritten'],
      ['  two oldest prints from one pointer', 'v1Pair'],
      ['OFI streaming, as we write it (aim 100 M/s)', 'ofiAsWritten'],
      ['  two oldest prints from one pointer', 'ofiPair'],
    ];
    const wasmWithBare: Record<string, Row> | null = wasm.rows ? { bare: js.bare, ...wasm.rows } : null;
    for (const [label, key] of lines) process.stdout.write(`${label.padEnd(44)} ${cell(js[key])} ${cell(wasmWithBare?.[key])} ${cell(c.rows?.[key])}\n`);
    const compiled = [...Object.entries(wasm.rows ?? {}).map(([k, r]) => [`WebAssembly ${k}`, r] as const), ...Object.entries(c.rows ?? {}).filter(([k]) => k !== 'bare').map(([k, r]) => [`C ${k}`, r] as const)];
    const differ = compiled.filter(([, r]) => !r.identical).map(([k]) => k);
    process.stdout.write(`outputs compared bit for bit with ours: ${compiled.length === 0 ? 'nothing compiled' : differ.length === 0 ? `all ${compiled.length} identical` : `DIFFERENT: ${differ.join(', ')}`}\n`);
    process.stdout.write(`(WebAssembly shares JavaScript's bare pass; JavaScript runs only our code)\n${wasm.note}; ${c.note}\n`);

    process.stdout.write(`\nthe same-rule bench's V1-like rule with a per-row strategy callback (bench/callback-probe.ts: a probe loop without the engine's other work, so an upper bound), best of ${REPS}\n`);
    const probe = callbackProbe(tape, REPS);
    const probeLabels: Record<keyof typeof probe, string> = {
      monomorphic: 'the only strategy class through the loop',
      afterFourOtherClasses: 'after four other classes went through it',
      oneLoopCopyPerClass: 'one copy of the loop per class',
    };
    for (const [k, r] of Object.entries(probe) as [keyof typeof probe, (typeof probe)[keyof typeof probe]][]) {
      process.stdout.write(`${probeLabels[k].padEnd(44)} callback ${r.callbackMs.toFixed(1)} ms, fused loop ${r.fusedMs.toFixed(1)} ms: ${r.ratio.toFixed(2)}× the fused loop's speed${r.identical ? '' : ' — round trips or P&L DIFFER'}\n`);
    }

    const file = path.join(packageRoot(), 'bench', 'floor-results.json');
    writeFileAtomic(file, JSON.stringify({ trades: N, windowMs: WINDOW_MS, javascript: js, webassembly: wasm.rows, c: c.rows, callbackProbe: probe, notes: [wasm.note, c.note], node: process.version, measuredAt: new Date().toISOString() }, null, 2) + '\n');
    process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
