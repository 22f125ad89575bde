/**
 * `npm run bench`: throughput of the engine on a seeded synthetic tape,
 * next to a bare pass over one column timed in the same run (machines here
 * are noisy; the ratio is the figure that travels). Prints a table and
 * writes bench/results.json. A benchmark, not a test: it asserts nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syntheticTrades } from './synthetic';
import { runTickEngine, type TradeRules } from '../src/backtest/engine';
import { V1_OFI, type V1Params } from '../src/strategies/v1-ofi';
import { defaultParams } from '../src/strategies/strategy';
import { NotionalRateFeeModel, PLAN_FEES } from '../src/execution/fees';
import { NO_SLIPPAGE } from '../src/execution/slippage';
import { PLAN_LIMITS } from '../src/risk/frequency-limits';
import { packageRoot } from '../src/util/package-root';

const N = Number(process.env.BENCH_TRADES ?? 10_000_000);
const REPS = 5;

function bestOf<T>(reps: number, f: () => T): { ms: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    value = f();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return { ms: best, value };
}

function barePass(price: Float64Array): number {
  let s = 0;
  for (let i = 0; i < price.length; i++) s += price[i];
  return s;
}

function main(): void {
  process.stderr.write(`bench: building a seeded synthetic tape of ${N.toLocaleString('en-US')} trades…\n`);
  const tape = syntheticTrades(N, 7);
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

  // Warm-up: let the JIT optimise every loop before timing.
  for (let w = 0; w < 3; w++) {
    barePass(tape.price);
    const s = V1_OFI.signals(tape, params);
    runTickEngine(tape, s, rules, exec);
    runTickEngine(tape, s, rulesUnlimited, exec);
  }

  const bare = bestOf(REPS, () => barePass(tape.price));
  const sig = bestOf(REPS, () => V1_OFI.signals(tape, params));
  const eng = bestOf(REPS, () => runTickEngine(tape, sig.value, rules, exec));
  const engFree = bestOf(REPS, () => runTickEngine(tape, sig.value, rulesUnlimited, exec));
  const full = bestOf(REPS, () => runTickEngine(tape, V1_OFI.signals(tape, params), rules, exec));

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
    ['full V1 pass: signals + engine', full.ms, rate(full.ms)],
  ];
  const fmt = (x: number) => (x / 1e6).toFixed(1).padStart(8);
  process.stdout.write(`\nedgelab bench — ${N.toLocaleString('en-US')} synthetic trades (seed 7), best of ${REPS} after warm-up, node ${process.version}\n\n`);
  process.stdout.write(`${'what'.padEnd(54)} ${'ms'.padStart(8)} ${'M trades/s'.padStart(10)} ${'× slower than bare'.padStart(19)}\n`);
  for (const [name, ms, r] of rows) {
    process.stdout.write(`${name.padEnd(54)} ${ms.toFixed(1).padStart(8)} ${fmt(r).padStart(10)} ${(bareRate / r).toFixed(1).padStart(19)}\n`);
  }
  process.stdout.write(
    `\nround trips: ${eng.value.ledger.length.toLocaleString('en-US')} with plan limits, ${engFree.value.ledger.length.toLocaleString('en-US')} without\n` +
      `memory: ${bytesPerTrade.toFixed(1)} bytes per trade (tape ${(tapeBytes / N).toFixed(1)}, signals ${(sigBytes / N).toFixed(1)}, ledger ${(ledgerBytes / N).toFixed(3)})\n`,
  );

  const file = path.join(packageRoot(), 'bench', 'results.json');
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* first run */
  }
  results.tickBacktest = {
    trades: N,
    tradesPerSecond: Math.round(rate(full.ms)),
    engineOnlyTradesPerSecond: Math.round(rate(eng.ms)),
    signalsTradesPerSecond: Math.round(rate(sig.ms)),
    bytesPerTrade: Number(bytesPerTrade.toFixed(2)),
    barePassTradesPerSecond: Math.round(bareRate),
    ratioToBarePass: Number((bareRate / rate(full.ms)).toFixed(2)),
    roundTrips: eng.value.ledger.length,
    node: process.version,
    measuredAt: new Date().toISOString(),
  };
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), file) || file}\n`);
}

main();
