import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HedgeSnapshot, RecommendationDto } from '../../src-main/api/dto';
import type { GammaDeskApp } from '../../src-main/app/app';
import { makeTempDir } from '../helpers/tmp';
import { startSteppedApp } from '../helpers/steppedApp';

// The hedge advisor live: settings through the API, proposals from the kernel's schedule on the stepped clock,
// the selection policy solved by HiGHS on the worker pool.
const temp = makeTempDir('gammadesk-hedge-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

const settings = {
  currency: 'BTC' as const,
  enabled: true,
  delta: { target: 0, tolerance: 0.2, unit: 'coin' as const },
  gamma: 'none' as const,
  vega: 'none' as const,
  policy: 'threshold' as const,
  hedgeRatio: 1,
  riskAversion: 1e-4,
  maxBookShare: 0.5,
  proposalTtlMs: 60_000,
};

/** The app on the demo market with a book short 20 out-of-the-money BTC calls of its fourth expiry. */
async function shortCallBook(db: string): Promise<{ stepped: ReturnType<typeof startSteppedApp>; client: ReturnType<GammaDeskApp['hub']['client']> }> {
  const stepped = startSteppedApp({ dbPath: path.join(temp.dir, db), publishIntervalMs: 50 });
  app = stepped.app;
  const client = app.hub.client();
  const market = app.engine.market;
  const expiry = await stepped.until(() => market.currencies.get('BTC')?.sortedExpiries()[3]);
  await stepped.until(() => market.currencies.get('BTC')?.perpetual);
  const call = expiry.options.find((o) => o.def.optionType === 'call' && o.ticker && o.def.strikeUsd > o.ticker.underlyingPriceUsd)!;
  await client.call('positions.set', { positions: [{ instrument: call.def.name, amount: -20, averagePrice: 0.02 }] });
  return { stepped, client };
}

describe('hedge advisor', () => {
  it('proposes a perpetual hedge for a short-call book, then a multi-instrument one that brings gamma into band', async () => {
    const { stepped, client } = await shortCallBook('hedge.db');
    // Off by default: no proposal, and the snapshot says why.
    expect((await client.call('hedge.settings.get', { currency: 'BTC' })).enabled).toBe(false);
    await expect(client.call('hedge.settings.set', { ...settings, delta: { ...settings.delta, tolerance: 0 } })).rejects.toThrow(/delta band needs a tolerance above 0/);
    await client.call('hedge.settings.set', settings);
    let latest: HedgeSnapshot | null = null;
    const unsubscribe = client.subscribe('hedge', { currency: 'BTC' }, (m) => (latest = m.data));
    const threshold = await stepped.until(() => {
      const s = latest as HedgeSnapshot | null;
      return s?.proposal && s.policy === 'threshold' ? s : null;
    });
    const p = threshold.proposal!;
    // Short calls: negative delta, so the hedge buys the perpetual back to within the band.
    expect(p.before.deltaCoin).toBeLessThan(-0.2);
    expect(p.status).toBe('trade');
    expect(p.legs.map((l) => [l.instrument, l.side])).toEqual([['BTC-PERPETUAL', 'buy']]);
    expect(Math.abs(p.after.deltaCoin)).toBeLessThanOrEqual(0.2);
    expect(threshold.inputsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(threshold.marketSeq).toBeGreaterThan(0);
    expect(p.rationale.join('\n')).toMatch(/risk removed/);

    // Gamma too: only options can change it; the selection policy solves for it on the pool.
    const gammaBefore = p.before.gammaUsdPer1Pct;
    expect(gammaBefore).toBeLessThan(0);
    await client.call('hedge.settings.set', { ...settings, policy: 'select', gamma: { target: 0, tolerance: Math.abs(gammaBefore) * 0.5 } });
    const selected = await stepped.until(() => {
      const s = latest as HedgeSnapshot | null;
      return s?.proposal && s.policy === 'select' ? s : null;
    });
    unsubscribe();
    const q = selected.proposal!;
    expect(['trade', 'cannot']).toContain(q.status);
    if (q.status === 'trade') {
      expect(q.bands.every((b) => b.inBandAfter)).toBe(true);
      expect(q.legs.some((l) => /-[CP]$/.test(l.instrument))).toBe(true);
    } else expect(q.reason).toBeTruthy();
    expect(q.rationale.join('\n')).toMatch(/least-cost selection over \d+ instruments/);
  }, 120_000);
});

describe('hedging desk: recommendations, approval, paper fills, audit', () => {
  it('a proposal becomes a recommendation; approving fills it on paper and moves the book; rejecting needs a reason; both are in the audit log', async () => {
    const { stepped, client } = await shortCallBook('desk.db');
    let recs: RecommendationDto[] = [];
    const unsubscribe = client.subscribe('recommendations', {}, (m) => (recs = m.data));
    await client.call('hedge.settings.set', settings);
    const first = await stepped.until(() => recs.find((r) => r.state === 'proposed'));
    expect(first.currency).toBe('BTC');
    expect(first.legs).toEqual([{ instrument: 'BTC-PERPETUAL', side: 'buy', amount: expect.any(Number), type: 'limit', price: expect.any(Number) }]);
    expect(first.inputsHash).toMatch(/^[0-9a-f]{64}$/);
    await expect(client.call('recommendations.reject', { id: first.id, reason: '  ' })).rejects.toThrow(/needs a reason/);
    // Approve with a smaller amount (a multiple of the 10-USD contract): committed before the call returns.
    const amount = Math.round(first.legs[0]!.amount / 20) * 10;
    const approved = await client.call('recommendations.approve', { id: first.id, amounts: [amount] });
    expect(approved.state).toBe('modified-approved');
    const again = await client.call('recommendations.approve', { id: first.id, amounts: [amount] });
    expect(['modified-approved', 'submitted', 'filled', 'partially-filled']).toContain(again.state);
    const filled = await stepped.until(() => recs.find((r) => r.id === first.id && (r.state === 'filled' || r.state === 'partially-filled' || r.state === 'failed')));
    expect(filled.state).toBe('filled');
    expect(filled.orders).toHaveLength(1);
    expect(filled.orders[0]!.filledAmount).toBe(amount);
    // The fill is in the book: the perpetual position exists at the fill price.
    const book = await client.call('positions.list', {});
    const perp = book.find((p) => p.instrument === 'BTC-PERPETUAL')!;
    expect(perp.amount).toBe(amount);
    expect(perp.averagePrice).toBe(filled.orders[0]!.averagePrice);
    // The book still needs delta: a new proposal, which the trader rejects.
    const second = await stepped.until(() => recs.find((r) => r.state === 'proposed' && r.id !== first.id));
    const rejected = await client.call('recommendations.reject', { id: second.id, reason: 'waiting for the close' });
    expect(rejected.state).toBe('rejected');
    unsubscribe();
    const rows = await client.call('audit.list', { limit: 100 });
    const actions = rows.map((r) => `${r.action} ${r.subject}`);
    expect(actions).toContain(`recommendation.modified-approved ${first.id}`);
    expect(actions).toContain(`recommendation.rejected ${second.id}`);
    expect(rows.filter((r) => r.subject === first.id).map((r) => r.action)).toEqual(expect.arrayContaining(['recommendation.proposed', 'recommendation.submitted', 'recommendation.filled']));
    expect(await client.call('audit.verify', {})).toMatchObject({ ok: true });
    const exported = await client.call('audit.export', { format: 'csv' });
    expect(exported.rows).toBe(rows.length > 0 ? (await client.call('audit.list', { limit: 1000 })).length : 0);
    expect(exported.text.split('\r\n')[0]).toBe('seq,ts_ms,time_utc,actor,action,subject,payload,prev_hash,hash');
  }, 120_000);

  it('an approval after the market moved past its limit rests; a working one can be cancelled; the paper ledger fills the next when the book comes back', async () => {
    const { stepped, client } = await shortCallBook('resting.db');
    const perpBook = () => stepped.app.engine.market.currencies.get('BTC')!.books.get('BTC-PERPETUAL' as never)!;
    /** True once the book no longer reaches the leg's limit (a buy's best ask above it, a sell's best bid below). */
    const pastLimit = (r: RecommendationDto): true | null => {
      const leg = r.legs[0]!;
      return (leg.side === 'buy' ? perpBook().asks[0]![0] > leg.price! : perpBook().bids[0]![0] < leg.price!) ? true : null;
    };
    let recs: RecommendationDto[] = [];
    const unsubscribe = client.subscribe('recommendations', {}, (m) => (recs = m.data));
    // Proposals wait an hour, so the one we watch is the one we approve (same book, same trade: it stays).
    await client.call('hedge.settings.set', { ...settings, proposalTtlMs: 3_600_000 });
    const working = async (): Promise<RecommendationDto> => {
      const rec = await stepped.until(() => recs.find((r) => r.state === 'proposed'));
      await stepped.until(() => pastLimit(rec), 600_000);
      await client.call('recommendations.approve', { id: rec.id });
      const submitted = await stepped.until(() => recs.find((r) => r.id === rec.id && r.state === 'submitted' && r.orders[0]?.status === 'open'));
      expect(submitted.orders[0]!.filledAmount).toBe(0);
      return submitted;
    };

    // The first is cancelled while it works: nothing filled, so it fails; the trader's cancel is audited.
    const first = await working();
    await expect(client.call('recommendations.cancel', { id: 'no-such-recommendation' })).rejects.toThrow(/no recommendation/);
    const cancelled = await client.call('recommendations.cancel', { id: first.id });
    expect(cancelled.state).toBe('failed');
    expect(cancelled.orders[0]!.status).toBe('cancelled');
    const actions = (await client.call('audit.list', { limit: 200 })).filter((r) => r.subject === first.id).map((r) => `${r.actor} ${r.action}`);
    expect(actions).toEqual(expect.arrayContaining(['trader recommendation.cancel-requested', expect.stringMatching(/recommendation\.failed$/)]));

    // The next rests too; when the book comes back through its limit it fills there, as maker, and settles.
    const second = await working();
    const limit = second.legs[0]!.price!;
    // While it works, the advisor offers no second copy of the same hedge (the book does not show it yet).
    let duplicates = 0;
    const filled = await stepped.until(() => {
      const now = recs.find((r) => r.id === second.id);
      if (now?.state === 'submitted') duplicates += recs.filter((r) => r.state === 'proposed').length;
      return now?.state !== 'submitted' ? now : null;
    }, 1_800_000);
    expect(duplicates).toBe(0);
    unsubscribe();
    expect(filled.state).toBe('filled');
    expect(filled.orders[0]!.averagePrice).toBeCloseTo(limit, 6);
    const fills = stepped.app.db.prepare<[string], { liquidity: string; price: number }>("SELECT liquidity, price FROM paper_fills WHERE label LIKE ? || '%'").all(second.id);
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((f) => f.liquidity === 'maker' && f.price === limit)).toBe(true);
    const perp = (await client.call('positions.list', {})).find((p) => p.instrument === 'BTC-PERPETUAL');
    expect(perp?.amount).toBe((second.legs[0]!.side === 'buy' ? 1 : -1) * second.legs[0]!.amount);
    expect(await client.call('audit.verify', {})).toMatchObject({ ok: true });
  }, 300_000);
});
