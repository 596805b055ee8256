/**
 * `gammadesk` command line. Each command validates its arguments and exits 2 with a usage message when they
 * are wrong; runtime failures exit 1 with the reason.
 */
import { APP_VERSION } from '../app/app';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args';
import { serve } from './serve';

interface Command {
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  run(args: ReturnType<typeof parseArgs>): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'run the headless host on 127.0.0.1 and serve the UI to a browser (demo market by default)',
    usage: 'gammadesk serve [--port N] [--db FILE] [--seed N]',
    flags: {
      port: { type: 'string', description: 'TCP port on 127.0.0.1 (default: a free port)' },
      db: { type: 'string', description: 'SQLite database file (default: $GAMMADESK_HOME/gammadesk.db or ~/.gammadesk/gammadesk.db)' },
      seed: { type: 'string', description: 'demo market seed (default 42)' },
    },
    async run({ positionals, flags }) {
      if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got ${positionals.join(' ')}`);
      const port = intFlag(flags, 'port', { min: 1, max: 65535 });
      const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 - 1 });
      const running = await serve({
        ...(port !== undefined ? { port } : {}),
        ...(typeof flags['db'] === 'string' ? { dbPath: flags['db'] } : {}),
        ...(seed !== undefined ? { seed } : {}),
      });
      console.log(`GammaDesk ${APP_VERSION} (browser mode) — database ${running.app.info().dbPath}`);
      console.log(`Open ${running.host.url}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          console.log('\nStopping…');
          void running.stop().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    },
  },
};

function help(): string {
  const lines = [`GammaDesk ${APP_VERSION} — crypto-options risk cockpit`, '', 'Usage: gammadesk <command> [options]', '', 'Commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  lines.push('', 'Run `gammadesk <command> --help` for its options.');
  return lines.join('\n');
}

function commandHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', 'Options:'];
  for (const [name, flag] of Object.entries(command.flags)) lines.push(`  --${name.padEnd(10)} ${flag.description}`);
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(APP_VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`gammadesk: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(parseArgs(rest, command.flags));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`gammadesk ${name}: ${error.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    console.error(`gammadesk ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
