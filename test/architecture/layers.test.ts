/**
 * The layer order of .dependency-cruiser.cjs, enforced: dependency-cruiser
 * (through its API — its CLI refuses Node 20, the API runs fine on it) reads
 * every import of src/, type-only ones included, and must report no import
 * from a lower layer to a higher one, no cycle, no import of test/ or bench/,
 * and no module outside a declared layer. A fixture tree with planted
 * violations proves each rule reports what it should.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');

interface Violation {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}

async function depcruise(baseDir: string): Promise<{ violations: Violation[]; modules: string[] }> {
  const { cruise } = await import('dependency-cruiser');
  const { default: extractTSConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
  const config = createRequire(__filename)(CONFIG);
  const options = { ...config.options, tsConfig: { fileName: TSCONFIG } };
  const ruleSet = { forbidden: config.forbidden, options };
  const result = await cruise(
    ['src'],
    { ...options, baseDir, validate: true, ruleSet, outputType: 'json' },
    {},
    { tsConfig: extractTSConfig(TSCONFIG) },
  );
  const out = JSON.parse(result.output as string);
  const violations: Violation[] = out.summary.violations.map((v: any) => ({
    rule: v.rule.name,
    from: v.from,
    to: v.to,
    ...(v.cycle ? { cycle: v.cycle.map((c: any) => c.name) } : {}),
  }));
  return { violations, modules: out.modules.map((m: any) => m.source) };
}

function describeViolations(vs: readonly Violation[]): string {
  return vs.map((v) => `  ${v.from} → ${v.to}  [${v.rule}]${v.cycle ? `  cycle: ${v.cycle.join(' → ')}` : ''}`).join('\n');
}

function tsFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join('src', f.split(path.sep).join('/')));
}

describe('layers (.dependency-cruiser.cjs)', () => {
  it('src/ has no back-edge, no cycle, no import of test/ or bench/, and every module in a declared layer', async () => {
    const { violations, modules } = await depcruise(ROOT);
    // A cruise that found nothing would pass vacuously: every .ts file under src/ must have been read.
    const missing = tsFilesUnder(path.join(ROOT, 'src')).filter((f) => !modules.includes(f));
    expect(missing, 'modules dependency-cruiser did not reach').toEqual([]);
    if (violations.length) {
      throw new Error(`${violations.length} layer violation(s) (order and rules in .dependency-cruiser.cjs):\n${describeViolations(violations)}`);
    }
  });

  it('every folder of src/ is a declared layer, in the order the config declares', () => {
    const layers: string[] = createRequire(__filename)(CONFIG).layers;
    expect(layers.slice(0, 2)).toEqual(['util', 'core']);
    expect(layers.at(-1)).toBe('index.ts');
    for (const [lo, hi] of [['core', 'data'], ['analytics', 'signals'], ['backtest', 'config'], ['config', 'run'], ['run', 'research'], ['research', 'report'], ['report', 'promote'], ['promote', 'cli']]) {
      expect(layers.indexOf(lo), `${lo} below ${hi}`).toBeLessThan(layers.indexOf(hi));
    }
    const folders = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => !layers.includes(f))).toEqual([]);
  });

  it('reports each planted violation in test/fixtures/layers, and nothing else', async () => {
    const { violations } = await depcruise(path.join(ROOT, 'test', 'fixtures', 'layers'));
    const got = violations.map((v) => `${v.from} → ${v.to} [${v.rule}]`).sort();
    expect(got, describeViolations(violations)).toEqual(
      [
        'src/core/row.ts → src/cli/command.ts [layer-core]',
        'src/analytics/stat.ts → src/run/runner.ts [layer-analytics]',
        // dependency-cruiser reports a cycle once, at its first edge, with the rest of the path.
        'src/signals/a.ts → src/signals/b.ts [no-circular]',
        'src/misc/stray.ts → src/core/row.ts [unlayered-module]',
        'src/data/uses-test.ts → test/helper.ts [not-to-test-or-bench]',
        'src/data/uses-test.ts → src/misc/stray.ts [to-unlayered-module]',
      ].sort(),
    );
    expect(violations.find((v) => v.rule === 'no-circular')?.cycle).toEqual(['src/signals/b.ts', 'src/signals/a.ts']);
  });
});
