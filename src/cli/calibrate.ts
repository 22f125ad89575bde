import * as path from 'node:path';
import type { Command } from './command';
import { numberFlag, parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { checkSweepParams, parseParamRange } from '../research/sweep';
import { resolveRunConfig } from '../config/run-config';
import { calibrate, type Objective } from '../research/calibrate';
import { loadStrategyModule } from '../strategies/plugins';
import { ledgerToCsv } from '../run/output';
import { writeOutputsAtomic } from '../util/atomic-write';
import { toJsonDocument } from '../util/json';
import { loadMarketData } from '../data/market';
import { parseQueueUrl } from '../research/redis-url';
import { tapeRef } from '../research/tape-ref';
import { BullMqExecutor, SweepFailedError } from '../research/queue-executor';
import { fixed, int, pct, table } from './format';
import { createProgress, progressCallback } from './progress';
import { unitsHelp } from './units-help';

const USAGE =
  'edgelab calibrate --data <file> --strategy <id> --param <name>=<from>:<to>:<step> [--param …] [--walk-forward <k>] [--scheme rolling|anchored] ' +
  '[--objective edgePerTrade|sharpe|expectedValue] [--min-trades <n>] [--random <n> --seed <s>] [--preset phase2] [--config <json>] [--module <your-strategy.js>] [--workers <n> | --queue redis://[user:password@]host:port [--chunk-size <n>]] --out <dir>';

export const calibrateCommand: Command = {
  help: () => unitsHelp(),
  summary: 'Sweep strategy parameters with walk-forward selection; report the out-of-sample result with PSR, DSR, PBO and a bootstrap CI.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      {
        data: { type: 'string', multiple: true },
        strategy: { type: 'string' },
        param: { type: 'string', multiple: true },
        'walk-forward': { type: 'string' },
        scheme: { type: 'string', default: 'rolling' },
        objective: { type: 'string', default: 'edgePerTrade' },
        'min-trades': { type: 'string' },
        random: { type: 'string' },
        seed: { type: 'string' },
        preset: { type: 'string', default: 'phase2' },
        config: { type: 'string' },
        workers: { type: 'string' },
        queue: { type: 'string' },
        'chunk-size': { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        module: { type: 'string', multiple: true },
      },
      USAGE,
    );
    const modules = (v.module ?? []).map((m) => path.resolve(m));
    for (const m of modules) loadStrategyModule(m);
    const files = v.data ?? [];
    if (!files.length) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const strategy = required(v, 'strategy', USAGE);
    const out = required(v, 'out', USAGE);
    if (!v.param?.length) throw new UserError(`give at least one --param name=from:to:step\nusage: ${USAGE}`);
    const params = v.param.map(parseParamRange);
    // Every swept value is checked against the strategy's declared bounds before any data is read.
    checkSweepParams(strategy, params);
    resolveRunConfig({ preset: v.preset!, strategies: [strategy], overrides: v.config });
    if (v.scheme !== 'rolling' && v.scheme !== 'anchored') throw new UserError(`--scheme must be rolling or anchored, got '${v.scheme}'`);
    const objective = v.objective as Objective;
    if (!['edgePerTrade', 'sharpe', 'expectedValue'].includes(objective)) throw new UserError(`--objective must be edgePerTrade, sharpe or expectedValue, got '${objective}'`);
    const folds = numberFlag(v, 'walk-forward', 4, { min: 1, integer: true, unit: 'folds' });
    const random = v.random === undefined ? null : numberFlag(v, 'random', 0, { min: 1, integer: true, unit: 'configurations' });
    const seed = numberFlag(v, 'seed', 1, { integer: true });
    const minTrades = numberFlag(v, 'min-trades', 10, { min: 0, integer: true, unit: 'trades' });
    const workers = v.workers === undefined ? undefined : numberFlag(v, 'workers', 1, { min: 1, max: 256, integer: true, unit: 'threads' });
    const { tape, warnings } = loadMarketData(files);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    // --queue: the sweep's jobs go to Redis for `edgelab worker`s anywhere that can read these files.
    const conn = v.queue === undefined ? null : parseQueueUrl(v.queue);
    if (conn && v.workers !== undefined) throw new UserError('--workers is for the local pool; with --queue the workers are `edgelab worker` processes');
    const ref = conn ? tapeRef(files) : null;
    const executor = conn && ref ? new BullMqExecutor(conn, ref, { modules, log: v.quiet ? undefined : (l) => process.stderr.write(`calibrate: ${l}\n`) }) : undefined;
    const chunkSize = v['chunk-size'] === undefined ? undefined : numberFlag(v, 'chunk-size', 1, { min: 1, integer: true, unit: 'configurations' });
    const progress = createProgress({ quiet: v.quiet, unit: 'configs' });
    const t0 = performance.now();
    let result: Awaited<ReturnType<typeof calibrate>>;
    try {
      result = await calibrate({
      executor,
      dataHash: ref?.hash,
      chunkSize,
      tape,
      strategy,
      params,
      preset: v.preset,
      config: v.config,
      objective,
      minTrades,
      folds,
      scheme: v.scheme,
      search: random ? { mode: 'random', samples: random, seed } : { mode: 'grid' },
      seed,
      workers,
      modules,
      onProgress: progressCallback(progress, `calibrate ${strategy}${conn ? ` via ${conn.display}` : ''}`),
    });
    } catch (e) {
      if (!(e instanceof SweepFailedError)) throw e;
      progress.stop();
      process.stderr.write(`edgelab calibrate: ${e.message}\nnothing written\n`);
      return 1;
    } finally {
      progress.stop();
    }
    const sweepSeconds = (performance.now() - t0) / 1000;
    const a = result.artifact;
    writeOutputsAtomic(out, {
      'calibration.json': toJsonDocument(a),
      'oos-trades.csv': ledgerToCsv(result.oosLedger),
    });
    if (!v.quiet) {
      const row = (label: string, m: typeof a.outOfSample) => [label, int(m.trades), pct(m.winRate), fixed(m.edgePerTradeBps, 2), fixed(m.sharpe, 3), fixed(m.totalPnl, 4)];
      const s = a.significance;
      process.stdout.write(
        `${a.strategy}: ${a.trials} configurations, walk-forward ${a.walkForward.folds} folds (${a.walkForward.scheme}), objective ${a.objective}\n\n` +
          table(['sample', 'trades', 'win', 'edge/trade bps', 'Sharpe/trade', 'net P&L'], [row('OUT-OF-SAMPLE', a.outOfSample), row('in-sample', a.inSample)]) +
          `\n\nchosen for deployment: ${JSON.stringify(a.params)} (selected on ${a.selectedOn.from} → ${a.selectedOn.to})\n` +
          `PSR ${fixed(s.psr, 3)}  DSR ${fixed(s.dsr, 3)}  PBO ${fixed(s.pbo, 3)}  edge/trade 95% CI ${s.edgePerTradeCI ? s.edgePerTradeCI.map((x) => x.toFixed(6)).join(' … ') : '—'}\n` +
          `significance gate: ${s.passed ? 'PASSED' : 'FAILED — ' + s.reasons.join('; ')}\n` +
          `calibration took ${sweepSeconds.toFixed(2)} s (${conn ? `queue ${conn.display}${executor!.resumed ? `, ${executor!.resumed} jobs resumed from Redis` : ''}` : 'local worker pool'})\n` +
          `wrote ${path.join(out, 'calibration.json')}, ${path.join(out, 'oos-trades.csv')}\n`,
      );
    }
    return 0;
  },
};
