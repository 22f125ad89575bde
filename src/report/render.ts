/**
 * Pages: Handlebars templates (src/report/templates/*.hbs, loaded from the
 * package root so the plain-tsc build needs no copy step), plotly written
 * once to `<dir>/assets/` (or inlined with `standalone`), and atomic writes
 * of a page, its JSON and the folder's index as one unit.
 *
 * Templates hold loops and conditions only: every string they print was
 * formatted by src/report/format.ts before rendering.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../util/package-root';
import { jsonSafe } from '../util/json';
import type { Figure } from './charts';

export const TEMPLATE_DIR = path.join(packageRoot(), 'src', 'report', 'templates');
export const PLOTLY_ASSET = 'assets/plotly.min.js';

let env: typeof Handlebars | null = null;

/** One Handlebars environment with every `_*.hbs` registered as a partial (named without the underscore). */
function handlebars(): typeof Handlebars {
  if (env) return env;
  const h = Handlebars.create();
  for (const f of fs.readdirSync(TEMPLATE_DIR).sort()) {
    if (f.startsWith('_') && f.endsWith('.hbs')) h.registerPartial(f.slice(1, -4), fs.readFileSync(path.join(TEMPLATE_DIR, f), 'utf8'));
  }
  return (env = h);
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Render `templates/<name>.hbs` with the view (strict: a missing field is an error, not an empty cell). */
export function renderTemplate(name: string, view: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = handlebars().compile(fs.readFileSync(path.join(TEMPLATE_DIR, `${name}.hbs`), 'utf8'), { strict: true });
    compiled.set(name, t);
  }
  return t(view);
}

/** JSON safe to place inside a <script> element (no `</script>`, no HTML comment openers). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, jsonSafe)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function plotlySource(): string {
  return fs.readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
}

/** A chart as the template's `chart` partial expects it. */
export interface ChartView {
  id: string;
  title: string;
  caption: string;
  json: string;
}

export function chartView(id: string, fig: Figure, caption = ''): ChartView {
  return { id, title: fig.title, caption, json: scriptJson({ data: fig.data, layout: fig.layout }) };
}

/** The plotly <script> of a page: a relative reference, or the library inlined. */
export function plotlyTag(standalone: boolean): { plotlyInline: string | null; plotlySrc: string | null } {
  if (!standalone) return { plotlyInline: null, plotlySrc: PLOTLY_ASSET };
  return { plotlyInline: plotlySource().replace(/<\/script/gi, '<\\/script'), plotlySrc: null };
}

export interface ReportEntry {
  file: string;
  kind: 'daily' | 'phases';
  date: string;
  summary: string;
}

/** Every report in a folder, newest first, read from the JSON beside each page. */
export function listReports(dir: string, extra: ReportEntry[] = []): ReportEntry[] {
  const byFile = new Map<string, ReportEntry>();
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir)) {
      const m = /^(daily|phases)-(\d{4}-\d{2}-\d{2})\.html$/.exec(f);
      if (!m) continue;
      let summary = '';
      try {
        const j = JSON.parse(fs.readFileSync(path.join(dir, f.replace(/\.html$/, '.json')), 'utf8'));
        summary = typeof j.summary === 'string' ? j.summary : '';
      } catch {
        /* a page without its JSON is still listed */
      }
      byFile.set(f, { file: f, kind: m[1] as ReportEntry['kind'], date: m[2], summary });
    }
  }
  for (const e of extra) byFile.set(e.file, e);
  return [...byFile.values()].sort((a, b) => (a.date === b.date ? a.kind.localeCompare(b.kind) : b.date.localeCompare(a.date)));
}

export function renderIndex(entries: ReportEntry[], generatedAt: string): string {
  const kinds = [
    { kind: 'daily', title: 'Daily edge validation' },
    { kind: 'phases', title: 'Phase success criteria' },
  ];
  return renderTemplate('index', {
    generatedAt,
    groups: kinds.map((k) => ({ title: k.title, reports: entries.filter((e) => e.kind === k.kind), empty: !entries.some((e) => e.kind === k.kind) })),
  });
}

/**
 * Write a page, its JSON and the regenerated index as one unit. Everything is
 * rendered in memory first (the caller passes finished strings), so a failing
 * render never reaches the folder; the files are then staged and moved in.
 */
export function writeReport(dir: string, page: { html: string; json: string; base: string; kind: ReportEntry['kind']; date: string; summary: string; generatedAt: string; standalone: boolean }): { html: string; json: string; index: string } {
  const entry: ReportEntry = { file: `${page.base}.html`, kind: page.kind, date: page.date, summary: page.summary };
  const index = renderIndex(listReports(dir, [entry]), page.generatedAt);
  const files: Record<string, string> = { [`${page.base}.html`]: page.html, [`${page.base}.json`]: page.json, 'index.html': index };
  if (!page.standalone) {
    const asset = path.join(dir, PLOTLY_ASSET);
    const src = plotlySource();
    if (!fs.existsSync(asset) || fs.statSync(asset).size !== Buffer.byteLength(src)) files[PLOTLY_ASSET] = src;
  }
  writeFilesAllOrNothing(dir, files);
  return { html: path.join(dir, `${page.base}.html`), json: path.join(dir, `${page.base}.json`), index: path.join(dir, 'index.html') };
}

/**
 * Write files into `dir` so that either all of them are replaced or none:
 * everything is staged beside the folder first (a failure there touches
 * nothing), the current versions are hard-linked aside, then the staged files
 * are moved in, in the given order (the index last); if a move fails, the
 * moved ones are put back from the links (or removed when they are new).
 */
export function writeFilesAllOrNothing(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(path.dirname(path.resolve(dir)), `.${path.basename(dir)}.staging-`));
  try {
    const names = Object.keys(files).sort((a, b) => (a === 'index.html' ? 1 : b === 'index.html' ? -1 : 0));
    names.forEach((name, k) => {
      fs.writeFileSync(path.join(stage, `new-${k}`), files[name]);
      const dest = path.join(dir, name);
      if (fs.existsSync(dest) && fs.statSync(dest).isFile()) fs.linkSync(dest, path.join(stage, `old-${k}`));
    });
    const moved: number[] = [];
    try {
      names.forEach((name, k) => {
        const dest = path.join(dir, name);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.renameSync(path.join(stage, `new-${k}`), dest);
        moved.push(k);
      });
    } catch (e) {
      for (const k of moved.reverse()) {
        const dest = path.join(dir, names[k]);
        const old = path.join(stage, `old-${k}`);
        if (fs.existsSync(old)) fs.renameSync(old, dest);
        else fs.rmSync(dest, { force: true });
      }
      throw e;
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
