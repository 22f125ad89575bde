/**
 * `npm run bench`: throughput of the engine on a seeded synthetic tape,
 * next to a bare pass over one column timed in the same run (machines here
 * are noisy; the ratio is the figure that travels). Prints a table and
 * writes bench/results.json. A benchmark, not a test: it asserts nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { syntheticTrades } from './synthetic';
import { ingestSection } from './ingest';
import { runTickEngine } from '../src/backtest/engine';
import type { TradeRules } from '../src/core/rules';
import { V1_OFI, type V1Params } from '../src/strategies/v1-ofi';
import { defaultParams } from '../src/strategies/strategy';
import { NotionalRateFeeModel, PLAN_FEES } from '../src/execution/fees';
import { NO_SLIPPAGE } from '../src/execution/slippage';
import { PLAN_LIMITS } from '../src/risk/frequency-limits';
import { packageRoot } from '../src/util/package-root';
import { writeFileAtomic } from '../src/util/atomic-write';
import { VpinIndicator, vpinSeries, vpinSteps } from '../src/signals/vpin';
import { TradeFlowImbalanceIndicator, tradeFlowImbalance } from '../src/signals/ofi';
import { KyleLambdaIndicator, kyleLambdaSeries, kyleTickRuns } from '../src/signals/kyle-lambda';
import { OuIndicator, ouSeries, ouTickRuns } from '../src/signals/ou';
import { fitHmm, makeHmm, sampleHmm } from '../src/signals/hmm';
import { runBacktest } from '../src/run/run';
import { sweepSection } from './sweep';
import { engineWay, fusedWay } from './same-rule';
import { PRINT_BLOCK, buildPrintBlocks, printBlocksFor } from '../src/data/print-blocks';
import { barePass, bestOf, cpuMs, tradesFromEnv } from './timing';

const N = tradesFromEnv('BENCH_TRADES', 10_000_000);
const REPS = 5;

function tickSection(tape: ReturnType<typeof syntheticTrades>, results: Record<string, unknown>): number {
  const tapeBytes = tape.time.byteLength + tape.price.byteLength + tape.amount.byteLength + tape.side.byteLength;

  const params = { ...(defaultParams(V1_OFI) as V1Params), imbalanceThreshold: 0.7 };
  const rules: TradeRules = {
    stopPct: 0.5,
    targetPct: 1.5,
    signalExit: false,
    maxHoldMs: null,
    minHoldMs: 300_000,
    bracketDuringHold: 'active',
    limits: { ...PLAN_LIMITS },
  };
  const exec = { fees: new NotionalRateFeeModel(PLAN_FEES), slippage: NO_SLIPPAGE, sizing: { mode: 'fraction' as const, fraction: 1 }, initialCapital: 10 };
  // Same rules without frequency limits: many more round trips, so the ledger path is exercised too.
  const rulesUnlimited: TradeRules = { ...rules, limits: null, minHoldMs: 0 };

  // Every signals and engine call gets a fresh tape object ({ ...tape }: same columns, empty
  // caches), so the figures are a single cold backtest, not the cached path a sweep takes from
  // its second run; the "again" rows are that path for the engine (the tape's block summary
  // built by the warm-up runs, src/data/print-blocks.ts).
  // Warm-up: let the JIT optimise every loop before timing.
  for (let w = 0; w < 3; w++) {
    barePass(tape.price);
    const s = V1_OFI.signals({ ...tape }, params);
    runTickEngine(tape, s, rules, exec);
    runTickEngine(tape, s, rulesUnlimited, exec);
  }

  // On a short tape the warm-ups may search fewer prints than it has: then the "again" rows are the plain search.
  if (printBlocksFor(tape) === null) process.stderr.write("bench: the warm-up backtests did not build the tape's block summary; the 'again' rows search print by print\n");
  const bare = bestOf(REPS, () => barePass(tape.price));
  const sig = bestOf(REPS, () => V1_OFI.signals({ ...tape }, params));
  const eng = bestOf(REPS, () => runTickEngine({ ...tape }, sig.value, rules, exec));
  const engFree = bestOf(REPS, () => runTickEngine({ ...tape }, sig.value, rulesUnlimited, exec));
  const engAgain = bestOf(REPS, () => runTickEngine(tape, sig.value, rules, exec));
  const engFreeAgain = bestOf(REPS, () => runTickEngine(tape, sig.value, rulesUnlimited, exec));
  const full = bestOf(REPS, () => {
    const t = { ...tape };
    return runTickEngine(t, V1_OFI.signals(t, params), rules, exec);
  });

  // Memory per trade: the tape's columns + the signal arrays + the ledger's typed arrays.
  const sigBytes = sig.value.entry.byteLength + (sig.value.exit?.byteLength ?? 0);
  const ledgerBytes = (eng.value.ledger as unknown as { side: Int8Array }).side.length * (15 * 8 + 5 + 2);
  const bytesPerTrade = (tapeBytes + sigBytes + ledgerBytes) / N;

  const rate = (ms: number) => N / (ms / 1000);
  const bareRate = rate(bare.ms);
  const rows: [string, number, number][] = [
    ['bare pass (sum of price column)', bare.ms, bareRate],
    ['V1 signals (imbalance + volume ratio, one pass)', sig.ms, rate(sig.ms)],
    ['engine: limits + min hold + bracket + fees + ledger', eng.ms, rate(eng.ms)],
    ['engine, no limits (ledger-heavy)', engFree.ms, rate(engFree.ms)],
    ['engine, plan limits, same tape again (block summary)', engAgain.ms, rate(engAgain.ms)],
    ['engine, no limits, same tape again (block summary)', engFreeAgain.ms, rate(engFreeAgain.ms)],
    ['full V1 pass: signals + engine', full.ms, rate(full.ms)],
  ];
  const fmt = (x: number) => (x / 1e6).toFixed(1).padStart(8);
  process.stdout.write(`\nedgelab bench — ${N.toLocaleString('en-US')} synthetic trades (seed 7), best of ${REPS} after warm-up (process CPU time), node ${process.version}\n\n`);
  process.stdout.write(`${'what'.padEnd(54)} ${'ms'.padStart(8)} ${'M trades/s'.padStart(10)} ${'× slower than bare'.padStart(19)}\n`);
  for (const [name, ms, r] of rows) {
    process.stdout.write(`${name.padEnd(54)} ${ms.toFixed(1).padStart(8)} ${fmt(r).padStart(10)} ${(bareRate / r).toFixed(1).padStart(19)}\n`);
  }
  process.stdout.write(
    `\nround trips: ${eng.value.ledger.length.toLocaleString('en-US')} with plan limits, ${engFree.value.ledger.length.toLocaleString('en-US')} without\n` +
      `memory: ${bytesPerTrade.toFixed(1)} bytes per trade (tape ${(tapeBytes / N).toFixed(1)}, signals ${(sigBytes / N).toFixed(1)}, ledger ${(ledgerBytes / N).toFixed(3)})\n`,
  );

  results.tickBacktest = {
    trades: N,
    tradesPerSecond: Math.round(rate(full.ms)),
    engineOnlyTradesPerSecond: Math.round(rate(eng.ms)),
    engineNoLimitsTradesPerSecond: Math.round(rate(engFree.ms)),
    engineAgainTradesPerSecond: Math.round(rate(engAgain.ms)),
    engineNoLimitsAgainTradesPerSecond: Math.round(rate(engFreeAgain.ms)),
    signalsTradesPerSecond: Math.round(rate(sig.ms)),
    bytesPerTrade: Number(bytesPerTrade.toFixed(2)),
    barePassTradesPerSecond: Math.round(bareRate),
    ratioToBarePass: Number((bareRate / rate(full.ms)).toFixed(2)),
    roundTrips: eng.value.ledger.length,
  };
  return bareRate;
}

function line(name: string, ms: number, n: number, bareRate: number): { tradesPerSecond: number; ratioToBarePass: number } {
  const r = n / (ms / 1000);
  process.stdout.write(`${name.padEnd(54)} ${ms.toFixed(1).padStart(8)} ${(r / 1e6).toFixed(1).padStart(10)} ${(bareRate / r).toFixed(1).padStart(19)}\n`);
  return { tradesPerSecond: Math.round(r), ratioToBarePass: Number((bareRate / r).toFixed(2)) };
}

function formulaSection(tape: ReturnType<typeof syntheticTrades>, results: Record<string, unknown>): void {
  const bare = bestOf(REPS, () => barePass(tape.price));
  const bareRate = N / (bare.ms / 1000);
  // One loop per indicator, as a user's own loop over one indicator is: a single loop shared by
  // all four classes would make its update/value calls megamorphic (no inlining), timing the
  // harness rather than the formula. Each loop reads the columns from locals of its own, as a
  // user's loop does, not from the enclosing closure (measured: no difference for the current
  // classes; a variant of the OFI class ran 1.2× faster with locals than from the closure).
  const cases: [string, () => unknown][] = [
    ['VPIN streaming (VpinIndicator)', () => {
      const ind = new VpinIndicator({});
      const { time, price, amount, side, length: n } = tape;
      let acc = 0;
      for (let i = 0; i < n; i++) if (ind.update(time[i], price[i], amount[i], side[i])) acc += ind.value(0);
      return acc;
    }],
    ['VPIN pure (vpinSeries)', () => vpinSeries(tape, {})],
    ['VPIN as runs of rows (vpinSteps; V3, V8 read this)', () => vpinSteps(tape, {})],
    ['OFI streaming (TradeFlowImbalanceIndicator, 60 s)', () => {
      const ind = new TradeFlowImbalanceIndicator(60_000);
      const { time, price, amount, side, length: n } = tape;
      let acc = 0;
      for (let i = 0; i < n; i++) if (ind.update(time[i], price[i], amount[i], side[i])) acc += ind.value(0);
      return acc;
    }],
    ['OFI pure (tradeFlowImbalance, 60 s)', () => tradeFlowImbalance(tape, 60_000)],
    ["Kyle's lambda streaming (10 s, 60 intervals)", () => {
      const ind = new KyleLambdaIndicator({ sampleMs: 10_000, windowSamples: 60 });
      const { time, price, amount, side, length: n } = tape;
      let acc = 0;
      for (let i = 0; i < n; i++) if (ind.update(time[i], price[i], amount[i], side[i])) acc += ind.value(0);
      return acc;
    }],
    ["Kyle's lambda pure", () => kyleLambdaSeries(tape, { sampleMs: 10_000, windowSamples: 60 })],
    ["Kyle's lambda as runs of rows (kyleTickRuns; V2)", () => kyleTickRuns(tape, { sampleMs: 10_000, windowSamples: 60 })],
    ['OU streaming (10 s samples, 30 min)', () => {
      const ind = new OuIndicator({ sampleMs: 10_000, lookbackMs: 1_800_000, minSamples: 30 });
      const { time, price, amount, side, length: n } = tape;
      let acc = 0;
      for (let i = 0; i < n; i++) if (ind.update(time[i], price[i], amount[i], side[i])) acc += ind.value(0);
      return acc;
    }],
    ['OU pure (ouSeries)', () => ouSeries(tape, { sampleMs: 10_000, lookbackMs: 1_800_000, minSamples: 30 })],
    ['OU as runs of rows (ouTickRuns; V4)', () => ouTickRuns(tape, { sampleMs: 10_000, lookbackMs: 1_800_000, minSamples: 30 })],
  ];
  process.stdout.write(`\nformulas over the same ${N.toLocaleString('en-US')} trades (bare pass ${(bareRate / 1e6).toFixed(0)} M/s in this section)\n`);
  const out: Record<string, unknown> = { trades: N, barePassTradesPerSecond: Math.round(bareRate) };
  for (const [name, f] of cases) {
    f(); // warm-up
    const b = bestOf(3, f);
    out[name] = line(name, b.ms, N, bareRate);
  }
  results.formulas = out;
}

function hmmSection(results: Record<string, unknown>): void {
  const truth = makeHmm({ startProb: [0.4, 0.3, 0.3], transMat: [0.98, 0.01, 0.01, 0.02, 0.96, 0.02, 0.01, 0.02, 0.97], means: [-1e-3, 0, 1e-3], variances: [4e-6, 1e-6, 4e-6] });
  const { x } = sampleHmm(truth, 100_000, 3);
  fitHmm(x, { K: 3, maxIter: 5, restarts: 1, seed: 1 }); // warm-up
  const t50 = bestOf(2, () => fitHmm(x, { K: 3, maxIter: 50, tol: 0, restarts: 1, seed: 1 }));
  const tdef = bestOf(2, () => fitHmm(x, { K: 3, seed: 1 }));
  process.stdout.write(
    `\nGaussian HMM fit, 100,000 observations × 3 states: 50 Baum-Welch iterations × 1 restart ${t50.ms.toFixed(0)} ms ` +
      `(${(t50.ms / 50).toFixed(1)} ms per iteration); defaults (3 restarts, tolerance stop) ${tdef.ms.toFixed(0)} ms\n`,
  );
  results.hmmFit = { observations: 100_000, states: 3, ms50Iterations: Math.round(t50.ms), msPerIteration: Number((t50.ms / 50).toFixed(2)), msDefaults: Math.round(tdef.ms) };
}

/** `node dist/bench/run.js --first-all8`: one all-eight run in this fresh process, its CPU ms on stdout (see allEightSection). */
function firstAllEightRun(): void {
  const tape = syntheticTrades(N, 7);
  const ms = cpuMs(() => runBacktest(tape, { strategies: ALL_EIGHT, preset: 'phase3' }));
  process.stdout.write(`${ms}\n`);
}

const ALL_EIGHT = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'];

/**
 * All eight under phase3 in one run. Two figures, because a user's one-off
 * `edgelab backtest` and a notebook's or a sweep's repeated runs see
 * different machines: the JIT-warm figure (the aim's; best of 3 after 3
 * warm-up runs, so every hot loop runs optimised code from its first row),
 * and the first run in a fresh process, where each loop is compiled while it
 * runs and falls back to the interpreter when a branch it had not seen fires.
 */
function allEightSection(tape: ReturnType<typeof syntheticTrades>, results: Record<string, unknown>): void {
  const bare = bestOf(REPS, () => barePass(tape.price));
  const bareRate = N / (bare.ms / 1000);
  const ids = ALL_EIGHT;
  // A fresh tape object each run so the per-tape caches (VPIN, HMM, sampling) are cold: the figure includes every formula.
  const fresh = () => ({ ...tape });
  for (let w = 0; w < 3; w++) runBacktest(fresh(), { strategies: ids, preset: 'phase3' });
  const r = bestOf(3, () => runBacktest(fresh(), { strategies: ids, preset: 'phase3' }));
  const child = spawnSync(process.execPath, [__filename, '--first-all8'], { encoding: 'utf8', env: { ...process.env, BENCH_TRADES: String(N) } });
  const firstMs = child.status === 0 ? Number(child.stdout.trim()) : NaN;
  process.stdout.write(`\nall eight strategies, phase3 (limits, holds, bracket, confirmation gate), one run over the tape, cold caches\n`);
  const fig = line('V1–V8 backtest: every signal + engine (JIT warm)', r.ms, N, bareRate);
  const first = line('  the same, first run in a fresh process (JIT cold)', firstMs, N, bareRate);
  const per = ids.map((id) => `${id} ${(r.value.strategies[id].timing.signalsMs + r.value.strategies[id].timing.engineMs).toFixed(0)}`).join(', ');
  process.stdout.write(`ms per strategy (signals + engine, wall, of the best warm run): ${per}\n`);
  const trades = ids.map((id) => `${id} ${r.value.strategies[id].metrics.trades}`).join(', ');
  process.stdout.write(`round trips: ${trades}\n`);
  results.allEight = {
    trades: N,
    ...fig,
    barePassTradesPerSecond: Math.round(bareRate),
    ms: Math.round(r.ms),
    firstRunInFreshProcess: { ms: Math.round(firstMs), ...first },
    msPerStrategy: Object.fromEntries(ids.map((id) => [id, Math.round(r.value.strategies[id].timing.signalsMs + r.value.strategies[id].timing.engineMs)])),
  };
}

/**
 * The same V1-like rule as a user Strategy through runBacktest and as a
 * hand-written fused loop (bench/same-rule.ts; a test proves them equal).
 * Timed alternately, best of REPS each, so both see the same machine.
 */
function sameRuleSection(tape: ReturnType<typeof syntheticTrades>, results: Record<string, unknown>): void {
  const bare = bestOf(REPS, () => barePass(tape.price));
  const bareRate = N / (bare.ms / 1000);
  for (let w = 0; w < 2; w++) {
    engineWay({ ...tape });
    fusedWay(tape);
  }
  // One tape object backtested again and again, as a sweep or a notebook does: once its
  // backtests have searched as many prints as it has, the engine builds the tape's block
  // summary and skips quiet blocks (src/data/print-blocks.ts). Here the first backtest
  // searches nearly every print, so the second builds it.
  const again = { ...tape };
  engineWay(again);
  engineWay(again);
  if (printBlocksFor(again) === null) process.stderr.write("bench: two backtests did not build the tape's block summary; the 'again' row searches print by print\n");
  let eng = Infinity;
  let engAgain = Infinity;
  let fus = Infinity;
  let trips = 0;
  let tripsAgain = 0;
  let fusedTrips = 0;
  for (let r = 0; r < REPS; r++) {
    eng = Math.min(eng, cpuMs(() => (trips = engineWay({ ...tape }).strategies.V1LIKE.ledger.length)));
    engAgain = Math.min(engAgain, cpuMs(() => (tripsAgain = engineWay(again).strategies.V1LIKE.ledger.length)));
    fus = Math.min(fus, cpuMs(() => (fusedTrips = fusedWay(tape).count)));
  }
  const build = bestOf(REPS, () => buildPrintBlocks(tape.time, tape.price));
  process.stdout.write(`\nthe same V1-like rule written two ways (200-trade imbalance, 60 s spacing, 0.5%/1.5%, 30 min, 0.04% both legs)\n`);
  const e = line("user Strategy through runBacktest, a tape's first backtest", eng, N, bareRate);
  const e2 = line('  the same tape backtested again (block summary built)', engAgain, N, bareRate);
  const f = line('hand-written fused loop', fus, N, bareRate);
  process.stdout.write(
    `engine path / fused loop: ${(fus / eng).toFixed(2)}× the fused loop's speed on a first backtest, ${(fus / engAgain).toFixed(2)}× on later ones; ` +
      `round trips ${trips}, ${tripsAgain} and ${fusedTrips}\n`,
  );
  process.stdout.write(`building the block summary (lowest, highest price and last time per ${PRINT_BLOCK} prints), done once per tape: ${build.ms.toFixed(1)} ms\n`);
  results.sameRule = {
    trades: N,
    engine: e,
    engineAgain: e2,
    fused: f,
    engineOverFused: Number((fus / eng).toFixed(3)),
    engineAgainOverFused: Number((fus / engAgain).toFixed(3)),
    printBlocksBuildMs: Number(build.ms.toFixed(1)),
    roundTrips: trips,
    barePassTradesPerSecond: Math.round(bareRate),
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--first-all8') return firstAllEightRun();
  const only = process.argv.slice(2);
  const want = (k: string) => only.length === 0 || only.includes(k);
  process.stderr.write(`bench: building a seeded synthetic tape of ${N.toLocaleString('en-US')} trades…\n`);
  const tape = syntheticTrades(N, 7);
  const results: Record<string, unknown> = {};
  if (want('tick')) tickSection(tape, results);
  if (want('formulas')) formulaSection(tape, results);
  if (want('hmm')) hmmSection(results);
  if (want('same')) sameRuleSection(tape, results);
  if (want('all8')) allEightSection(tape, results);
  if (want('sweep')) await sweepSection(results);
  if (want('ingest')) ingestSection(results);
  const file = path.join(packageRoot(), 'bench', 'results.json');
  let prev: Record<string, unknown> = {};
  try {
    prev = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* first run */
  }
  writeFileAtomic(file, JSON.stringify({ ...prev, ...results, node: process.version, measuredAt: new Date().toISOString() }, null, 2) + '\n');
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), file) || file}\n`);
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
