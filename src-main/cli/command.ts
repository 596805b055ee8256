/**
 * One `gammadesk` command: its help text, its flags and what it runs. Commands live in tables (main.ts has the
 * market and session commands; each analysis adds its own table under cli/commands/) that main.ts merges.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, type FlagSpec, type ParsedArgs } from './args';

export interface Command {
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Resolves to the exit code; throws UsageError for wrong arguments (exit 2) and anything else for failures (exit 1). */
  run(args: ParsedArgs): Promise<number>;
}

export type CommandTable = Record<string, Command>;

/** `--db FILE`, the same for every command that opens the database. */
export const dbFlag: FlagSpec = { type: 'string', description: 'SQLite database file (default: $GAMMADESK_HOME/gammadesk.db or ~/.gammadesk/gammadesk.db)' };

/** Parses a flag's value, turning a parser's error into a UsageError that names the flag. */
export function parsed<T>(flag: string, parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (error) {
    throw new UsageError(`--${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A text file a command was given (a positions CSV, a parameters file); a failure names the file and the reason. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}
