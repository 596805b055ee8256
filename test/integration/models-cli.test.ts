/**
 * `gammadesk train --db` and `gammadesk models list|export|delete` as a user runs them: the built CLI in a child
 * process. A tiny B1 model is trained, gated against the Whalley–Wilmott band on fresh test paths and stored; it is
 * listed, exported (the file is the same policy), protected from deletion while a hedge advisor uses it, deleted;
 * wrong arguments exit 2 and failures exit 1 with what is wrong.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importPolicy } from '../../src-main/core/learn/network';
import { openDatabase } from '../../src-main/store/database';
import { ModelRepository } from '../../src-main/store/models';
import { SettingsRepository } from '../../src-main/store/settings';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-models-cli-');
afterAll(() => temp.remove());

function cli(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: process.cwd() });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('gammadesk train --db and gammadesk models', () => {
  it('stores a gated model, lists, exports, refuses to delete one in use, deletes', () => {
    const db = join(temp.dir, 'models.db');
    const trained = cli('train', '--benchmark', 'B1', '--steps', '5', '--batch', '256', '--db', db, '--name', 'tiny b1', '--test-paths', '10000', '--format', 'json');
    expect(trained.status, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout) as { model_id: number; name: string; steps: number; gate: { baseline: string; passed: boolean; difference: { value: number; standard_error: number }; paths: number; seed: number } };
    expect(report).toMatchObject({ name: 'tiny b1', steps: 5, gate: { baseline: 'ww', paths: 10_000, seed: 1000 } });
    expect(report.gate.passed).toBe(report.gate.difference.value + 2 * report.gate.difference.standard_error < 0);
    expect(trained.stderr).toContain(`stored as model ${report.model_id} "tiny b1" in ${db}`);

    const listed = cli('models', 'list', '--db', db, '--format', 'json');
    expect(listed.status, listed.stderr).toBe(0);
    const [summary] = JSON.parse(listed.stdout) as { id: number; name: string; kind: string; benchmark: string; passedGate: boolean; seeds: Record<string, number> }[];
    expect(summary).toMatchObject({ id: report.model_id, name: 'tiny b1', kind: 'ntb', benchmark: 'B1', passedGate: report.gate.passed, seeds: { init: 1, train: 2, validation: 3, test: 1000 } });
    // The text list names the trader's criterion and every gate with its own.
    const text = cli('models', 'list', '--db', db).stdout;
    expect(text).toMatch(/^the trader's criterion: entropic λ 1 \(a learned policy must have passed its gate on it\)\n/);
    expect(text).toMatch(new RegExp(`\\n +${report.model_id}  tiny b1  ntb B1  \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z  (usable|not usable)  gates entropic λ 1: -?[\\d.e-]+ ± [\\d.e-]+ vs WW, (passed|failed) \\(10000 paths\\)`));
    expect(report.gate).toMatchObject({ criterion: { kind: 'entropic', lambda: 1 }, criterion_label: 'entropic λ 1' });

    // --gate es95: gated on ES 95 %, and so listed (not usable under the trader's entropic criterion).
    const es = cli('train', '--benchmark', 'B1', '--steps', '3', '--batch', '256', '--db', db, '--name', 'tiny es', '--test-paths', '10000', '--gate', 'es95', '--format', 'json');
    expect(es.status, es.stderr).toBe(0);
    const esReport = JSON.parse(es.stdout) as { model_id: number; gate: { criterion_label: string; passed: boolean } };
    expect(esReport.gate.criterion_label).toBe('ES 95 %');
    expect(es.stderr).toMatch(/vs Whalley-Wilmott, ES 95 % +-?[\d.e-]+ ± [\d.e-]+ \(paired\): (passes|does not pass) the gate \(10000 test paths, seed 1000\)/);
    expect(cli('models', 'list', '--db', db).stdout).toMatch(new RegExp(`\\n +${esReport.model_id}  tiny es  ntb B1  \\S+  not usable  gates ES 95 %: -?[\\d.e-]+ ± [\\d.e-]+ vs WW, ${esReport.gate.passed ? 'passed' : 'failed'} \\(10000 paths\\)`));
    expect(cli('train', '--benchmark', 'B1', '--db', db, '--name', 'y', '--gate', 'es98')).toMatchObject({ status: 2, stderr: expect.stringContaining('--gate: criterion "es98" is not one of') });
    // Re-gate the ES model on the trader's criterion (entropic λ 1, the database's default): stored beside its ES gate.
    const regated = cli('models', 'gate', String(esReport.model_id), '--db', db, '--paths', '5000', '--seed', '2000', '--format', 'json');
    expect(regated.status, regated.stderr).toBe(0);
    const regate = JSON.parse(regated.stdout) as { criterion_label: string; passed: boolean; difference: { value: number; standard_error: number }; paths: number; seed: number; simulator: string };
    expect(regate).toMatchObject({ criterion_label: 'entropic λ 1', paths: 5000, seed: 2000, simulator: 'gbm' });
    expect(regate.passed).toBe(regate.difference.value + 2 * regate.difference.standard_error < 0);
    expect(cli('models', 'list', '--db', db).stdout).toMatch(new RegExp(`\\n +${esReport.model_id}  tiny es  ntb B1  \\S+  ${regate.passed ? 'usable' : 'not usable'}  gates ES 95 %: .*; entropic λ 1: -?[\\d.e-]+ ± [\\d.e-]+ vs WW, ${regate.passed ? 'passed' : 'failed'} \\(5000 paths\\)`));
    expect(cli('models', 'gate', String(esReport.model_id), '--db', db, '--seed', '2')).toMatchObject({ status: 2, stderr: expect.stringContaining(`seed 2 was used to train model ${esReport.model_id}: test paths must be new`) });
    expect(cli('models', 'gate', '99', '--db', db)).toMatchObject({ status: 1, stderr: expect.stringContaining('model 99 does not exist') });
    expect(cli('models', 'delete', String(esReport.model_id), '--db', db).status).toBe(0);

    const file = join(temp.dir, 'tiny.json');
    const exported = cli('models', 'export', String(report.model_id), '--out', file, '--db', db);
    expect(exported.status, exported.stderr).toBe(0);
    const state = { timeToMaturity: 0.05, logMoneyness: -0.02, spot: 98, bsDelta: 0.4, bsGamma: 0.07, previousPosition: 0.5, impliedVol: 0.2 };
    const reader = openDatabase(db, { readonly: true });
    const stored = new ModelRepository(reader).model(report.model_id);
    reader.close();
    expect(importPolicy(JSON.parse(readFileSync(file, 'utf8'))).policy.decide(state)).toBe(importPolicy(stored).policy.decide(state));

    // In use by the BTC advisor (as the app stores its settings): not deleted.
    const writer = openDatabase(db);
    new SettingsRepository(writer).set('hedge.settings.BTC', { policy: 'learned', modelId: report.model_id }, 1);
    writer.close();
    const refused = cli('models', 'delete', String(report.model_id), '--db', db);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`model ${report.model_id} is the BTC hedge policy: choose another policy in the app before deleting it`);
    const writer2 = openDatabase(db);
    new SettingsRepository(writer2).set('hedge.settings.BTC', { policy: 'threshold', modelId: null }, 2);
    writer2.close();
    expect(cli('models', 'delete', String(report.model_id), '--db', db).status).toBe(0);
    expect(cli('models', 'list', '--db', db).stdout).toContain('no models in');

    // Wrong arguments exit 2, failures exit 1, each saying what is wrong.
    const again = cli('train', '--benchmark', 'B1', '--steps', '1', '--db', db, '--name', 'x', '--seed', '5', '--test-seed', '7');
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('--test-seed 7 is one of the training seeds 5, 6, 7');
    expect(cli('models', 'frobnicate', '--db', db)).toMatchObject({ status: 2, stderr: expect.stringContaining('models needs list, export, gate or delete, got "frobnicate"') });
    expect(cli('models', 'export', 'abc', '--out', file, '--db', db)).toMatchObject({ status: 2, stderr: expect.stringContaining('a model id is a positive integer, got "abc"') });
    expect(cli('models', 'export', '99', '--db', db)).toMatchObject({ status: 2, stderr: expect.stringContaining('models export needs --out MODEL.json') });
    expect(cli('models', 'export', '99', '--out', file, '--db', db)).toMatchObject({ status: 1, stderr: expect.stringContaining('model 99 does not exist') });
    expect(cli('models', 'list', '--db', join(temp.dir, 'none.db'))).toMatchObject({ status: 1, stderr: expect.stringContaining('no database at') });
    expect(cli('train', '--benchmark', 'B1')).toMatchObject({ status: 2, stderr: expect.stringContaining('train needs --out MODEL.json, --db DB, or both') });
  }, 300_000);

  it('refuses a model name the database holds already, before training', () => {
    const db = join(temp.dir, 'names.db');
    const writer = openDatabase(db);
    const repo = new ModelRepository(writer);
    const model = JSON.parse(readFileSync(join(temp.dir, 'tiny.json'), 'utf8')) as Parameters<ModelRepository['save']>[0]['model'];
    repo.save({ name: 'taken', benchmark: 'B1', createdMs: 1, seeds: {}, dataRange: 'test', metrics: {}, passedGate: false, model });
    writer.close();
    const result = cli('train', '--benchmark', 'B1', '--db', db, '--name', 'taken');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--name: a model named "taken" is stored in ${db} already`);
  });
});
