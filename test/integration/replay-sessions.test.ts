/**
 * Sessions managed while one replays, through the API as the UI calls it: a rename follows the running replay
 * (labels, and a seek, which re-opens the session by name); deleting the replayed session is refused even
 * after a rename.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException } from '../../src-main/api/errors';
import type { GammaDeskApp } from '../../src-main/app/app';
import { makeTempDir } from '../helpers/tmp';
import { startSteppedApp, type SteppedApp } from '../helpers/steppedApp';

let tmp: { dir: string; remove: () => void };
let app: GammaDeskApp;
let stepped: SteppedApp;

beforeAll(() => {
  tmp = makeTempDir();
  stepped = startSteppedApp({ dbPath: path.join(tmp.dir, 'sessions.db'), publishIntervalMs: 50, demoSeed: 11 });
  app = stepped.app;
});
afterAll(async () => {
  await app?.stop();
  tmp?.remove();
});


describe('sessions while one replays', () => {
  it('rename follows the running replay; delete of the replayed session is refused, also after a rename', async () => {
    const client = app.hub.client();
    await client.call('record.start', { session: 'to-rename' });
    await stepped.step(1500);
    await client.call('record.stop', {});
    const recorded = (await client.call('sessions.list', {})).find((s) => s.name === 'to-rename')!;
    expect(recorded.eventCount).toBeGreaterThan(100);

    // A window outside the session is refused, and the desk stays on its source.
    await expect(client.call('source.set', { source: { kind: 'replay', session: 'to-rename', speed: 1, fromMs: Date.UTC(2030, 0, 1) } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/is after the end of session "to-rename"/),
    });
    expect((await client.call('desk.status', {})).source.kind).toBe('demo');
    await client.call('source.set', { source: { kind: 'replay', session: 'to-rename', speed: 1 } });
    await client.call('sessions.rename', { id: recorded.id, name: 'renamed' });
    const status = await client.call('desk.status', {});
    expect(status.source).toMatchObject({ kind: 'replay', session: 'renamed' });
    expect(status.replay?.session).toBe('renamed');
    expect((await client.call('feed.status', {})).label).toBe('Replay: renamed');

    // A seek re-opens the session by its (new) name.
    const { firstMs, lastMs } = status.replay!;
    const seeked = await client.call('replay.control', { action: 'seek', toMs: Math.round((firstMs + lastMs) / 2) });
    expect(seeked.replay?.session).toBe('renamed');
    expect(seeked.replay?.windowStartMs).toBe(Math.round((firstMs + lastMs) / 2));

    await expect(client.call('sessions.delete', { id: recorded.id })).rejects.toThrow(ApiException);
    await expect(client.call('sessions.delete', { id: recorded.id })).rejects.toThrow(/switch to another source/);
    await client.call('source.set', { source: { kind: 'demo' } });
    expect((await client.call('sessions.delete', { id: recorded.id })).map((s) => s.name)).not.toContain('renamed');
  }, 30_000);
});
