/**
 * `gammadesk models list|export|delete`: the learned hedge policies stored in a database (by `gammadesk train --db`
 * or the app's Models view), with their gate result; export writes the model JSON (format gammadesk-hedge-policy v1)
 * that `gammadesk evaluate --policy FILE` and any other program can read. A model a hedge advisor uses is not
 * deleted.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultDbPath } from '../../app/paths';
import { HedgeSettingsStore } from '../../app/hedgeSettings';
import { openDatabase, type Db } from '../../store/database';
import { ModelRepository, type StoredModelSummary } from '../../store/models';
import { SettingsRepository } from '../../store/settings';
import { UsageError } from '../args';
import { dbFlag, parsed, type CommandTable } from '../command';

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

function gateText(s: StoredModelSummary): string {
  const gate = s.metrics['gate'] as { difference: { value: number; standardError: number }; paths: number } | undefined;
  if (!gate) return s.passedGate ? 'passed' : 'not gated';
  return `${s.passedGate ? 'passed' : 'failed'} (vs WW ${gate.difference.value.toPrecision(4)} ± ${gate.difference.standardError.toPrecision(2)}, ${gate.paths} paths)`;
}

export const modelsCommands: CommandTable = {
  models: {
    summary: 'list, export or delete the learned hedge policies stored in a database',
    usage: 'gammadesk models list [--format text|json] [--db FILE]\n       gammadesk models export ID --out MODEL.json [--db FILE]\n       gammadesk models delete ID [--db FILE]',
    flags: {
      out: { type: 'string', description: 'export: the file to write the model JSON to' },
      format: { type: 'string', description: 'list: text (default) or json' },
      db: dbFlag,
    },
    run({ positionals, flags }) {
      const [action, idText, ...extra] = positionals;
      if (action !== 'list' && action !== 'export' && action !== 'delete') throw new UsageError(`models needs list, export or delete, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
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
          if (format === 'json') console.log(JSON.stringify(models, null, 2));
          else if (models.length === 0) console.log(`no models in ${path}`);
          else {
            for (const m of models) {
              console.log(`${String(m.id).padStart(4)}  ${m.name}  ${m.kind} ${m.benchmark}  ${new Date(m.createdMs).toISOString().slice(0, 19)}Z  gate ${gateText(m)}`);
            }
          }
          return Promise.resolve(0);
        }
        const summary = repository.summary(id);
        if (!summary) throw new Error(`model ${id} does not exist in ${path}`);
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
