/**
 * The risk service with the live comparison wired (app/riskService.ts + app/pmeComparison.ts), on a market built
 * from Deribit's ETH mainnet pme/simulate capture (../shared/reference/deribit_margin_cases.json: index 1949.34,
 * ETH-PERPETUAL mark 1949.49) and that capture's book (−0.999487053 ETH of the perpetual, as −1948.49 USD), the
 * mock exchange answering with the captured response: the `risk` snapshot carries the comparison (zero
 * differences), the replica switches to Deribit's model_params, the snapshot is republished when the comparison
 * arrives and again when it turns stale (wall time stepped, no sleeps); on the worker pool the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RiskSnapshot } from '../../src-main/api/dto';
import { GreeksPool } from '../../src-main/app/greeksPool';
import { ApiHub } from '../../src-main/app/hub';
import { PmeComparisons } from '../../src-main/app/pmeComparison';
import { RiskService } from '../../src-main/app/riskService';
import { checkPosition } from '../../src-main/core/book/position';
import type { EpochMs, InstrumentName, Usd } from '../../src-main/core/units';
import { MarketState } from '../../src-main/engine/marketState';
import type { SettingsRepository } from '../../src-main/store/settings';
import { usePmeMock } from '../helpers/pmeMock';
import { indexEvent, instrumentEvent, perpetualDef } from '../helpers/market';
import { TSX_WORKER } from '../helpers/worker';

const mock = usePmeMock();
const eth = mock.cases.find((c) => c.currency === 'ETH')!;
const INDEX = 1949.34;
const MARK = 1949.49;
const T = eth.atMs;
const pool = new GreeksPool({ ...TSX_WORKER, maxThreads: 1 });
afterAll(async () => {
  await pool.close();
});

function market(): MarketState {
  const m = new MarketState();
  m.apply(instrumentEvent(perpetualDef('ETH'), T), 1);
  m.apply(indexEvent('ETH', INDEX, T), 2);
  m.apply({
    type: 'future_ticker', instrument: 'ETH-PERPETUAL' as InstrumentName, tsEvent: T as EpochMs, tsRecv: T as EpochMs, bidUsd: (MARK - 0.05) as Usd, askUsd: (MARK + 0.05) as Usd,
    bidAmountUsd: 1000 as Usd, askAmountUsd: 1000 as Usd, markUsd: MARK as Usd, indexPriceUsd: INDEX as Usd, openInterestUsd: 1e6 as Usd, funding8h: 0,
  }, 3);
  return m;
}

/** Settings storage the service reads (nothing stored: the defaults apply). */
const settings = { get: () => null, set: () => undefined } as unknown as SettingsRepository;

function service(offThread: boolean): { risk: RiskService; hub: ApiHub; wall: { now: number }; snapshots: RiskSnapshot[]; pme: PmeComparisons } {
  const hub = new ApiHub();
  const m = market();
  const position = checkPosition({ instrument: 'ETH-PERPETUAL', quantity: eth.positions['ETH-PERPETUAL']! * MARK, averagePrice: MARK, priceCurrency: 'USD' }, null);
  if (!position.ok) throw new Error(position.reason);
  const wall = { now: 5_000_000 };
  let marketNow = T;
  const pme = new PmeComparisons({ unavailable: () => null, simulate: (currency, positions) => mock.client.pmeSimulate(currency, positions), nowMs: () => wall.now, intervalMs: () => 1e9, staleAfterMs: () => 60_000 }); // one request: the stale step sees no new answer
  const risk = new RiskService({
    hub, settings, market: () => m, book: () => ({ version: 1, positions: [position.position] }), hedge: () => null,
    nowMs: () => (marketNow += 1000), wallMs: () => performance.now(), pme,
    ...(offThread ? { pool, offThread: () => true } : {}),
  });
  hub.topicAll(risk.resolvers());
  const snapshots: RiskSnapshot[] = [];
  hub.client().subscribe('risk', { currency: 'ETH' }, (message) => snapshots.push(message.data));
  return { risk, hub, wall, snapshots, pme };
}

describe.each([['in-process', false], ['on the worker pool', true]] as const)('risk snapshot with the live comparison, %s', (_, offThread) => {
  it('carries the zero comparison, then Deribit\'s parameters, then marks it stale', async () => {
    const { risk, wall, snapshots } = service(offThread);
    await risk.settled();
    const first = snapshots.at(-1)!;
    expect(first.pmParamsSource.kind).toBe('table');
    // In-process the request is still out when the snapshot is published; on the pool the answer may come first.
    if (!offThread) expect({ comparison: first.pmComparison, reason: first.pmComparisonReason }).toEqual({ comparison: null, reason: "waiting for Deribit's pme/simulate" });
    // The answer arrived (the request went out with the first publish): the next round republishes with it.
    risk.round();
    await risk.settled();
    const compared = snapshots.at(-1)!;
    const view = compared.pmComparison!;
    expect(view.stale).toBe(false);
    expect(view.paramsSource).toBe('deribit');
    expect(compared.pmParamsSource).toMatchObject({ kind: 'deribit', asOfMs: wall.now });
    const cmp = view.comparison!;
    expect(cmp.margins.initialMargin).toMatchObject({ deribit: 0.157461562, diff: 0 });
    for (const d of [...cmp.standard, ...cmp.extended]) expect(Math.abs(d.diff)).toBeLessThanOrEqual(1e-17 + 1e-15 * Math.abs(d.deribit));
    // The snapshot's own margin now runs on Deribit's live parameters: it is the captured IM.
    expect(compared.margin!.initialMargin).toBe(0.157461562);
    // 61 s later (wall) with an unchanged market: the next round republishes it as stale.
    const count = snapshots.length;
    wall.now += 61_000;
    risk.round();
    await risk.settled();
    expect(snapshots.length).toBe(count + 1);
    const stale = snapshots.at(-1)!.pmComparison!;
    expect(stale.stale).toBe(true);
    expect(stale.ageMs).toBe(61_000);
  });
});
