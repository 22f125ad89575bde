import { UserError } from '../util/errors';
import type { Command } from './command';


/** Commands are loaded lazily so `edgelab fetch` does not pay for loading the engine, and vice versa. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  backtest: async () => (require('./backtest') as typeof import('./backtest')).backtestCommand,
  fetch: async () => (require('./fetch') as typeof import('./fetch')).fetchCommand,
  'compare-exits': async () => (require('./compare-exits') as typeof import('./compare-exits')).compareExitsCommand,
  signals: async () => (require('./signals') as typeof import('./signals')).signalsCommand,
  calibrate: async () => (require('./calibrate') as typeof import('./calibrate')).calibrateCommand,
  'phase-impact': async () => (require('./phase-impact') as typeof import('./phase-impact')).phaseImpactCommand,
  main: async () => (require('./main-job') as typeof import('./main-job')).mainJobCommand,
  'maker-sim': async () => (require('./maker-sim') as typeof import('./maker-sim')).makerSimCommand,
  portfolio: async () => (require('./portfolio') as typeof import('./portfolio')).portfolioCommand,
  validate: async () => (require('./validate') as typeof import('./validate')).validateCommand,
  promote: async () => (require('./promote') as typeof import('./promote')).promoteCommand,
  convert: async () => (require('./convert') as typeof import('./convert')).convertCommand,
  worker: async () => (require('./worker') as typeof import('./worker')).workerCommand,
  report: async () => (require('./report') as typeof import('./report')).reportCommand,
};

function help(): string {
  return [
    'edgelab — does a crypto strategy have an edge after fees?',
    '',
    'usage: edgelab <command> [options]     (edgelab <command> --help for its options)',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((c) => `  ${c}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(help() + '\n');
    return cmd ? 0 : 2;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    process.stderr.write(`edgelab: unknown command '${cmd}'\n\n${help()}\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n${command.help ? `\n${command.help()}\n` : ''}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`edgelab ${cmd}: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
