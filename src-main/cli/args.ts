/** A strict, small argument parser: unknown flags and missing values are errors with a clear message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** `string` takes a value; `boolean` is a switch. */
  type: 'string' | 'boolean';
  description: string;
  /** A string flag that may be given more than once: every value is kept in order in `ParsedArgs.lists`. */
  repeatable?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
  /** Every value of each repeatable flag given, in order (`flags` holds the last). */
  lists?: Record<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  let lists: Record<string, string[]> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    // Own keys only: `--constructor` or `--toString` must not find Object.prototype members.
    const flag = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!flag) throw new UsageError(`unknown option --${name}`);
    if (flag.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    flags[name] = value;
    if (flag.repeatable) ((lists ??= {})[name] ??= []).push(value);
  }
  return lists ? { positionals, flags, lists } : { positionals, flags };
}

/** A flag holding a positive finite number (absent: undefined); anything else is a UsageError naming it. */
export function positiveFlag(flags: ParsedArgs['flags'], name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !(value > 0) || !Number.isFinite(value)) throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

export function intFlag(flags: ParsedArgs['flags'], name: string, range: { min: number; max: number }): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}, got ${String(raw)}`);
  }
  return value;
}
