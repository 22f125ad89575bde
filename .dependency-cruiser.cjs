/**
 * edgelab's layers, declared once. Bottom → top: a module may import from its
 * own layer or any layer BELOW it, never above. test/architecture/layers.test.ts
 * runs these rules over src/ in the test suite (and over a fixture with a
 * planted back-edge, to prove they bite); README "Layout" describes each layer.
 *
 * Why this order (read from the imports, not wished):
 *  - util: errors, atomic writes, package root; imports nothing of ours and
 *    is used by every layer (core's parameter check throws its UserError).
 *  - core: the contracts (ledger row, StrategySignals, TradeRules, Sizing,
 *    ParamSpec) and the one parameter check.
 *  - data: tapes, readers, load/validate, fetch, the shared market loaders.
 *  - analytics sits BELOW signals (not above backtest as first drafted):
 *    signals/ofi and signals/vpin use its normal CDF (analytics/stats), and
 *    the metrics are pure functions of ledger rows (core), so nothing in it
 *    needs the engine.
 *  - signals → strategies → risk (the confirmation gate reads signals) →
 *    exits → execution → backtest (the engine loop, ledger builder, audit,
 *    portfolio replay).
 *  - config reads presets and builds engine settings from all of the above.
 *  - run: the compositions (runBacktest, portfolio runner, outputs) — above
 *    config, because they call resolveRunConfig.
 *  - research, report, promote (report and promote may be empty for now:
 *    their rules already hold so new code lands in the right place),
 *    notebook (display helpers), cli, and src/index.ts (the public API) on top.
 */
const LAYERS = [
  'util',
  'core',
  'data',
  'analytics',
  'signals',
  'strategies',
  'risk',
  'exits',
  'execution',
  'backtest',
  'config',
  'run',
  'research',
  'report',
  'promote',
  'notebook',
  'cli',
  'index.ts',
];

const pathOf = (layer) => (layer.endsWith('.ts') ? `^src/${layer.replace(/\./g, '\\.')}$` : `^src/${layer}/`);
const anyOf = (layers) => layers.map(pathOf).join('|');

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.replace(/\.ts$/, '')}`,
  comment: `${layer} may import only from ${LAYERS.slice(0, i + 1).join(', ')} (layer order in .dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: anyOf(LAYERS.slice(i + 1)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'a cycle makes two modules one; cut it at a contract in a lower layer',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-test-or-bench',
      comment: 'the library must not depend on its tests or benchmarks',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'unlayered-module',
      comment: `every src module lives in a declared layer: add a new folder to LAYERS in .dependency-cruiser.cjs (${LAYERS.join(' < ')})`,
      severity: 'error',
      from: { path: '^src/', pathNot: anyOf(LAYERS) },
      to: {},
    },
    {
      name: 'to-unlayered-module',
      comment: `every src module lives in a declared layer: add a new folder to LAYERS in .dependency-cruiser.cjs (${LAYERS.join(' < ')})`,
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: anyOf(LAYERS) },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a back-edge through `import type` is still a back-edge.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};

// The order itself, for the test that checks every src/ folder is in it (not part of the cruiser's schema).
Object.defineProperty(module.exports, 'layers', { value: LAYERS, enumerable: false });
