/**
 * `import.tardis` from a client reads only files in the import folder (app/importFolder.ts): before, any client
 * holding the token could have the host read /etc/shadow or /proc/self/environ and echo its first line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../src-main/api/dto';
import { GammaDeskApp } from '../../src-main/app/app';
import { importTardis } from '../../src-main/feeds/tardis/tardisImport';
import { closedPort } from '../helpers/net';
import { makeTempDir } from '../helpers/tmp';
import { TSX_WORKER } from '../helpers/worker';

const temp = makeTempDir('gammadesk-import-folder-');
const [HEADER, ROW] = readFileSync(resolve('../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8').trim().split('\n') as [string, string];
let app: GammaDeskApp;
const folder = join(temp.dir, 'imports');

beforeAll(async () => {
  app = GammaDeskApp.start({ dbPath: join(temp.dir, 'desk.db'), mode: 'in-process', worker: TSX_WORKER, deribitUrl: `ws://127.0.0.1:${await closedPort()}`, publishIntervalMs: 200 });
});
afterAll(async () => {
  await app?.stop();
  temp.remove();
});

async function importCall(paths: string[], session: string): Promise<{ job?: JobStatus; error?: { code: string; message: string } }> {
  try {
    return { job: await app.hub.client().call('import.tardis', { paths, session }) };
  } catch (error) {
    return { error: error as { code: string; message: string } };
  }
}

async function finished(id: number): Promise<JobStatus> {
  for (;;) {
    const job = app.jobs.list().find((j) => j.id === id)!;
    if (job.state !== 'running') return job;
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('the import folder', () => {
  it('is created next to the database, owner only', () => {
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
  });

  it('refuses paths outside it, links leading out, devices and non-regular files, echoing no content', async () => {
    symlinkSync('/etc/passwd', join(folder, 'passwd.csv'));
    mkdirSync(join(folder, 'a-folder.csv'));
    execFileSync('mkfifo', [join(folder, 'fifo.csv')]);
    const refused: [string, RegExp][] = [
      ['/etc/shadow', /^"\/etc\/shadow" is outside the import folder .*imports: copy or move the file there$/],
      ['/proc/self/environ', /^"\/proc\/self\/environ" is outside the import folder/],
      ['/dev/zero', /^"\/dev\/zero" is outside the import folder/],
      ['../desk.db', /^"..\/desk.db" is outside the import folder/],
      [`${folder}/../desk.db`, /is outside the import folder/],
      ['passwd.csv', /^"passwd.csv" leads outside the import folder .* \(a symbolic link\)/],
      ['a-folder.csv', /^"a-folder.csv" is not a regular file$/],
      ['fifo.csv', /^"fifo.csv" is not a regular file$/],
      ['missing.csv', /^"missing.csv": no such file in the import folder/],
    ];
    for (const [path, message] of refused) {
      const { error } = await importCall([path], 'x');
      expect(error?.code, path).toBe('INVALID_ARGUMENT');
      expect(error?.message, path).toMatch(message);
      expect(error?.message).not.toMatch(/root:|PATH=|HOME=/);
    }
    expect(app.jobs.list()).toEqual([]);
  });

  it('imports a Tardis file in it by name or by path; a file that is not Tardis fails without echoing it', async () => {
    writeFileSync(join(folder, 'chain.csv'), `${HEADER}\n${ROW}\n`);
    const byName = await importCall(['chain.csv'], 'by-name');
    expect((await finished(byName.job!.id)).state).toBe('done');
    const byPath = await importCall([join(folder, 'chain.csv')], 'by-path');
    expect((await finished(byPath.job!.id)).state).toBe('done');
    expect(app.log.listSessions().map((s) => s.name).sort()).toEqual(['by-name', 'by-path']);

    writeFileSync(join(folder, 'environ.csv'), 'GAMMADESK_TOKEN=s3cret,AWS_SECRET_ACCESS_KEY=abc\n');
    const secret = await importCall(['environ.csv'], 'secret');
    const failed = await finished(secret.job!.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe(`${join(folder, 'environ.csv')}: not a Tardis CSV file (unknown header)`);
  });

  it('the reader itself refuses a link or a device when asked for regular files only (a file swapped after the check)', async () => {
    const link = join(folder, 'swapped.csv');
    symlinkSync(join(folder, 'chain.csv'), link);
    const files = (file: string): Promise<unknown> => importTardis({ files: [file], session: 'swapped', log: app.log, regularFilesOnly: true });
    await expect(files(link)).rejects.toThrow(`${link}: is a symbolic link: refused`);
    await expect(files('/dev/zero')).rejects.toThrow('/dev/zero: is not a regular file: refused');
  });
});
