/**
 * resolveRunConfig: the precedence it documents (built-in → preset defaults
 * → preset strategy block → --config defaults → --config strategy block),
 * and refusals of bad and unknown fields that name the path, the bound and
 * the unit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_SPECS, PRESETS, RULE_SPECS, resolveRunConfig, type PresetFile } from '../../src/config/run-config';
import { PLAN_MIN_HOLD_MS } from '../../src/risk/min-hold';
import { registerStrategy } from '../../src/strategies/registry';
import { UserError } from '../../src/util/errors';

const resolve = (overrides?: PresetFile | string, preset = 'phase2', strategies = ['V1', 'V4']) => resolveRunConfig({ preset, strategies, overrides });

describe('precedence', () => {
  it('step 0: with nothing said, built-in values: ParamSpec defaults and the plan minimum hold of the type', () => {
    // `before` sets minHoldMs 0 in defaults; phase2's defaults do not set it and V1's block does — use a key neither sets.
    const c = resolve(undefined, 'phase2');
    expect(c.strategies.V1.params.windowMs).toBe(60_000); // V1_OFI.params.windowMs.default
    expect(c.strategies.V1.rules.maxHoldMs).toBeNull();
    PRESETS.__bare = { name: '__bare' };
    try {
      const b = resolve(undefined, '__bare');
      expect(b.strategies.V1.rules.minHoldMs).toBe(PLAN_MIN_HOLD_MS.microstructure);
      expect(b.strategies.V4.rules.minHoldMs).toBe(PLAN_MIN_HOLD_MS.mean_reversion);
      expect(b.strategies.V1.rules.stopPct).toBeNull();
    } finally {
      delete PRESETS.__bare;
    }
  });

  it('step 1: preset defaults reach every strategy, including a user strategy with no block', () => {
    registerStrategy({
      id: 'UserX',
      name: 'user',
      type: 'event',
      description: 'test',
      params: { k: { default: 1, unit: 'count', doc: 'k' } },
      signals: (tape) => ({ entry: new Int8Array(tape.length) }),
    });
    const c = resolve(undefined, 'phase2', ['V1', 'UserX']);
    // phase2 defaults: stopPct 0.5, targetPct 1.5, signalExit false, 1/10/50 limits
    for (const id of ['V1', 'UserX']) {
      expect(c.strategies[id].rules.stopPct).toBe(0.5);
      expect(c.strategies[id].rules.targetPct).toBe(1.5);
      expect(c.strategies[id].rules.signalExit).toBe(false);
      expect(c.strategies[id].rules.limits).toEqual({ perMinute: 1, perHour: 10, perDay: 50 });
    }
  });

  it('step 2: the preset strategy block overrides the preset defaults', () => {
    // phase3 defaults signalExit false; its V4 block turns the z-score exit back on.
    const c = resolve(undefined, 'phase3');
    expect(c.strategies.V4.rules.signalExit).toBe(true);
    expect(c.strategies.V1.rules.signalExit).toBe(false);
  });

  it('step 3: --config defaults override the preset strategy block', () => {
    // phase2's V1 block sets minHoldMs 300000; V4's 1800000.
    expect(resolve().strategies.V1.rules.minHoldMs).toBe(300_000);
    const c = resolve({ name: 'x', defaults: { minHoldMs: 1000 } });
    expect(c.strategies.V1.rules.minHoldMs).toBe(1000);
    expect(c.strategies.V4.rules.minHoldMs).toBe(1000);
  });

  it('step 4: the --config strategy block overrides the --config defaults', () => {
    const c = resolve({ name: 'x', defaults: { minHoldMs: 1000, stopPct: 0.7 }, strategies: { V4: { minHoldMs: 2000, zEntry: 3 } } });
    expect(c.strategies.V4.rules.minHoldMs).toBe(2000);
    expect(c.strategies.V1.rules.minHoldMs).toBe(1000);
    expect(c.strategies.V4.rules.stopPct).toBe(0.7);
    expect(c.strategies.V4.params.zEntry).toBe(3);
  });

  it('engine: built-in, then preset, then --config; a --config file on disk works as an object does', () => {
    expect(resolve().engine.slippageBps).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-cfg-'));
    const f = path.join(dir, 'c.json');
    fs.writeFileSync(f, JSON.stringify({ engine: { slippageBps: 2, sizing: { mode: 'fraction', fraction: 0.5 } } }));
    const c = resolve(f);
    expect(c.engine.slippageBps).toBe(2);
    expect(c.engine.sizing).toEqual({ mode: 'fraction', fraction: 0.5 });
    expect(c.engine.fees).toEqual({ maker: 0.0002, taker: 0.0004 }); // preset value kept
  });

  it('null switches a rule off at a later step; all three limits null means no limiter', () => {
    const c = resolve({ strategies: { V1: { stopPct: null, maxTradesPerMinute: null, maxTradesPerHour: null, maxTradesPerDay: null } } } as PresetFile);
    expect(c.strategies.V1.rules.stopPct).toBeNull();
    expect(c.strategies.V1.rules.limits).toBeNull();
    expect(c.strategies.V4.rules.stopPct).toBe(0.5);
  });
});

/** The UserError message of resolving `overrides`, or fail. */
function refusal(overrides: unknown, strategies = ['V1']): string {
  try {
    resolve(overrides as PresetFile, 'phase2', strategies);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(overrides)}`);
}

describe('bad fields are refused naming the path, the bound and the unit', () => {
  it('stopPct 0: the issue’s example, no RangeError from the engine', () => {
    expect(refusal({ strategies: { V1: { stopPct: 0 } } })).toBe('config: strategies.V1.stopPct: must be > 0%, or null for no stop, got 0');
  });

  const rows: [string, unknown, RegExp][] = [
    ['stopPct negative', { strategies: { V1: { stopPct: -1 } } }, /strategies\.V1\.stopPct: must be > 0%/],
    ['stopPct above 100%', { strategies: { V1: { stopPct: 150 } } }, /strategies\.V1\.stopPct: must be ≤ 100%, got 150/],
    ['targetPct 0 in defaults', { defaults: { targetPct: 0 } }, /defaults\.targetPct: must be > 0%/],
    ['targetPct as a string', { strategies: { V1: { targetPct: '1.5' } } }, /strategies\.V1\.targetPct: expected a number > 0%, or null \(no target\).*got "1\.5"/],
    ['minHoldMs negative', { strategies: { V1: { minHoldMs: -5 } } }, /strategies\.V1\.minHoldMs: must be ≥ 0 ms, got -5/],
    ['maxHoldMs 0', { strategies: { V1: { maxHoldMs: 0 } } }, /maxHoldMs: must be > 0 ms, or null for no time exit, got 0/],
    ['maxTradesPerMinute 0 (silently meant "no limit" before)', { defaults: { maxTradesPerMinute: 0 } }, /defaults\.maxTradesPerMinute: must be ≥ 1 \(entries\), or null for no limit, got 0/],
    ['maxTradesPerHour 2.5', { strategies: { V1: { maxTradesPerHour: 2.5 } } }, /maxTradesPerHour: must be an integer \(entries\), got 2\.5/],
    ['minConfirmations 5', { strategies: { V1: { minConfirmations: 5 } } }, /minConfirmations: must be ≤ 4 \(confirmations\), got 5/],
    ['confirmationRegimeProb 1.5', { defaults: { confirmationRegimeProb: 1.5 } }, /confirmationRegimeProb: must be ≤ 1 \(probability\)/],
    ['signalExit "yes"', { strategies: { V1: { signalExit: 'yes' } } }, /signalExit: expected true or false, got "yes"/],
    ['bracketDuringHold "maybe"', { strategies: { V1: { bracketDuringHold: 'maybe' } } }, /bracketDuringHold: expected "active" or "blocked", got "maybe"/],
    ['a parameter above its declared max', { strategies: { V1: { imbalanceThreshold: 1.2 } } }, /strategies\.V1\.imbalanceThreshold: must be ≤ 1 \(fraction\), got 1\.2/],
    ['a parameter below its declared min', { strategies: { V1: { windowMs: 0 } } }, /strategies\.V1\.windowMs: must be ≥ 1 ms, got 0/],
    ['a parameter null', { strategies: { V1: { windowMs: null } } }, /strategies\.V1\.windowMs: expected a number ≥ 1 ms; null is not allowed here/],
    ['an integer parameter fractional', { strategies: { V1: { minWindowTrades: 2.5 } } }, /minWindowTrades: must be an integer \(trades\)/],
    ['sizing.notional 0', { engine: { sizing: { mode: 'fixed', notional: 0 } } }, /engine\.sizing\.notional: must be > 0 \(quote currency\)/],
    ['sizing.fraction 20', { engine: { sizing: { mode: 'fraction', fraction: 20 } } }, /engine\.sizing\.fraction: must be ≤ 10 × capital/],
    ['sizing without a mode', { engine: { sizing: { notional: 5 } } }, /engine\.sizing\.notional: unknown field|engine\.sizing\.mode: expected "fixed" or "fraction"/],
    ['fees.taker negative', { engine: { fees: { maker: 0.0002, taker: -0.1 } } }, /engine\.fees\.taker: must be ≥ 0 \(fraction of notional\)/],
    ['fees.maker written as a percent', { engine: { fees: { maker: 2, taker: 0.0004 } } }, /engine\.fees\.maker: must be ≤ 0\.1 \(fraction of notional\)/],
    ['initialCapital 0', { engine: { initialCapital: 0 } }, /engine\.initialCapital: must be > 0 \(quote currency\)/],
    ['slippageBps negative', { engine: { slippageBps: -1 } }, /engine\.slippageBps: must be ≥ 0 bps/],
    ['maxGapMs 0', { engine: { maxGapMs: 0 } }, /engine\.maxGapMs: must be > 0 ms/],
    ['execution offsetPct 50', { engine: { execution: { mode: 'maker', offsetPct: 50 } } }, /engine\.execution\.offsetPct: must be < 50%/],
    ['execution timeoutMs negative', { engine: { execution: { mode: 'maker', timeoutMs: -1 } } }, /engine\.execution\.timeoutMs: must be ≥ 0 ms/],
    ['a strategy block that is not an object', { strategies: { V1: [1] } }, /strategies\.V1: expected an object of parameters/],
    ['engine that is not an object', { engine: 3 }, /engine: expected an object/],
  ];
  it.each(rows)('%s', (_label, overrides, message) => {
    const m = refusal(overrides);
    expect(m).toMatch(message);
    expect(m.startsWith('config: ')).toBe(true);
  });

  it('a block for a strategy the run does not include is checked too', () => {
    expect(refusal({ strategies: { V2: { stopPct: 0 } } }, ['V1'])).toMatch(/strategies\.V2\.stopPct: must be > 0%/);
    expect(refusal({ strategies: { V2: { bogus: 1 } } }, ['V1'])).toMatch(/strategies\.V2\.bogus: unknown parameter for V2/);
  });

  it('a bad value in a --config file names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-cfg-'));
    const f = path.join(dir, 'bad.json');
    fs.writeFileSync(f, JSON.stringify({ strategies: { V1: { stopPct: 0 } } }));
    expect(() => resolve(f)).toThrow(`${f}: strategies.V1.stopPct: must be > 0%`);
  });

  it('every rule and engine spec states a unit or is not a number', () => {
    for (const [k, s] of Object.entries({ ...RULE_SPECS, ...ENGINE_SPECS })) {
      const spec = s as { type?: string; unit?: string };
      if (spec.type === undefined) expect(spec.unit, k).toBeTruthy();
    }
  });
});

describe('unknown keys are refused, naming the key and what is known', () => {
  const rows: [string, unknown, RegExp][] = [
    ['top level', { stratgies: {} }, /config: stratgies: unknown top-level field/],
    ['engine', { engine: { fee: 1 } }, /engine\.fee: unknown engine field \(known: fees, slippageBps/],
    ['defaults: a strategy parameter is not a rule every strategy has', { defaults: { imbalanceThreshold: 0.5 } }, /defaults\.imbalanceThreshold: not a rule every strategy has/],
    ['strategy block', { strategies: { V1: { stopPc: 1 } } }, /strategies\.V1\.stopPc: unknown parameter for V1 \(parameters: imbalanceThreshold.*rules: stopPct/],
    ['strategy id', { strategies: { V9: {} } }, /strategies\.V9: unknown strategy 'V9'/],
    ['fees', { engine: { fees: { maker: 0.0002, taker: 0.0004, rebate: 1 } } }, /engine\.fees\.rebate: unknown field/],
    ['sizing', { engine: { sizing: { mode: 'fixed', notional: 10, fraction: 1 } } }, /engine\.sizing\.fraction: unknown field for mode "fixed"/],
    ['execution', { engine: { execution: { mode: 'maker', offset: 1 } } }, /engine\.execution\.offset: unknown field/],
  ];
  it.each(rows)('%s', (_label, overrides, message) => {
    expect(refusal(overrides)).toMatch(message);
  });
});
