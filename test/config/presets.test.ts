/**
 * The preset files: strategy blocks hold only what differs from the preset's
 * `defaults`, and trimming them changed nothing — every strategy under every
 * preset resolves to exactly the configuration it had before the trim.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS, RULE_KEYS, resolveRunConfig } from '../../src/config/run-config';
import { PLAN_STRATEGY_IDS } from '../../src/strategies/registry';

const unwrap = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in (v as object) ? (v as { value: unknown }).value : v);

/**
 * `resolveRunConfig` of every preset × strategy (and of all eight together),
 * written by the code at commit 957fee9, when every block still restated
 * every default (script: resolve and JSON.stringify, as below).
 */
const BEFORE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'config', 'resolved-presets-957fee9.json'), 'utf8')) as Record<string, unknown>;

describe('preset files', () => {
  it.each(Object.keys(PRESETS))('%s: no strategy block repeats a value of defaults', (name) => {
    const file = PRESETS[name];
    const defaults = Object.fromEntries(Object.entries(file.defaults ?? {}).filter(([k]) => !k.startsWith('_')).map(([k, v]) => [k, unwrap(v)]));
    const repeats: string[] = [];
    for (const [id, block] of Object.entries(file.strategies ?? {})) {
      for (const [k, v] of Object.entries(block)) if (k in defaults && Object.is(unwrap(v), defaults[k])) repeats.push(`strategies.${id}.${k}`);
      expect(Object.keys(block).length, `strategies.${id} is empty: leave it out`).toBeGreaterThan(0);
    }
    expect(repeats).toEqual([]);
  });

  it.each(Object.keys(PRESETS))('%s: defaults hold rules only, and every field says where it comes from', (name) => {
    const file = PRESETS[name];
    for (const [k, v] of Object.entries(file.defaults ?? {})) {
      if (k.startsWith('_')) continue;
      expect(RULE_KEYS as readonly string[]).toContain(k);
      expect(typeof (v as { source?: unknown }).source, `defaults.${k}.source`).toBe('string');
    }
    for (const [id, block] of Object.entries(file.strategies ?? {})) {
      for (const [k, v] of Object.entries(block)) expect(typeof (v as { source?: unknown }).source, `strategies.${id}.${k}.source`).toBe('string');
    }
  });

  it('every strategy × preset resolves exactly as before the blocks were trimmed', () => {
    const now: Record<string, unknown> = {};
    for (const p of Object.keys(PRESETS)) {
      now[`${p}:all`] = resolveRunConfig({ preset: p, strategies: [...PLAN_STRATEGY_IDS] });
      for (const id of PLAN_STRATEGY_IDS) now[`${p}:${id}`] = resolveRunConfig({ preset: p, strategies: [id] });
    }
    // Through JSON, as the snapshot was written (undefined fields drop out the same way on both sides).
    expect(JSON.parse(JSON.stringify(now))).toEqual(BEFORE);
    expect(Object.keys(BEFORE)).toHaveLength(4 * 9);
  });

  it('editing a preset default now reaches V1–V8 (it did not while every block restated it)', () => {
    const phase2 = structuredClone(PRESETS.phase2);
    (phase2.defaults as Record<string, unknown>).stopPct = { value: 0.8, source: 'test' };
    PRESETS.__edited = phase2;
    try {
      const cfg = resolveRunConfig({ preset: '__edited', strategies: [...PLAN_STRATEGY_IDS] });
      for (const id of PLAN_STRATEGY_IDS) expect(cfg.strategies[id].rules.stopPct, id).toBe(0.8);
    } finally {
      delete PRESETS.__edited;
    }
  });
});
