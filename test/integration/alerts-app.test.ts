import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertsDto } from '../../src-main/api/contract/alerts';
import type { GammaDeskApp } from '../../src-main/app/app';
import { makeTempDir } from '../helpers/tmp';
import { enterShortCallBook } from '../helpers/shortCallBook';
import { startSteppedApp } from '../helpers/steppedApp';

// Alerts evaluated by the app on market time: a delta-band rule on a short-call book fires once (hysteresis keeps
// it quiet while the book stays outside), is stored, published on the `alerts` stream and appended to the audit log.
const temp = makeTempDir('gammadesk-alerts-app-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

describe('alerts in the app', () => {
  it('a delta-band rule fires once at a market time, is in the history and the audit log; a bad rule is refused naming the field', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'alerts.db'), publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    await enterShortCallBook(stepped);
    await expect(client.call('alerts.rules.save', { rule: { id: 'bad', currency: 'BTC', kind: 'greek-band', enabled: true, greek: 'delta', band: [1, -1] } })).rejects.toThrow(/band must be \[min, max\] with min < max/);
    let latest: AlertsDto | null = null;
    const unsubscribe = client.subscribe('alerts', {}, (m) => (latest = m.data));
    await client.call('alerts.rules.save', { rule: { id: 'btc-delta', currency: 'BTC', kind: 'greek-band', enabled: true, greek: 'delta', band: [-0.1, 0.1], hysteresis: 0.05, minIntervalMs: 0 } });
    const fired = await stepped.until(() => ((latest as AlertsDto | null)?.history.length ? (latest as AlertsDto) : null));
    expect(fired.rules.map((r) => r.id)).toEqual(['btc-delta']);
    const alert = fired.history[0]!;
    expect(alert.kind).toBe('greek-band');
    expect(alert.message).toMatch(/BTC book delta -?[\d.]+ is outside its band/);
    expect(alert.value!).toBeLessThan(-0.1);
    expect(alert.atMs).toBeGreaterThan(0);
    // The book stays short delta: hysteresis keeps the rule quiet for the next seconds of market time.
    await stepped.step(3000);
    expect(app.alerts.repository.history().length).toBe(1);
    unsubscribe();
    const audit = await client.call('audit.list', { limit: 50, filter: 'alert.' });
    expect(audit.map((r) => `${r.action} ${r.subject}`)).toContain('alert.greek-band btc-delta');
    expect((await client.call('alerts.rules.delete', { id: 'btc-delta' })).deleted).toBe(true);
  }, 120_000);

  it('a wall rule reads the exposure levels: the service keeps the naive stream computed while the rule is on', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'walls.db'), publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    await enterShortCallBook(stepped);
    // Within 50 % of a wall: true on any demo market once the levels exist (the test is that they are read).
    await client.call('alerts.rules.save', { rule: { id: 'btc-wall', currency: 'BTC', kind: 'spot-near-wall', enabled: true, threshold: 50, hysteresis: 1, minIntervalMs: 0 } });
    const fired = await stepped.until(() => app!.alerts.repository.history().find((a) => a.ruleId === 'btc-wall'));
    expect(fired.message).toMatch(/BTC spot [\d,.]+ is [\d.]+ % from the (call|put) wall at [\d,.]+/);
    // Nobody opened the Exposure view: the rule's own subscription made the kernel compute it.
    expect(app.hub.channel('exposure', 'BTC/naive/stickyStrike').subscriberCount).toBe(1);
    await client.call('alerts.rules.delete', { id: 'btc-wall' });
    await stepped.step(200);
    expect(app.hub.channel('exposure', 'BTC/naive/stickyStrike').subscriberCount).toBe(0);
  }, 120_000);

  it('replaying a recorded session fires the same alerts at the same market times, run after run', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'replay.db'), publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    await enterShortCallBook(stepped);
    await client.call('record.start', { session: 'alert-replay' });
    await stepped.step(4_000);
    await client.call('record.stop', {});
    // A narrow delta band the short-call book is outside of; no minimum interval, little hysteresis.
    await client.call('alerts.rules.save', { rule: { id: 'replay-delta', currency: 'BTC', kind: 'greek-band', enabled: true, greek: 'delta', band: [-0.1, 0.1], hysteresis: 0.01, minIntervalMs: 0 } });
    const replayOnce = async (): Promise<{ atMs: number; value: number | null; message: string }[]> => {
      const before = new Set(app!.alerts.repository.history(1000).map((a) => a.id));
      await client.call('source.set', { source: { kind: 'replay', session: 'alert-replay', speed: 10 } });
      await stepped.until(() => (app!.deskStatus().replay?.done ? true : null));
      await stepped.step(500);
      return app!.alerts.repository
        .history(1000)
        .filter((a) => !before.has(a.id) && a.session === 'alert-replay')
        .sort((a, b) => a.id - b.id)
        .map((a) => ({ atMs: a.atMs, value: a.value, message: a.message }));
    };
    const first = await replayOnce();
    await client.call('source.set', { source: { kind: 'demo' } });
    const second = await replayOnce();
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  }, 120_000);
});
