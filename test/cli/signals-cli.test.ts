import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { edgelab, ROOT } from '../helpers/cli';
import { loadBars } from '../../src/data/load';
import { ouSeries } from '../../src/signals/ou';

const BARS = path.join(ROOT, 'data', 'BTC_USDT-5m.feather');
const TRADES = path.join(ROOT, 'data', 'tardis-binance-futures-btcusdt-trades-2020-02-22.csv');

describe('edgelab signals', () => {
  const expected: Record<string, string[]> = {
    vpin: ['vpin', 'vpinCdf'],
    ofi: ['imbalance', 'volume'],
    kyle: ['lambda', 'tStat', 'r2'],
    ou: ['theta', 'mu', 'sigma', 'halfLife', 'z'],
    hmm: ['state', 'prob', 'p0', 'p1', 'p2', 'stateMean'],
  };
  for (const [name, cols] of Object.entries(expected)) {
    it(`${name}: CSV with timestamp (ms) and the library's output names, one row per bar`, () => {
      const out = path.join(os.tmpdir(), `edgelab-sig-${name}-${process.pid}.csv`);
      const r = edgelab(['signals', '--data', BARS, '--signal', name, '--out', out]);
      expect(r.code).toBe(0);
      const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
      expect(lines[0]).toBe(['timestamp', ...cols].join(','));
      expect(lines.length - 1).toBe(71_769);
      expect(Number(lines[1].split(',')[0])).toBe(Date.UTC(2024, 0, 1));
      // defined values appear once warm-up is over
      expect(lines.slice(-100).some((l) => l.split(',').slice(1).some((c) => c !== ''))).toBe(true);
      fs.rmSync(out);
    });
  }

  it('exports exactly the library numbers (OU on bars)', () => {
    const out = path.join(os.tmpdir(), `edgelab-sig-ou2-${process.pid}.csv`);
    expect(edgelab(['signals', '--data', BARS, '--signal', 'ou', '--param', 'lookbackMs=7200000', '--out', out]).code).toBe(0);
    const lib = ouSeries(loadBars(BARS).tape, { lookbackMs: 7_200_000, sampleMs: 10_000, minSamples: 30 });
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1);
    for (const k of [100, 5000, 71_000]) {
      const z = lines[k].split(',')[5];
      expect(Number(z)).toBe(lib.z[k]); // String(x) round-trips a double exactly
    }
    fs.rmSync(out);
  });

  it('works on trades; unknown parameters and signals are named', () => {
    const out = path.join(os.tmpdir(), `edgelab-sig-k-${process.pid}.csv`);
    expect(edgelab(['signals', '--data', TRADES, '--signal', 'kyle', '--param', 'sampleMs=5000', '--out', out]).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8').split('\n').length - 2).toBe(9999);
    const bad = edgelab(['signals', '--data', TRADES, '--signal', 'ou', '--param', 'bogus=1', '--out', out + '.x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus/);
    const bad2 = edgelab(['signals', '--data', TRADES, '--signal', 'macd', '--out', out + '.x']);
    expect(bad2.stderr).toMatch(/unknown signal 'macd'/);
    expect(fs.existsSync(out + '.x')).toBe(false);
    fs.rmSync(out);
  });
});
