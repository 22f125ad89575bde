/**
 * Executes every notebooks/*.ipynb headless with the tslab kernel (via
 * Debian's Jupyter nbconvert, installed by scripts/setup-test-env.sh) and
 * checks the outputs: no cell errors, a plotly div from every cell that calls
 * `plot(`, an HTML table from every cell that calls `table(`, the plotly bundle
 * from the `initPlotly(` cell. The notebooks import the BUILT library, so
 * `dist/` must exist (`npm test`'s pretest builds it).
 *
 * Also checks that the committed notebooks carry no outputs (git stays clean),
 * that the first code cell is tagged `parameters` (papermill's convention:
 * the one cell a user edits to point the notebook at their own data), and
 * that the last code cell prints the finding (one line on stdout).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { afterAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, '..');
// EDGELAB_NOTEBOOKS_DIR: check another folder (for debugging the harness itself).
const NB_DIR = path.resolve(ROOT, process.env['EDGELAB_NOTEBOOKS_DIR'] ?? 'notebooks');
const PYTHON = '/usr/bin/python3';
const EXEC_TIMEOUT_MS = 15 * 60_000;

const notebooks = fs
  .readdirSync(NB_DIR)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  metadata?: { tags?: string[] };
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

const joined = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join('') : (s ?? ''));
const readNotebook = (file: string): Notebook => JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
const htmlOutputs = (cell: Cell): string[] =>
  (cell.outputs ?? []).map((o) => joined(o.data?.['text/html'])).filter((h) => h.length > 0);
/** Source with // and /* comments dropped, so a mention in a comment doesn't count as a call. */
const codeOf = (cell: Cell): string =>
  joined(cell.source)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');

it('finds notebooks to check', () => {
  expect(notebooks.length).toBeGreaterThan(0);
});

describe('committed notebooks', () => {
  it.each(notebooks)('%s is committed without outputs and uses the tslab kernel', (name) => {
    const nb = readNotebook(path.join(NB_DIR, name));
    expect(nb.metadata.kernelspec?.name).toBe('tslab');
    const dirty = nb.cells
      .map((c, i) => ({ i, c }))
      .filter(({ c }) => c.cell_type === 'code' && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null))
      .map(({ i }) => i);
    expect(
      dirty,
      `cells with outputs/execution counts; clear them with: ${PYTHON} -m jupyter nbconvert --clear-output --inplace notebooks/${name}`,
    ).toEqual([]);
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    expect(code.length, `${name} has no code cell`).toBeGreaterThan(0);
    expect(code[0]!.metadata?.tags ?? [], `${name}: the first code cell must be tagged "parameters" (cell metadata {"tags": ["parameters"]})`).toContain('parameters');
    for (const c of nb.cells) {
      // tslab fails a cell that declares `export function` (empty <Error>).
      if (c.cell_type === 'code') expect(codeOf(c)).not.toMatch(/^\s*export\s/m);
    }
  });
});

describe('notebooks execute headless', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-nb-'));
  let failures = 0;
  afterAll(() => {
    if (failures > 0) console.error(`executed notebooks kept for inspection in ${outDir}`);
    else fs.rmSync(outDir, { recursive: true, force: true });
  });

  it.each(notebooks)(
    '%s runs without errors and renders its charts and tables',
    async (name) => {
      try {
        await executeAndCheck(name, outDir);
      } catch (e) {
        failures++;
        throw e;
      }
    },
    EXEC_TIMEOUT_MS + 60_000,
  );
});

async function executeAndCheck(name: string, outDir: string): Promise<void> {
  expect(
    fs.existsSync(path.join(ROOT, 'dist', 'src', 'index.js')),
    'dist/ is not built: run `npm run build` (npm test does it in pretest)',
  ).toBe(true);

  const env = {
    ...process.env,
    // The tslab kernelspec runs `tslab` from PATH: use the project's own.
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env['PATH'] ?? ''}`,
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };
  const nbconvert = (dir: string, extra: string[] = []) =>
    execFileAsync(
      PYTHON,
      [
        '-m', 'jupyter', 'nbconvert',
        '--to', 'notebook',
        '--execute',
        '--ExecutePreprocessor.timeout=600',
        '--ExecutePreprocessor.kernel_name=tslab',
        ...extra,
        '--output-dir', dir,
        path.join(NB_DIR, name),
      ],
      { cwd: ROOT, env, timeout: EXEC_TIMEOUT_MS, maxBuffer: 64 << 20 },
    );
  const t0 = process.hrtime.bigint();
  try {
    await nbconvert(outDir);
    console.log(`${name}: executed in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
  } catch (e) {
    const err = e as Error & { stderr?: string; code?: number | string };
    const stderr = err.stderr ?? err.message;
    const at = stderr.indexOf('CellExecutionError:');
    const summary = at >= 0 ? stderr.slice(at) : stderr.split('\n').slice(-60).join('\n');
    throw new Error(`nbconvert failed on ${name} (exit ${String(err.code)}):\n${summary}${await diagnose(nbconvert, outDir, name)}`);
  }

  const executed = readNotebook(path.join(outDir, name));
  const code = executed.cells.filter((c) => c.cell_type === 'code');

  const errors = code.flatMap((c, i) =>
    (c.outputs ?? [])
      .filter((o) => o.output_type === 'error')
      .map((o) => `code cell ${i + 1}: ${o.ename}: ${o.evalue}\n${(o.traceback ?? []).join('\n')}`),
  );
  expect(errors, errors.join('\n\n')).toEqual([]);
  // (tslab leaves execution_count null, so it cannot show which cells ran; nbconvert stops at the first error.)

  let bundles = 0;
  for (const [i, c] of code.entries()) {
    const src = codeOf(c);
    const html = htmlOutputs(c);
    const label = `code cell ${i + 1} of ${name}`;
    if (/\binitPlotly\s*\(/.test(src)) {
      const init = html.filter((h) => h.includes('(function(define,module,exports)') && h.includes('window.Plotly'));
      expect(init.length, `${label}: no plotly.js bundle output`).toBe(1);
      expect(init[0]!.length, `${label}: plotly.js bundle output too small`).toBeGreaterThan(1_000_000);
      bundles++;
    }
    if (/\bplot\s*\(/.test(src)) {
      const charts = html.filter((h) => /<div id="plotly-[\w-]+" class="edgelab-plot"/.test(h) && h.includes('newPlot('));
      expect(charts.length, `${label}: calls plot() but produced no plotly div`).toBeGreaterThan(0);
      for (const h of charts) {
        expect(h.length, `${label}: a chart output inlines more than it should`).toBeLessThan(2_000_000);
      }
    }
    if (/\btable\s*\(/.test(src)) {
      const tables = html.filter((h) => /<table[\s>]/.test(h) && /<td[\s>]/.test(h));
      expect(tables.length, `${label}: calls table() but produced no HTML table with data`).toBeGreaterThan(0);
    }
  }
  // The finding: the last code cell prints one sentence built from the results (not a markdown cell typed by hand).
  const last = code[code.length - 1]!;
  const printed = (last.outputs ?? [])
    .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
    .map((o) => joined(o.text))
    .join('')
    .trim();
  expect(printed, `${name}: the last code cell prints nothing; it must print the notebook's finding`).not.toBe('');
  expect(printed.split('\n').length, `${name}: the last code cell must print ONE sentence (one line), got:\n${printed}`).toBe(1);
  expect(codeOf(last), `${name}: the last code cell must compute its sentence (a template string from the results)`).toMatch(/`[^`]*\$\{/);
  console.log(`${name}: ${printed}`);

  const plotsSomething = code.some((c) => /\bplot\s*\(/.test(codeOf(c)));
  if (plotsSomething) expect(bundles, `${name} plots but never calls initPlotly()`).toBe(1);
}

/**
 * tslab reports a compile error as an empty `<Error>` reply; the message is a
 * stderr stream output, which nbconvert drops when it aborts. Re-run with
 * --allow-errors to recover the stderr/error outputs of every code cell.
 */
async function diagnose(
  nbconvert: (dir: string, extra?: string[]) => Promise<unknown>,
  outDir: string,
  name: string,
): Promise<string> {
  const dir = path.join(outDir, 'allow-errors');
  try {
    await nbconvert(dir, ['--allow-errors']);
    const nb = readNotebook(path.join(dir, name));
    const lines: string[] = [];
    nb.cells
      .filter((c) => c.cell_type === 'code')
      .forEach((c, i) => {
        for (const o of c.outputs ?? []) {
          if (o.output_type === 'error') lines.push(`code cell ${i + 1}: ${o.ename}: ${o.evalue}`);
          if (o.output_type === 'stream' && o.name === 'stderr') lines.push(`code cell ${i + 1} stderr: ${joined(o.text).trim()}`);
        }
      });
    return lines.length > 0 ? `\n\nstderr/errors per code cell (re-run with --allow-errors):\n${lines.join('\n')}` : '';
  } catch (e) {
    return `\n\n(re-run with --allow-errors failed too: ${(e as Error).message.slice(0, 500)})`;
  }
}
