import * as vm from 'vm';
import { describe, expect, it } from 'vitest';
import { DataFrame } from 'danfojs-node';
import {
  escapeHtml,
  escapeScriptSource,
  formatCell,
  initPlotly,
  newPlotId,
  plot,
  plotHtml,
  plotlyBundle,
  plotlyInitHtml,
  scriptJson,
  table,
  tableHtml,
} from '../../src/notebook/display';

/** The JS inside the first `<script>…</script>` of an HTML payload. */
function scriptOf(html: string): string {
  const m = /<script>([\s\S]*)<\/script>/.exec(html);
  if (!m || m[1] === undefined) throw new Error('no script in ' + html.slice(0, 200));
  return m[1];
}

/** Counts case-insensitive occurrences of `</script`. */
function closeTags(html: string): number {
  return (html.match(/<\/script/gi) ?? []).length;
}

describe('escaping', () => {
  it('escapes HTML special characters', () => {
    expect(escapeHtml(`<b a="1">Tom & 'Jerry'</b>`)).toBe(
      '&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;',
    );
  });

  it('scriptJson never contains < and round-trips', () => {
    const v = { s: '</script><!-- x -->', n: [1, 2.5], u: 'a\u2028b' };
    const j = scriptJson(v);
    expect(j).not.toContain('<');
    expect(j).not.toContain('\u2028');
    expect(JSON.parse(j)).toEqual(v);
    expect(scriptJson(undefined)).toBe('null');
  });

  it('escapeScriptSource neutralises </script in any case', () => {
    const src = 'var a="</script>", b="</SCRIPT >", c=/<\\/script/;';
    const out = escapeScriptSource(src);
    expect(closeTags(out)).toBe(0);
    // The escaped source still evaluates to the same strings.
    const ctx: Record<string, unknown> = {};
    vm.runInNewContext(out + 'this.a=a;this.b=b;', ctx);
    expect(ctx['a']).toBe('</script>');
    expect(ctx['b']).toBe('</SCRIPT >');
  });
});

describe('plotlyInitHtml', () => {
  it('wraps the real bundle once, with exactly one closing </script>', () => {
    const html = plotlyInitHtml();
    expect(html.length).toBeGreaterThan(plotlyBundle().length);
    expect(html.startsWith('<script>if(!window.Plotly){(function(define,module,exports){')).toBe(true);
    expect(html.endsWith('}).call(window);}</script>')).toBe(true);
    expect(closeTags(html)).toBe(1);
  });

  it('escapes a </script inside the bundle', () => {
    const html = plotlyInitHtml('window.x = "</script><script>alert(1)</Script>";');
    expect(closeTags(html)).toBe(1);
    expect(html).toContain('<\\/script><script>alert(1)<\\/Script>');
  });

  it('puts an AMD-aware UMD bundle on window.Plotly even with require.js present', () => {
    // Mimics plotly.js <= 3: registers with define() when define.amd exists.
    const umd =
      '(function(root,factory){if(typeof define==="function"&&define.amd){define([],factory)}' +
      'else if(typeof module==="object"&&module.exports){module.exports=factory()}' +
      'else{root.Plotly=factory()}})(this,function(){return {version:"fake"}});';
    const defined: unknown[] = [];
    const win: Record<string, unknown> = {};
    win['window'] = win;
    const define = (...args: unknown[]): void => void defined.push(args);
    (define as unknown as { amd: object }).amd = {};
    win['define'] = define;
    win['module'] = { exports: {} };
    vm.runInNewContext(scriptOf(plotlyInitHtml(umd)), win);
    expect(defined).toHaveLength(0);
    expect(win['Plotly']).toEqual({ version: 'fake' });
    // A second init is a no-op in the browser.
    win['Plotly'] = 'kept';
    vm.runInNewContext(scriptOf(plotlyInitHtml(umd)), win);
    expect(win['Plotly']).toBe('kept');
  });
});

describe('plotHtml', () => {
  it('gives unique ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newPlotId()));
    expect(ids.size).toBe(2000);
    const a = /id="([^"]+)"/.exec(plotHtml([]))?.[1];
    const b = /id="([^"]+)"/.exec(plotHtml([]))?.[1];
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });

  it('is small, escapes data, and draws with the given data and layout', () => {
    const data = [{ x: [1, 2], y: [3, Number.NaN], name: '</script><img src=x onerror=alert(1)>' }];
    const layout = { title: { text: 'a < b' } };
    const html = plotHtml(data, layout, 300, 'plot-test-1');
    expect(html.length).toBeLessThan(1500);
    expect(closeTags(html)).toBe(1);
    expect(html).not.toContain('<img');
    expect(html).toContain('<div id="plot-test-1"');
    expect(html).toContain('height:300px');

    const calls: unknown[][] = [];
    const el = { id: 'plot-test-1', textContent: '' };
    const win: Record<string, unknown> = {
      document: { getElementById: (id: string) => (id === 'plot-test-1' ? el : null) },
      setTimeout: () => 0,
    };
    win['window'] = win;
    win['Plotly'] = { newPlot: (...args: unknown[]) => void calls.push(args) };
    vm.runInNewContext(scriptOf(html), win);
    expect(calls).toHaveLength(1);
    const [target, d, l, cfg] = calls[0] as [unknown, unknown, unknown, unknown];
    expect(target).toBe(el);
    expect(d).toEqual([{ x: [1, 2], y: [3, null], name: data[0]?.name }]);
    expect(l).toEqual(layout);
    expect(cfg).toEqual({ responsive: true });
  });

  it('polls and finally writes a hint when plotly never loads', () => {
    const el = { textContent: '' };
    let ticks = 0;
    const win: Record<string, unknown> = {
      document: { getElementById: () => el },
      setTimeout: (f: () => void) => {
        ticks++;
        f();
        return 0;
      },
    };
    win['window'] = win;
    vm.runInNewContext(scriptOf(plotHtml([{ y: [1] }], {}, 200, 'p2')), win);
    expect(ticks).toBe(200);
    expect(el.textContent).toContain('initPlotly()');
  });

  it('rejects bad heights and ids', () => {
    expect(() => plotHtml([], {}, 0)).toThrow(RangeError);
    expect(() => plotHtml([], {}, Number.NaN)).toThrow(RangeError);
    expect(() => plotHtml([], {}, 100, 'x" onload="y')).toThrow(RangeError);
  });
});

describe('tableHtml', () => {
  const rows = [
    { strategy: 'V1', preset: 'before', trades: 12, winRate: 0.41666666, note: '<b>bold</b> & co' },
    { strategy: 'V4', preset: 'phase2', trades: 3, winRate: 1, note: null },
  ];

  it('renders rows with header, escaping and number formatting', () => {
    const html = tableHtml(rows, { caption: 'Metrics <all>' });
    expect(html.startsWith('<table')).toBe(true);
    expect(html).toContain('<caption style="text-align:left;font-weight:bold">Metrics &lt;all&gt;</caption>');
    const headers = [...html.matchAll(/<th [^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(['strategy', 'preset', 'trades', 'winRate', 'note']);
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; co');
    expect(html).not.toContain('<b>');
    expect(html).toContain('>0.4167</td>');
    expect(html).toContain('>12</td>');
    expect((html.match(/<tr>/g) ?? []).length).toBe(3);
    // Numeric columns align right (header too), text columns left.
    expect(html).toContain('<th style="text-align:right;padding:2px 8px;border-bottom:1px solid #999">trades</th>');
    expect(html).toContain('<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #999">strategy</th>');
    expect(html).toContain('<td style="text-align:left;padding:2px 8px">V1</td>');
  });

  it('honours columns, headers, formats, digits and maxRows', () => {
    const html = tableHtml(rows, {
      columns: ['strategy', 'winRate'],
      headers: { winRate: 'Win rate' },
      formats: { winRate: (v) => `${((v as number) * 100).toFixed(1)}%` },
      maxRows: 1,
    });
    expect(html).toContain('>Win rate</th>');
    expect(html).not.toContain('preset');
    expect(html).toContain('>41.7%</td>');
    expect(html).not.toContain('V4');
    expect(html).toContain('… 1 more rows');
    expect(tableHtml([{ x: 1.23456 }], { digits: 2 })).toContain('>1.23</td>');
  });

  it('renders a danfo DataFrame, with optional index', () => {
    const df = new DataFrame([
      { a: 1, b: 'x<y' },
      { a: 2.5, b: 'z' },
    ]);
    const html = tableHtml(df, { index: true });
    expect(html).toContain('>x&lt;y</td>');
    expect(html).toContain('>2.5000</td>');
    expect(html).toContain('<th style="text-align:left;padding:2px 8px">1</th>');
    expect(() => tableHtml(df, { columns: ['nope'] })).toThrow(/no column "nope"/);
  });

  it('formats special values', () => {
    expect(formatCell(undefined)).toBe('');
    expect(formatCell(Number.NaN)).toBe('NaN');
    expect(formatCell(Infinity)).toBe('∞');
    expect(formatCell(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(formatCell({ a: 1 })).toBe('{"a":1}');
  });
});

describe('emitting', () => {
  it('sends the HTML to an injected sink', () => {
    const got: string[] = [];
    const sink = (h: string): void => void got.push(h);
    initPlotly(sink);
    plot([{ y: [1, 2] }], { title: { text: 't' } }, 250, sink);
    table([{ a: 1 }], {}, sink);
    expect(got).toHaveLength(3);
    expect(got[0]?.length).toBeGreaterThan(1_000_000);
    expect(got[1]).toContain('class="edgelab-plot"');
    expect(got[2]).toContain('<table');
  });

  it('fails clearly outside a tslab kernel', () => {
    expect(() => table([{ a: 1 }])).toThrow(/tslab/);
  });
});
