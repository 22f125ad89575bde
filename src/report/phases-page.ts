/** The phase checklist page and its JSON: view model (strings only) → Handlebars → atomic write. */
import { renderTemplate, writeReport } from './render';
import { int, stableJson } from './format';
import type { CriterionRow, PhasesResult } from './phases';

const STATUS_CLASS: Record<CriterionRow['status'], string> = { pass: 'status-pass', fail: 'status-fail', 'not measurable': 'status-na' };

function rowsTable(rows: CriterionRow[], id: string, withPhase: boolean) {
  return {
    id,
    caption: '',
    columns: [...(withPhase ? [{ label: 'phase' }] : []), { label: 'criterion (the plan’s words)' }, { label: 'threshold' }, { label: 'measured' }, { label: 'status' }, { label: 'why' }, { label: 'evidence' }],
    rows: rows.map((r) => ({
      cls: 'criterion-row',
      cells: [
        ...(withPhase ? [{ text: r.phase, cls: '' }] : []),
        { text: r.criterion, cls: '' },
        { text: r.threshold, cls: '' },
        { text: r.measured, cls: '' },
        { text: r.status, cls: `status ${STATUS_CLASS[r.status]}` },
        { text: r.why, cls: 'note' },
        { text: r.evidence, cls: 'note' },
      ],
    })),
  };
}

export interface PageMeta {
  /** ISO time the page says it was generated (injected: --now). */
  generatedAt: string;
  version: string;
}

export function renderPhasesHtml(res: PhasesResult, meta: PageMeta): string {
  const c = res.counts;
  const defs = [...res.criteria, ...res.finalChecklist].filter((r) => r.definition);
  const evidence = [...new Set([...res.criteria, ...res.finalChecklist].flatMap((r) => r.evidence.split('; ')).filter((e) => e && e !== '—'))];
  return renderTemplate('phases', {
    date: res.date,
    generatedAt: meta.generatedAt,
    version: meta.version,
    dataLine: `${res.data.kind} ${res.data.file}, ${int(res.data.rows)} rows, ${res.data.from ?? '—'} → ${res.data.to ?? '—'}`,
    headline: `${res.criteria.length} success criteria: ${c.pass} pass, ${c.fail} fail, ${c.notMeasurable} not measurable.`,
    verdictClass: c.fail ? 'bad' : c.notMeasurable ? 'open' : 'good',
    criteriaTable: rowsTable(res.criteria, 'criteria', true),
    checklistTable: rowsTable(res.finalChecklist, 'checklist', false),
    definitions: defs.map((d) => ({ criterion: d.criterion, definition: d.definition! })),
    evidence,
  });
}

export function phasesJson(res: PhasesResult, meta: PageMeta): string {
  const strip = (r: CriterionRow) => ({ phase: r.phase, criterion: r.criterion, threshold: r.threshold, measured: r.measured, status: r.status, why: r.why, evidence: r.evidence, ...(r.definition ? { definition: r.definition } : {}) });
  return stableJson({ date: res.date, generatedAt: meta.generatedAt, edgelabVersion: meta.version, summary: res.summary, data: res.data, counts: res.counts, criteria: res.criteria.map(strip), finalChecklist: res.finalChecklist.map(strip) });
}

/** Render both files in memory, then write them and the index as one unit. */
export function writePhasesReport(dir: string, res: PhasesResult, meta: PageMeta) {
  const html = renderPhasesHtml(res, meta);
  const json = phasesJson(res, meta);
  return writeReport(dir, { html, json, base: `phases-${res.date}`, kind: 'phases', date: res.date, summary: res.summary, generatedAt: meta.generatedAt, standalone: true });
}
