/**
 * The report pages in a real browser: Debian's Chromium driven by
 * playwright-core (never a downloaded browser). Every page is opened from
 * file://, must make no request outside file://, log no console error and
 * throw no page error; every chart must have rendered (plotly's .main-svg in
 * each chart div) and every checklist row must carry a status. Screenshots go
 * to test/.output/report/ (git-ignored).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { edgelab, ROOT } from '../helpers/cli';
import { bundledData } from '../../src/data/bundled';
import { liveRows, realLedgers, writeFreqtradeExport, writeLiveCsv } from './report-fixtures';

const SHOTS = path.join(ROOT, 'test', '.output', 'report');
let browser: Browser;
const pages: Record<string, string> = {};

function run(args: string[]): void {
  const r = edgelab(args);
  if (r.code !== 0) throw new Error(`edgelab ${args.join(' ')} → ${r.code}\n${r.stderr}`);
}

beforeAll(async () => {
  // The pages stay beside the screenshots for a human to open (test/.output is git-ignored).
  const PAGES = path.join(SHOTS, 'pages');
  fs.rmSync(PAGES, { recursive: true, force: true });
  fs.mkdirSync(PAGES, { recursive: true });
  const out = path.join(PAGES, 'reports');
  const inputs = path.join(PAGES, 'inputs');
  fs.mkdirSync(inputs);
  const ft = writeFreqtradeExport(inputs, realLedgers());
  run(['report', 'daily', '--from', ft, '--data', bundledData.bars5m, '--now', '2024-09-06T12:00:00Z', '--out', path.join(PAGES, 'freqtrade')]);
  pages.freqtrade = path.join(PAGES, 'freqtrade', 'daily-2024-09-06.html');
  const live = writeLiveCsv(path.join(inputs, 'live-bot-V4.csv'), liveRows(realLedgers().V4, 5));
  run(['report', 'daily', '--from', live, '--data', bundledData.bars5m, '--now', '2024-09-06T12:00:00Z', '--out', out]);
  pages.live = path.join(out, `daily-${fs.readdirSync(out).find((f) => f.startsWith('daily-'))!.slice(6, 16)}.html`);
  run(['report', 'daily', '--from', path.join(ROOT, 'test', 'fixtures', 'trade-logs', 'live-bot.csv'), '--standalone', '--now', '2024-03-02T08:00:00Z', '--out', path.join(PAGES, 'standalone')]);
  pages.standalone = path.join(PAGES, 'standalone', 'daily-2024-03-02.html');
  run(['report', 'phases', '--data', bundledData.bars5m, '--book', bundledData.trades, '--now', '2024-09-06T12:00:00Z', '--quiet', '--out', out]);
  pages.phases = path.join(out, 'phases-2024-09-06.html');
  pages.index = path.join(out, 'index.html');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

/** Open a page from file:// and collect what went wrong. */
async function open(name: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(`file://${pages[name]}`, { waitUntil: 'load' });
  await page.waitForFunction(() => Array.from(document.querySelectorAll('div[data-figure]')).every((d) => d.querySelector('.main-svg')), null, { timeout: 30_000 }).catch(() => undefined);
  return { page, problems, outside };
}

async function chartsRendered(page: import('playwright-core').Page): Promise<{ charts: number; rendered: number }> {
  return page.evaluate(() => {
    const divs = Array.from(document.querySelectorAll('div[data-figure]'));
    return { charts: divs.length, rendered: divs.filter((d) => d.querySelector('.main-svg')).length };
  });
}

describe('report pages in Chromium', () => {
  for (const name of ['freqtrade', 'live', 'standalone'] as const) {
    it(`daily report (${name}): charts render offline, no errors, screenshot`, async () => {
      const { page, problems, outside } = await open(name);
      const c = await chartsRendered(page);
      expect(c.charts).toBeGreaterThanOrEqual(6);
      expect(c.rendered).toBe(c.charts);
      // Every table cell has text (a missing value prints as —, never empty or NaN).
      const empty = await page.evaluate(() => Array.from(document.querySelectorAll('td')).filter((td) => td.textContent!.trim() === '' || /NaN|undefined|Infinity/.test(td.textContent!)).length);
      expect(empty).toBe(0);
      if (name !== 'standalone') {
        const rec = await page.locator('table[id^="reconciliation-"]').count();
        expect(rec).toBeGreaterThan(0);
      }
      await page.screenshot({ path: path.join(SHOTS, `daily-${name}.png`), fullPage: true });
      await page.close();
      expect(problems).toEqual([]);
      expect(outside).toEqual([]);
    });
  }

  it('phase checklist: all 21 criteria and the final checklist have a status; screenshot', async () => {
    const { page, problems, outside } = await open('phases');
    const statuses = await page.evaluate(() =>
      Array.from(document.querySelectorAll('table')).map((t) => ({ id: t.id, rows: Array.from(t.querySelectorAll('tr.criterion-row')).map((r) => r.querySelector('td.status')?.textContent?.trim() ?? '') })),
    );
    const crit = statuses.find((s) => s.id === 'criteria')!;
    const check = statuses.find((s) => s.id === 'checklist')!;
    expect(crit.rows).toHaveLength(21);
    expect(check.rows).toHaveLength(10);
    for (const s of [...crit.rows, ...check.rows]) expect(['pass', 'fail', 'not measurable']).toContain(s);
    const first = await page.locator('#criteria tr.criterion-row').first().textContent();
    expect(first).toContain('Trade frequency < 100/day per strategy');
    const last = await page.locator('#criteria tr.criterion-row').last().textContent();
    expect(last).toContain('Sharpe ratio > 1.0');
    await page.screenshot({ path: path.join(SHOTS, 'phases.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('index lists every report in its folder, and its links open', async () => {
    const { page, problems, outside } = await open('index');
    const links = await page.evaluate(() => Array.from(document.querySelectorAll('a')).map((a) => a.getAttribute('href')));
    expect(links).toContain(path.basename(pages.live));
    expect(links).toContain(path.basename(pages.phases));
    await page.click(`a[href="${path.basename(pages.phases)}"]`);
    expect(page.url()).toBe(`file://${pages.phases}`);
    await page.screenshot({ path: path.join(SHOTS, 'phases-from-index.png') });
    await page.close();
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });
});
