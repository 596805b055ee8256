/**
 * `gammadesk models list|export|delete`: the learned hedge policies stored in a database (by `gammadesk train --db`
 * or the app's Models view), with every gate result and its criterion, and whether each may hedge under the trader's
 * criterion; export writes the model JSON (format gammadesk-hedge-policy v1)
 * that `gammadesk evaluate --policy FILE` and any other program can read; gate re-gates a model under a criterion
 * (stored beside its other gates). A model a hedge advisor uses is not deleted.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultDbPath } from '../../app/paths';
import { HedgeSettingsStore } from '../../app/hedgeSettings';
import { openDatabase, type Db } from '../../store/database';
import { ModelRepository, type StoredModelSummary } from '../../store/models';
import { SettingsRepository } from '../../store/settings';
import { UsageError, intFlag, type ParsedArgs } from '../args';
import { dbFlag, parsed, type CommandTable } from '../command';
import { ApiException } from '../../api/errors';
import { regatePlan } from '../../app/modelsService';
import { gateDtoOf } from '../../learn/compare';
import { regateModel } from '../../learn/regate';
import { readSessionSource } from '../../learn/sessionSource';
import { GATE_FLAG, gateCriterion, gateJson, gateLine } from './gateFlag';
import { criterionKey, criterionLabel } from '../../core/learn/criterion';

function openModels(dbFlagValue: string | boolean | undefined): { db: Db; repository: ModelRepository; path: string } {
  const path = typeof dbFlagValue === 'string' ? resolve(dbFlagValue) : defaultDbPath();
  if (!existsSync(path)) throw new Error(`no database at ${path}`);
  const db = openDatabase(path);
  return { db, repository: new ModelRepository(db), path };
}

function modelId(text: string | undefined): number {
  if (text === undefined) throw new UsageError('a model ID is needed (see gammadesk models list)');
  return parsed('ID', (t) => {
    const id = Number(t);
    if (!/^\d+$/.test(t) || !Number.isSafeInteger(id) || id < 1) throw new Error(`a model id is a positive integer, got ${JSON.stringify(t)}`);
    return id;
  }, text);
}

/** Every gate with its criterion: "ES 99 %: -0.2134 ± 0.041 vs WW, passed (100000 paths); entropic λ 1: …". */
function gateText(s: StoredModelSummary): string {
  if (s.gates.length === 0) return s.passedGate ? 'passed' : 'not gated';
  return s.gates.map((g) => {
    const d = g.gate['difference'] as { value: number; standardError: number } | undefined;
    const figures = d ? `${d.value.toPrecision(4)} ± ${d.standardError.toPrecision(2)} vs WW, ` : '';
    const paths = typeof g.gate['paths'] === 'number' ? ` (${g.gate['paths']} paths)` : '';
    return `${criterionLabel(g.criterion)}: ${figures}${g.passed ? 'passed' : 'failed'}${paths}`;
  }).join('; ');
}

/**
 * `models gate ID`: the model against the Whalley–Wilmott band on its own problem's fresh test paths under `--gate`
 * (default: the trader's criterion stored in the database), in-process; the result is stored with the model.
 */
function regate(db: Db, id: number, summary: StoredModelSummary, flags: ParsedArgs['flags'], format: string, path: string): number {
  const json = new ModelRepository(db).model(id)!;
  const criterion = gateCriterion(flags, 1, db);
  const paths = intFlag(flags, 'paths', { min: 1000, max: 5_000_000 });
  const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 });
  const history = typeof flags['data'] === 'string' ? resolve(flags['data']) : resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz');
  let plan;
  try {
    plan = regatePlan(summary, json, { criterion, ...(paths !== undefined ? { paths } : {}), ...(seed !== undefined ? { seed } : {}) }, existsSync(history) ? history : null);
  } catch (error) {
    if (error instanceof ApiException) throw new UsageError(error.message);
    throw error;
  }
  let source;
  if (plan.source.kind === 'session') {
    const read = readSessionSource(db, plan.source.session);
    source = { kind: 'session' as const, returns: read.testSteps, blockLength: read.blockLength };
  } else source = plan.source;
  const result = regateModel({ problem: plan.problem, model: json, criterion, paths: plan.paths, seed: plan.seed, source });
  const gate = gateDtoOf(result, plan.paths, plan.seed, plan.simulator);
  new ModelRepository(db).saveGate(id, { criterion, passed: gate.passed, gate: { ...gate } }, Date.now());
  if (format === 'json') console.log(JSON.stringify({ model_id: id, name: summary.name, ...gateJson(result), paths: plan.paths, seed: plan.seed, simulator: plan.simulator }, null, 2));
  else console.log(`model ${id} "${summary.name}" (${path}): ${plan.paths} ${plan.simulator} test paths, seed ${plan.seed}\n${gateLine(gateJson(result))}`);
  return 0;
}

export const modelsCommands: CommandTable = {
  models: {
    summary: 'list, export, re-gate or delete the learned hedge policies stored in a database',
    usage: 'gammadesk models list [--format text|json] [--db FILE]\n       gammadesk models export ID --out MODEL.json [--db FILE]\n       gammadesk models gate ID [--gate entropic|es99|es95|mv[:a]] [--paths N] [--seed N] [--format text|json] [--db FILE]\n       gammadesk models delete ID [--db FILE]',
    flags: {
      out: { type: 'string', description: 'export: the file to write the model JSON to' },
      ...GATE_FLAG,
      paths: { type: 'string', description: 'gate: test paths (default 100000, the training gate\'s)' },
      seed: { type: 'string', description: 'gate: test seed (default 1000, the training gate\'s; never a training seed)' },
      data: { type: 'string', description: 'gate, a history-trained model: hourly BTC CSV (default ../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz)' },
      format: { type: 'string', description: 'list: text (default) or json' },
      db: dbFlag,
    },
    run({ positionals, flags }) {
      const [action, idText, ...extra] = positionals;
      if (action !== 'list' && action !== 'export' && action !== 'delete' && action !== 'gate') throw new UsageError(`models needs list, export, gate or delete, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
      if (extra.length > 0 || (action === 'list' && idText !== undefined)) throw new UsageError(`unexpected arguments: ${[...(action === 'list' ? [idText] : []), ...extra].join(' ')}`);
      const format = flags['format'] ?? 'text';
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got ${JSON.stringify(format)}`);
      const id = action === 'list' ? 0 : modelId(idText);
      const out = flags['out'];
      if (action === 'export' && typeof out !== 'string') throw new UsageError('models export needs --out MODEL.json');
      const { db, repository, path } = openModels(flags['db']);
      try {
        if (action === 'list') {
          const models = repository.list();
          // The trader's criterion (the app's setting): only a model passed on it may hedge.
          const criterion = new HedgeSettingsStore(new SettingsRepository(db), () => Date.now()).criterion();
          const passedCurrent = (m: StoredModelSummary): boolean => m.gates.some((g) => g.passed && criterionKey(g.criterion) === criterionKey(criterion));
          if (format === 'json') console.log(JSON.stringify(models.map((m) => ({ ...m, passedCurrent: passedCurrent(m) })), null, 2));
          else if (models.length === 0) console.log(`no models in ${path}`);
          else {
            console.log(`the trader's criterion: ${criterionLabel(criterion)} (a learned policy must have passed its gate on it)`);
            for (const m of models) {
              console.log(`${String(m.id).padStart(4)}  ${m.name}  ${m.kind} ${m.benchmark}  ${new Date(m.createdMs).toISOString().slice(0, 19)}Z  ${m.pathDependent ? 'not usable (path-dependent: benchmarks only)' : passedCurrent(m) ? 'usable' : 'not usable'}  gates ${gateText(m)}`);
            }
          }
          return Promise.resolve(0);
        }
        const summary = repository.summary(id);
        if (!summary) throw new Error(`model ${id} does not exist in ${path}`);
        if (action === 'gate') return Promise.resolve(regate(db, id, summary, flags, format, path));
        if (action === 'export') {
          writeFileSync(out as string, JSON.stringify(repository.model(id), null, 1));
          console.error(`model ${id} "${summary.name}" -> ${String(out)}`);
          return Promise.resolve(0);
        }
        const users = new HedgeSettingsStore(new SettingsRepository(db), () => Date.now()).usersOf(id);
        if (users.length > 0) throw new Error(`model ${id} is the ${users.join(' and ')} hedge policy: choose another policy in the app before deleting it`);
        repository.delete(id);
        console.error(`deleted model ${id} "${summary.name}"`);
        return Promise.resolve(0);
      } finally {
        db.close();
      }
    },
  },
};
