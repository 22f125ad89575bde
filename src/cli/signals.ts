import * as path from 'node:path';
import type { Command } from './command';
import { parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { loadData } from '../data/load';
import { getSignal, resolveSignalParams, SIGNALS } from '../signals/registry';
import { writeFileAtomic } from '../util/atomic-write';
import { csvCell, csvLine } from '../util/csv';
import { int } from './format';
import { unitsHelp } from './units-help';

const USAGE = `edgelab signals --data <file> [--data <file> …] --signal ${Object.keys(SIGNALS).join('|')} [--param name=value …] --out <file.csv>`;

/**
 * Export a formula's series for outside analysis: CSV with `timestamp` (ms,
 * the row's time; bars: the bar's open time, value known at its close) and
 * one column per output, named as in the library. Undefined values are empty.
 */
export const signalsCommand: Command = {
  help: () => unitsHelp((s) => s.startsWith('signals')),
  summary: 'Export a formula (vpin, ofi, kyle, ou, hmm) over a tape as CSV.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(
      argv,
      { data: { type: 'string', multiple: true }, signal: { type: 'string' }, param: { type: 'string', multiple: true }, out: { type: 'string' } },
      USAGE,
    );
    const files = v.data ?? [];
    if (!files.length) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const spec = getSignal(required(v, 'signal', USAGE));
    const out = required(v, 'out', USAGE);
    const params = resolveSignalParams(spec, v.param ?? []);
    const { tape, warnings } = loadData(files.length === 1 ? files[0] : files);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (tape.kind === 'quotes' || !spec.accepts.includes(tape.kind)) {
      throw new UserError(`${files.join(', ')}: ${spec.name} needs ${spec.accepts.join(' or ')}, this file holds ${tape.kind}`);
    }
    const cols = spec.compute(tape, params);
    const names = spec.outputs;
    const lines: string[] = [csvLine(['timestamp', ...names])];
    const arrays = names.map((n) => cols[n]);
    for (let i = 0; i < tape.length; i++) {
      let line = csvCell(tape.time[i]);
      for (const a of arrays) line += ',' + csvCell(a[i]);
      lines.push(line);
    }
    writeFileAtomic(out, lines.join('\n') + '\n');
    process.stdout.write(`${spec.name}: ${int(tape.length)} rows × ${names.join(', ')} → ${path.resolve(out)}\n`);
    return 0;
  },
};
