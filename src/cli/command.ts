/**
 * A CLI command: parses its own argv, returns an exit code. Its own module, so
 * the commands need not import main.ts, which loads them (no cycle).
 */
export interface Command {
  summary: string;
  usage: string;
  /** More `--help` text after the usage (e.g. every config key with its unit and bounds). */
  help?: () => string;
  run(argv: string[]): Promise<number>;
}
