/**
 * Every CSV edgelab writes reads back to the values it was written from:
 * integers exact (13-digit ms timestamps included), floats to the same double
 * (Object.is), non-finite/null as empty cells, strings verbatim.
 *
 * Each output is written by the real command on bundled data, parsed back,
 * and compared cell by cell with the same computation done in this process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { csvCell, csvLine, toCsv } from '../../src/util/csv';
import { createPrng } from '../../src/util/prng';
import {
  bundledData,
  calibrate,
  compareExits,
  getSignal,
  LEDGER_COLUMNS,
  loadBars,
  loadTrades,
  makeFillModel,
  NotionalRateFeeModel,
  PLAN_FEES,
  runBacktest,
  runMakerStudy,
  runPortfolio,
  scheduleOrders,
  type LedgerRow,
} from '../../src/index';
import { parseParamRange } from '../../src/research/sweep';
import { resolveSignalParams } from '../../src/signals/registry';
import { makeMarketView } from '../../src/execution/maker';
import { ORDER_COLUMNS } from '../../src/research/maker-study';
import { edgelab } from '../helpers/cli';

/** RFC 4180 reader: quoted cells with doubled quotes, commas and newlines inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

let mismatches: string[] = [];
/** One written cell against the value it came from. Counts the numeric cells compared. */
function sameCell(where: string, text: string, v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      if (text !== '') mismatches.push(`${where}: ${v} written '${text}'`);
      return 0;
    }
    const back = Number(text);
    // −0 is written 0 (as JSON does; see src/util/csv.ts); every other number must come back bit for bit.
    if (text === '' || !Object.is(back, Object.is(v, -0) ? 0 : v)) mismatches.push(`${where}: ${v} written '${text}' reads back ${back}`);
    return 1;
  }
  const want = v === null || v === undefined ? '' : String(v);
  if (text !== want) mismatches.push(`${where}: '${want}' written '${text}'`);
  return 0;
}

/** The file against expected rows (header + values): same shape, every cell the same value. Returns numeric cells checked. */
function compareFile(file: string, header: readonly string[], rows: readonly (readonly unknown[])[]): number {
  mismatches = [];
  const got = parseCsv(fs.readFileSync(file, 'utf8'));
  expect(got[0]).toEqual([...header]);
  expect(got.length - 1, `${path.basename(file)} rows`).toBe(rows.length);
  let numbers = 0;
  rows.forEach((r, i) => {
    expect(got[i + 1].length, `${path.basename(file)} line ${i + 2} width`).toBe(header.length);
    r.forEach((v, j) => (numbers += sameCell(`${path.basename(file)} line ${i + 2} ${header[j]}`, got[i + 1][j], v)));
  });
  expect(mismatches.slice(0, 10)).toEqual([]);
  return numbers;
}

const ledgerRows = (rows: readonly LedgerRow[]) => rows.map((r) => LEDGER_COLUMNS.map((c) => r[c]));
const byEntry = (a: LedgerRow, b: LedgerRow) => a.entryTime - b.entryTime || a.strategy.localeCompare(b.strategy);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-csv-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): void {
  const r = edgelab(args);
  expect(r.code, r.stderr).toBe(0);
}

describe('csvCell: the one cell writer', () => {
  test('integers exact, floats round-trip, non-finite empty, text quoted', () => {
    const cases: [unknown, string][] = [
      [1582329685907, '1582329685907'], // the ms timestamp the old 12-digit writer wrote …910
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
      [0.1 + 0.2, '0.30000000000000004'],
      [-0, '0'], // as JSON.stringify(-0): the sign of a zero product, not a value
      [0.019995992534546314, '0.019995992534546314'],
      [1e-7, '1e-7'],
      [NaN, ''],
      [Infinity, ''],
      [null, ''],
      [undefined, ''],
      [true, 'true'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
      ['cr\r', '"cr\r"'],
    ];
    for (const [v, s] of cases) expect(csvCell(v), String(v)).toBe(s);
    expect(csvLine(['x', 1.5, null])).toBe('x,1.5,');
    expect(parseCsv(toCsv(['a', 'b'], [['q"x', 'm,n']]))).toEqual([['a', 'b'], ['q"x', 'm,n']]);
  });

  test('100,000 seeded doubles of every magnitude read back as themselves', () => {
    const rng = createPrng(7);
    const buf = new Float64Array(1);
    const bits = new Uint32Array(buf.buffer);
    let checked = 0;
    const wrong: string[] = [];
    for (let k = 0; k < 100_000; k++) {
      bits[0] = rng.nextUint32();
      bits[1] = rng.nextUint32();
      const x = buf[0];
      if (!Number.isFinite(x)) continue;
      if (!Object.is(Number(csvCell(x)), x)) wrong.push(csvCell(x));
      checked++;
    }
    expect(checked).toBeGreaterThan(99_000);
    expect(wrong).toEqual([]);
  });
});

describe('every CSV output round-trips (real commands on bundled data)', () => {
  test('backtest trades.csv', () => {
    const out = path.join(tmp, 'bt');
    const all = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'];
    run(['backtest', '--data', bundledData.bars1h, '--strategies', all.join(','), '--preset', 'phase2', '--out', out, '--quiet']);
    const res = runBacktest(loadBars(bundledData.bars1h).tape, { strategies: all, preset: 'phase2' });
    const rows = Object.values(res.strategies).flatMap((r) => r.ledger).sort(byEntry);
    expect(rows.length).toBeGreaterThan(10);
    expect(compareFile(path.join(out, 'trades.csv'), LEDGER_COLUMNS, ledgerRows(rows))).toBeGreaterThan(100);
  });

  test('maker-sim orders.csv: the 13-digit fill times are the prints that filled them', () => {
    const out = path.join(tmp, 'maker');
    run(['maker-sim', '--data', bundledData.trades, '--schedule', '30s', '--timeout', '30s', '--out', out, '--quiet']);
    const tape = loadTrades(bundledData.trades).tape;
    const market = makeMarketView(tape, {});
    const orders = scheduleOrders(tape, 30_000, { startMs: market.book?.readyTime });
    const res = runMakerStudy(market, orders, {
      params: { offsetPct: 0.02, timeoutMs: 30_000, fallback: 'taker', latencyMs: 0 },
      model: makeFillModel({ model: 'trade-through', queue: 'risk-averse', power: 2 }),
      fees: new NotionalRateFeeModel({ maker: PLAN_FEES.maker, taker: PLAN_FEES.taker }, 'plan'),
      notional: 100,
      horizonMs: 30_000,
    });
    expect(res.records.length).toBe(251);
    const header = [...ORDER_COLUMNS, ...res.markoutsMs.map((h) => `markout${h / 1000}sBps`)];
    const rows = res.records.map((r) => [
      r.placedTime, r.side === 1 ? 'buy' : 'sell', r.limitPrice, r.status, r.fillRow >= 0 ? r.fillTime : null, r.fillRow >= 0 ? r.fillPrice : null,
      r.liquidity, r.fee, r.source, r.decisionTime, r.refPrice, r.refSource, r.timeToFillMs, r.queueAheadAtJoin, r.benchPrice, r.costBps, ...r.markoutBps,
    ]);
    compareFile(path.join(out, 'orders.csv'), header, rows);
    // The case of issue 8: the order placed at the print of …662031 fills on the print at …685907.
    const csv = parseCsv(fs.readFileSync(path.join(out, 'orders.csv'), 'utf8'));
    const fillTimes = new Set(Array.from(tape.time));
    const example = csv.find((r) => r[0] === '1582329662031');
    expect(example?.[4]).toBe('1582329685907');
    for (const r of csv.slice(1)) if (r[4] !== '') expect(fillTimes.has(Number(r[4])), `fillTime ${r[4]} is a print`).toBe(true);
  });

  test('signals CSV (ofi and kyle over the Tardis trades)', () => {
    const tape = loadTrades(bundledData.trades).tape;
    for (const name of ['ofi', 'kyle']) {
      const file = path.join(tmp, `${name}.csv`);
      run(['signals', '--data', bundledData.trades, '--signal', name, '--out', file]);
      const spec = getSignal(name);
      const cols = spec.compute(tape, resolveSignalParams(spec, []));
      const rows = Array.from({ length: tape.length }, (_, i) => [tape.time[i], ...spec.outputs.map((o) => cols[o][i])]);
      expect(compareFile(file, ['timestamp', ...spec.outputs], rows)).toBeGreaterThan(tape.length);
    }
  });

  test('calibrate oos-trades.csv', async () => {
    const out = path.join(tmp, 'cal');
    run(['calibrate', '--data', bundledData.bars1h, '--strategy', 'V4', '--param', 'zEntry=1.5:2.5:0.5', '--walk-forward', '3', '--workers', '1', '--out', out, '--quiet']);
    const res = await calibrate({
      tape: loadBars(bundledData.bars1h).tape,
      strategy: 'V4',
      params: [parseParamRange('zEntry=1.5:2.5:0.5')],
      preset: 'phase2',
      folds: 3,
      scheme: 'rolling',
      objective: 'edgePerTrade',
      minTrades: 10,
      search: { mode: 'grid' },
      seed: 1,
      workers: 1,
    });
    expect(res.oosLedger.length).toBeGreaterThan(0);
    compareFile(path.join(out, 'oos-trades.csv'), LEDGER_COLUMNS, ledgerRows(res.oosLedger));
  });

  test('compare-exits <policy>-trades.csv', () => {
    const out = path.join(tmp, 'cx');
    run(['compare-exits', '--data', bundledData.trades, '--strategies', 'V1,V4', '--out', out, '--quiet']);
    const res = compareExits(loadTrades(bundledData.trades).tape, { strategies: ['V1', 'V4'], preset: 'phase2', includeSignal: true, priceTolerancePct: 0.1 });
    expect(res.policies.length).toBeGreaterThan(1);
    for (const p of res.policies) compareFile(path.join(out, `${p.name}-trades.csv`), LEDGER_COLUMNS, ledgerRows(res.ledgers[p.name]));
  });

  test('portfolio equity.csv, rebalances.csv, trades.csv', () => {
    const out = path.join(tmp, 'pf');
    run(['portfolio', '--data', bundledData.bars1h, '--rebalance-every', '1d', '--out', out, '--quiet']);
    const res = runPortfolio(loadBars(bundledData.bars1h).tape, { preset: 'phase3' });
    const ids = res.correlations.ids;
    const e = res.portfolio.equity;
    compareFile(
      path.join(out, 'equity.csv'),
      ['timestamp', 'iso', 'event', 'equity', ...ids],
      e.time.map((t, k) => [t, new Date(t).toISOString(), e.event[k], e.equity[k], ...ids.map((id) => e.sleeves[id][k])]),
    );
    const rb = res.portfolio.rebalances;
    expect(rb.length).toBeGreaterThan(0);
    compareFile(
      path.join(out, 'rebalances.csv'),
      ['timestamp', 'iso', 'trigger', 'strategy', 'drift', 'drifted', 'moved', 'limitedByOpenPositions', 'equity', ...ids.map((id) => `before_${id}`), ...ids.map((id) => `after_${id}`)],
      rb.map((r) => [
        r.time, r.iso, r.trigger, r.strategy, r.drift, r.drifted.map((d) => `${d.id}:${d.drift.toFixed(6)}`).join(' '), r.moved, r.limitedByOpenPositions, r.equity,
        ...ids.map((id) => r.weightsBefore[id]), ...ids.map((id) => r.weightsAfter[id]),
      ]),
    );
    const cols = [...LEDGER_COLUMNS.slice(0, 9), 'notional', ...LEDGER_COLUMNS.slice(9)] as const;
    const trades = [...res.portfolio.trades].sort((a, b) => a.entryTime - b.entryTime || a.strategy.localeCompare(b.strategy));
    compareFile(path.join(out, 'trades.csv'), cols, trades.map((r) => cols.map((c) => (r as unknown as Record<string, unknown>)[c])));
  });
});
