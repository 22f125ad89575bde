import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../util/errors';
import { checkNumberText, type ValueSpec } from '../core/param-check';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict flag parsing for every command: an unknown flag or a missing value
 * is a UserError naming the flag, not a stack trace.
 */
export type FlagValues<O extends Options> = {
  [K in keyof O]?: O[K]['multiple'] extends true ? string[] : O[K]['type'] extends 'boolean' ? boolean : string;
};

export function parseFlags<O extends Options>(argv: string[], options: O, usage: string): FlagValues<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as FlagValues<O>;
  } catch (e) {
    throw new UserError(`${(e as Error).message}\nusage: ${usage}`);
  }
}

/** A required string flag. */
export function required(values: Record<string, unknown>, name: string, usage: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UserError(`missing --${name}\nusage: ${usage}`);
  return v;
}

/**
 * A numeric flag; names the flag when the value is not a finite number. With
 * a spec, the value also goes through the one parameter check (bounds,
 * integer, unit in the message).
 */
export function numberFlag(values: Record<string, unknown>, name: string, fallback: number, spec?: ValueSpec): number {
  const v = values[name];
  if (v === undefined) return fallback;
  if (spec) return checkNumberText(String(v), spec, `--${name}`);
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x)) {
    throw new UserError(`--${name} must be a number, got '${String(v)}'`);
  }
  return x;
}
