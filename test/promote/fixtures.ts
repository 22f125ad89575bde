/**
 * Fixtures for the promotion tests, all produced by edgelab itself: a
 * synthetic bar tape with a planted mean-reverting edge (an Ornstein-Uhlenbeck
 * log price, strong reversion), calibrated for real by `edgelab calibrate`, so
 * the gate's statistics are genuine — and the bundled BTC 5m data, whose
 * calibration does not pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPrng } from '../../src/util/prng';
import { edgelab, ROOT } from '../helpers/cli';

export const T0 = Date.UTC(2024, 0, 1);
export const BAR_MS = 300_000;

/**
 * OU log price on 5-minute bars: x_t = φ x_{t−1} + σ ε_t around ln 100, φ = 0.7
 * per bar, σ = 1%: the equilibrium spread is σ/√(1−φ²) ≈ 1.4%, so a 2σ
 * stretch reverts by far more than the 0.08% round-trip taker fee.
 */
export function writePlantedEdgeCsv(file: string, days = 40, seed = 7): void {
  const rng = createPrng(seed);
  const n = (days * 86_400_000) / BAR_MS;
  const lines = ['timestamp,open,high,low,close,volume'];
  let x = 0;
  let prevClose = 100;
  for (let i = 0; i < n; i++) {
    x = 0.7 * x + 0.01 * rng.normal();
    const close = 100 * Math.exp(x);
    const open = prevClose;
    const high = Math.max(open, close) * 1.0005;
    const low = Math.min(open, close) * 0.9995;
    lines.push(`${T0 + i * BAR_MS},${open},${high},${low},${close},${10 + rng.nextFloat()}`);
    prevClose = close;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** V4 with its own z-score exit only (no bracket, no hold, no limits): the rule the planted edge rewards. */
export const V4_SIGNAL_ONLY = {
  strategies: {
    V4: {
      stopPct: null,
      targetPct: null,
      signalExit: true,
      minHoldMs: 0,
      maxTradesPerMinute: null,
      maxTradesPerHour: null,
      maxTradesPerDay: null,
      minConfirmations: 0,
    },
  },
};

export function calibrateCli(dataFile: string, outDir: string, extra: string[] = []) {
  const r = edgelab(['calibrate', '--data', dataFile, '--strategy', 'V4', '--walk-forward', '4', '--workers', '1', '--quiet', '--out', outDir, ...extra]);
  if (r.code !== 0) throw new Error(`calibrate failed (${r.code}): ${r.stderr}`);
  return path.join(outDir, 'calibration.json');
}

/** A calibration of the planted edge: V4 zEntry × zExit, signal exits only. */
export function plantedCalibration(dir: string): { data: string; artifact: string; dataEnd: number } {
  const data = path.join(dir, 'planted-ou.csv');
  writePlantedEdgeCsv(data);
  const cfg = path.join(dir, 'v4-signal-only.json');
  fs.writeFileSync(cfg, JSON.stringify(V4_SIGNAL_ONLY));
  const artifact = calibrateCli(data, path.join(dir, 'cal-planted'), ['--param', 'zEntry=1.5:2.5:0.5', '--param', 'zExit=0:1:0.5', '--preset', 'phase3', '--config', cfg]);
  return { data, artifact, dataEnd: T0 + 40 * 86_400_000 };
}

/** A calibration of V4 on the bundled BTC/USDT 5m bars (it loses out of sample). */
export function bundledCalibration(dir: string): string {
  return calibrateCli(path.join(ROOT, 'data', 'BTC_USDT-5m.feather'), path.join(dir, 'cal-bundled'), [
    '--param',
    'zEntry=2:3:0.5',
    '--param',
    'zExit=0:1:0.5',
    '--preset',
    'phase3',
  ]);
}
