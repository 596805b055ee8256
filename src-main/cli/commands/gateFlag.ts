/**
 * `--gate CRITERION` of `gammadesk train` and `gammadesk evaluate` (learn.ts): the criterion the gate against the
 * Whalley–Wilmott band is decided on (core/learn/criterion.ts), and the gate line that names it.
 */
import { criterionLabel, parseCriterion, type Criterion } from '../../core/learn/criterion';
import type { Db } from '../../store/database';
import { HedgeSettingsStore } from '../../app/hedgeSettings';
import { SettingsRepository } from '../../store/settings';
import { UsageError, type FlagSpec, type ParsedArgs } from '../args';

export const GATE_FLAG: Record<string, FlagSpec> = {
  gate: { type: 'string', description: 'criterion of the gate against Whalley-Wilmott: entropic[:λ], es99, es95, es:α, mv[:a] (default: with a database, train --db and models gate, the trader\'s criterion stored there; else entropic with the problem\'s λ)' },
};

/**
 * The `--gate` criterion; without the flag, the trader's criterion stored in `db` (the app's setting) when there is a
 * database, else entropic with the problem's λ. A bad spelling is a usage error naming the accepted forms.
 */
export function gateCriterion(flags: ParsedArgs['flags'], lambda: number, db: Db | null = null): Criterion {
  const text = flags['gate'];
  if (text === undefined) return db ? new HedgeSettingsStore(new SettingsRepository(db), () => Date.now()).criterion() : { kind: 'entropic', lambda };
  if (typeof text !== 'string') throw new UsageError('--gate needs a criterion: entropic[:λ], es99, es95, es:α, mv[:a]');
  try {
    return parseCriterion(text, lambda);
  } catch (error) {
    throw new UsageError(`--gate: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The gate as the JSON reports carry it (snake_case like the rest of them). */
export function gateJson(gate: { criterion: Criterion; difference: { value: number; standardError: number }; passed: boolean }): { baseline: 'ww'; criterion: Criterion; criterion_label: string; difference: { value: number; standard_error: number }; passed: boolean } {
  return { baseline: 'ww', criterion: gate.criterion, criterion_label: criterionLabel(gate.criterion), difference: { value: gate.difference.value, standard_error: gate.difference.standardError }, passed: gate.passed };
}

/** "vs Whalley-Wilmott, ES 99 %   -0.2134 ± 0.041 (paired): passes the gate". */
export function gateLine(gate: { criterion_label: string; difference: { value: number; standard_error: number }; passed: boolean }): string {
  const { value, standard_error } = gate.difference;
  return `${`vs Whalley-Wilmott, ${gate.criterion_label}`.padEnd(22)} ${value.toPrecision(6)} ± ${standard_error.toPrecision(2)} (paired): ${gate.passed ? 'passes the gate' : 'does not pass the gate'}`;
}
