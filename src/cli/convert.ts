import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from './command';
import { parseFlags, required } from './args';
import { UserError } from '../util/errors';
import { loadData } from '../data/load';
import { writeColumnarFile } from '../data/columnar-file';
import { int } from './format';

const USAGE = 'edgelab convert --data <file> [--data <file> …] --out <file.feather>';

/**
 * Convert any market data file edgelab reads (CSV, JSON Lines, captures,
 * freqtrade files; several consecutive files join into one tape) into an
 * edgelab columnar file: validated once, re-read later at file-read speed.
 */
export const convertCommand: Command = {
  summary: 'Convert a market data file into an edgelab columnar file (Arrow IPC / Feather v2) that loads without parsing.',
  usage: USAGE,
  async run(argv) {
    const v = parseFlags(argv, { data: { type: 'string', multiple: true }, out: { type: 'string' } }, USAGE);
    const files = v.data ?? [];
    if (!files.length) throw new UserError(`missing --data\nusage: ${USAGE}`);
    const out = required(v, 'out', USAGE);
    if (files.some((f) => path.resolve(f) === path.resolve(out))) throw new UserError(`--out ${out} is also an input; choose another file`);
    const t0 = process.hrtime.bigint();
    // The conversion itself is the cache: do not also write one beside the source.
    const { tape, warnings, format } = loadData(files.length === 1 ? files[0] : files, { cache: 'off' });
    const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    writeColumnarFile(out, tape);
    const bytes = fs.statSync(out).size;
    process.stdout.write(
      `${format} → edgelab columnar: ${int(tape.length)} ${tape.kind} (${(bytes / 1e6).toFixed(1)} MB, read and checked in ${(loadMs / 1000).toFixed(2)} s) → ${path.resolve(out)}\n`,
    );
    return 0;
  },
};
