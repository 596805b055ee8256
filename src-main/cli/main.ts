/**
 * `gammadesk` command line. Each command validates its arguments and exits 2 with a usage message when they
 * are wrong; runtime failures exit 1 with the reason.
 */
import { APP_VERSION } from '../app/app';
import { intFlag, parseArgs, UsageError } from './args';
import { dbFlag, parsed, type Command, type CommandTable } from './command';
import { analyzeFile, toCsv } from './analyze';
import { auditCommands } from './commands/audit';
import { forecastCommands } from './commands/forecast';
import { parseDuration, parseTime } from './progress';
import { serve } from './serve';
import { DERIBIT_COMMANDS } from './commands/deribit';
import { HEDGE_COMMANDS } from './commands/hedge';
import { learnCommands } from './commands/learn';
import { modelsCommands } from './commands/models';
import { analyzeSession, importTardisFiles, recordSession, replaySession } from './session';
import { SURFACE_COMMANDS } from './commands/surface';
import { riskCommands } from './commands/risk';

const COMMANDS: CommandTable = {
  serve: {
    summary: 'run the headless host on 127.0.0.1 and serve the UI to a browser (demo market by default)',
    usage: 'gammadesk serve [--port N] [--db FILE] [--import-dir DIR] [--seed N]',
    flags: {
      port: { type: 'string', description: 'TCP port on 127.0.0.1 (default: a free port)' },
      db: dbFlag,
      'import-dir': { type: 'string', description: 'the only folder the UI may import files from (default: imports next to the database)' },
      seed: { type: 'string', description: 'demo market seed (default 42)' },
    },
    async run({ positionals, flags }) {
      if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got ${positionals.join(' ')}`);
      const port = intFlag(flags, 'port', { min: 1, max: 65535 });
      const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 - 1 });
      const running = await serve({
        ...(port !== undefined ? { port } : {}),
        ...(typeof flags['db'] === 'string' ? { dbPath: flags['db'] } : {}),
        ...(typeof flags['import-dir'] === 'string' ? { importFolder: flags['import-dir'] } : {}),
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

COMMANDS['record'] = {
  summary: 'record a market session (demo or live Deribit) into the event log',
  usage: 'gammadesk record --session NAME [--source demo|deribit|deribit-testnet] [--duration 10m] [--db FILE] [--seed N]',
  flags: {
    session: { type: 'string', description: 'name of the new session (required, unique)' },
    source: { type: 'string', description: 'demo (default), deribit (mainnet) or deribit-testnet' },
    duration: { type: 'string', description: 'stop after this long, e.g. 90s, 10m, 2h (default: until Ctrl-C)' },
    db: dbFlag,
    seed: { type: 'string', description: 'demo market seed (default 42)' },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`record takes no arguments, got ${positionals.join(' ')}`);
    const session = flags['session'];
    if (typeof session !== 'string' || session.trim() === '') throw new UsageError('--session NAME is required');
    const source = flags['source'] ?? 'demo';
    if (source !== 'demo' && source !== 'deribit' && source !== 'deribit-testnet') {
      throw new UsageError(`--source must be demo, deribit or deribit-testnet, got ${String(source)}`);
    }
    const durationMs = typeof flags['duration'] === 'string' ? parsed('duration', parseDuration, flags['duration']) : undefined;
    const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 - 1 });
    const result = await recordSession({
      source,
      session,
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(typeof flags['db'] === 'string' ? { dbPath: flags['db'] } : {}),
      ...(seed !== undefined ? { seed } : {}),
    });
    console.log(JSON.stringify(result));
    return 0;
  },
};

COMMANDS['replay'] = {
  summary: 'replay a recorded session through the engine and report (deterministic)',
  usage: 'gammadesk replay SESSION [--speed 1|10|max] [--from T] [--to T] [--report json] [--db FILE]',
  flags: {
    speed: { type: 'string', description: 'recorded seconds per wall second, or max (default max)' },
    from: { type: 'string', description: 'start time (ISO 8601 or epoch ms); earlier events only build the state' },
    to: { type: 'string', description: 'stop time (ISO 8601 or epoch ms)' },
    report: { type: 'string', description: 'json: print the report as JSON on stdout' },
    db: dbFlag,
  },
  async run({ positionals, flags }) {
    if (positionals.length !== 1) throw new UsageError('replay needs exactly one SESSION name');
    const rawSpeed = flags['speed'] ?? 'max';
    const speed = rawSpeed === 'max' ? 'max' : Number(rawSpeed);
    if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0)) throw new UsageError(`--speed must be a positive number or max, got ${String(rawSpeed)}`);
    if (flags['report'] !== undefined && flags['report'] !== 'json') throw new UsageError(`--report takes json, got ${String(flags['report'])}`);
    const fromMs = typeof flags['from'] === 'string' ? parsed('from', parseTime, flags['from']) : undefined;
    const toMs = typeof flags['to'] === 'string' ? parsed('to', parseTime, flags['to']) : undefined;
    if (fromMs !== undefined && toMs !== undefined && toMs < fromMs) throw new UsageError('--to is before --from');
    const report = await replaySession({
      session: positionals[0]!,
      speed,
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMs !== undefined ? { toMs } : {}),
      ...(typeof flags['db'] === 'string' ? { dbPath: flags['db'] } : {}),
    });
    if (flags['report'] === 'json') console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`${report.events} events over ${report.span_seconds.toFixed(1)} s of market time, replayed in ${report.wall_seconds} s (${report.events_per_second} events/s)`);
      console.log(`final analytics snapshot sha256 ${report.snapshot_sha256}`);
    }
    return 0;
  },
};

COMMANDS['import'] = {
  summary: 'import Tardis.dev CSV files (options_chain, trades, derivative_ticker, book_snapshot_25) as a session',
  usage: 'gammadesk import tardis FILE... --session NAME [--db FILE]',
  flags: {
    session: { type: 'string', description: 'name of the new session (required, unique)' },
    db: dbFlag,
  },
  async run({ positionals, flags }) {
    const [format, ...files] = positionals;
    if (format !== 'tardis') throw new UsageError(`import supports the format tardis, got ${format === undefined ? 'nothing' : JSON.stringify(format)}`);
    if (files.length === 0) throw new UsageError('import tardis needs at least one FILE (.csv or .csv.gz)');
    const session = flags['session'];
    if (typeof session !== 'string' || session.trim() === '') throw new UsageError('--session NAME is required');
    const report = await importTardisFiles({ files, session, ...(typeof flags['db'] === 'string' ? { dbPath: flags['db'] } : {}) });
    console.log(JSON.stringify(report, null, 2));
    return report.cancelled ? 130 : 0;
  },
};

COMMANDS['analyze'] = {
  summary: 'IVs, greeks and dealer gamma exposure of a Tardis options_chain file, or GEX of a recorded session',
  usage:
    'gammadesk analyze FILE [--format json|csv] [--at ISO-TIME] [--dealer naive|short] [--vol-dynamics sticky-strike|sticky-moneyness]\n' +
    '       gammadesk analyze --session NAME --at ISO-TIME [--dealer naive|short|flow] [--vol-dynamics …] [--db FILE]',
  flags: {
    format: { type: 'string', description: 'json (default) or csv (the per-instrument records) on stdout; bad rows go to stderr' },
    at: { type: 'string', description: 'as-of time (ISO 8601 or epoch ms): the latest row per symbol at or before it (default: the last time in the file)' },
    dealer: { type: 'string', description: 'dealer positioning for the gex object: naive (default: long calls, short puts), short (short all), flow (from trades: needs --session)' },
    session: { type: 'string', description: 'a recorded session to replay up to --at instead of a file' },
    'vol-dynamics': { type: 'string', description: 'sticky-strike (default: each option keeps its IV) or sticky-moneyness (IV follows K/F) for the GEX profile' },
    db: dbFlag,
  },
  async run({ positionals, flags }) {
    const dealer = flags['dealer'] ?? 'naive';
    if (dealer !== 'naive' && dealer !== 'short' && dealer !== 'flow') throw new UsageError(`--dealer must be naive, short or flow, got ${String(dealer)}`);
    const atMs = typeof flags['at'] === 'string' ? parsed('at', parseTime, flags['at']) : undefined;
    const rawDynamics = flags['vol-dynamics'] ?? 'sticky-strike';
    if (rawDynamics !== 'sticky-strike' && rawDynamics !== 'sticky-moneyness') throw new UsageError(`--vol-dynamics must be sticky-strike or sticky-moneyness, got ${String(rawDynamics)}`);
    const dynamics = rawDynamics === 'sticky-strike' ? 'stickyStrike' : 'stickyMoneyness';
    if (typeof flags['session'] === 'string') {
      if (positionals.length > 0) throw new UsageError('give either FILE or --session, not both');
      if (atMs === undefined) throw new UsageError('--session needs --at T (the time to analyze the session at)');
      const report = await analyzeSession({ session: flags['session'], atMs, dealer, dynamics, ...(typeof flags['db'] === 'string' ? { dbPath: flags['db'] } : {}) });
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('analyze needs exactly one FILE (or --session NAME --at T)');
    if (dealer === 'flow') throw new UsageError('--dealer flow needs the trades of a recorded session: use --session NAME --at T');
    const format = flags['format'] ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, got ${String(format)}`);
    const report = await analyzeFile({ file: positionals[0]!, dealer, dynamics, ...(atMs !== undefined ? { atMs } : {}), progress: process.stderr.isTTY === true });
    for (const bad of report.bad_row_samples) console.error(`${positionals[0]}:${bad.line}: skipped: ${bad.reason}`);
    if (report.bad_rows > report.bad_row_samples.length) console.error(`… ${report.bad_rows - report.bad_row_samples.length} more bad rows`);
    if (format === 'csv') process.stdout.write(toCsv(report.instruments));
    else console.log(JSON.stringify(report, null, 2));
    return 0;
  },
};

// Each analysis adds its commands from its own table in cli/commands/, one line each below.
Object.assign(COMMANDS, SURFACE_COMMANDS);
Object.assign(COMMANDS, auditCommands);
Object.assign(COMMANDS, DERIBIT_COMMANDS);
Object.assign(COMMANDS, HEDGE_COMMANDS);
Object.assign(COMMANDS, forecastCommands);
Object.assign(COMMANDS, riskCommands);
Object.assign(COMMANDS, learnCommands);
Object.assign(COMMANDS, modelsCommands);

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
  // Own keys only: `gammadesk constructor` or `toString` must be unknown commands, not Object.prototype members.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
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
