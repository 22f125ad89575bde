/**
 * Typed CommonJS handle on `simple-statistics`.
 *
 * The package ships `"type": "module"` typings, so under `module: node16` a
 * CommonJS file cannot `import { mean } from 'simple-statistics'` (TS1479).
 * Its `exports` map does provide a `require` build (`dist/simple-statistics.cjs`),
 * so we load that with `require` and borrow the ESM typings type-only.
 */
import type * as SimpleStatistics from 'simple-statistics' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ss: typeof SimpleStatistics = require('simple-statistics');

export default ss;
