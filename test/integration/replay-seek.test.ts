/**
 * Seeking a replay that has finished lands, paused, on the chosen moment, and Play goes on from there (it once
 * stayed at "100 % done" until a speed button was pressed). Paced by the stepped clock.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('gammadesk-seek-');
const stepped = startSteppedApp({ dbPath: path.join(tmp.dir, 'seek.db'), publishIntervalMs: 50, demoSeed: 5 });
afterAll(async () => {
  await stepped.app.stop();
  tmp.remove();
});

describe('replay seek', () => {
  it('a seek after the end replays from there, not stuck at done', async () => {
    const client = stepped.app.hub.client();
    await stepped.step(500);
    await client.call('record.start', { session: 'short' });
    await stepped.step(4_000);
    await client.call('record.stop', {});
    await client.call('source.set', { source: { kind: 'replay', session: 'short', speed: 10 } });
    const done = await stepped.until(() => {
      const status = stepped.app.deskStatus().replay;
      return status?.done ? status : null;
    });
    expect(done.currentMs).toBe(done.lastMs);
    // The header's word says what is true: done (not "stopped" on a red dot), then paused, then replaying.
    expect((await client.call('feed.status', {})).state).toBe('done');
    const middle = Math.round((done.firstMs + done.lastMs) / 2);
    // It lands paused at the seek point, showing that moment, whatever the speed.
    const seeked = await client.call('replay.control', { action: 'seek', toMs: middle });
    expect(seeked.replay).toMatchObject({ done: false, paused: true, windowStartMs: middle, currentMs: middle });
    await stepped.step(1_000);
    expect(stepped.app.deskStatus().replay).toMatchObject({ done: false, paused: true, currentMs: middle });
    expect((await client.call('feed.status', {})).state).toBe('paused');
    await client.call('replay.control', { action: 'resume' });
    await stepped.step(100);
    expect((await client.call('feed.status', {})).state).toBe('replaying');
    const after = stepped.app.deskStatus().replay!;
    expect(after.done).toBe(false);
    expect(after.currentMs).toBeGreaterThan(middle);
    expect(after.currentMs).toBeLessThan(done.lastMs);
    // The chain is full at the seek point (the state before it is rebuilt at once).
    expect(stepped.app.engine.market.currencies.get('BTC')!.sortedExpiries()[0]!.options.every((o) => o.ticker !== null)).toBe(true);
    // And it plays on to the end again.
    await stepped.until(() => (stepped.app.deskStatus().replay?.done ? true : null));
  }, 60_000);
});
