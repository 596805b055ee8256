/**
 * The Risk view's what-if command and historical days (app/whatIfService.ts) on a ~500-position BTC book: a real
 * MarketState (4 expiries × 60 strikes × call/put with a smile, the perpetual) and the service as the app builds
 * it, except that every line counts as listed (the instrument list's check is a map lookup). Timed: the line check
 * alone; `risk.whatIf` (two risk snapshots: live, and what-if = live with one line 10 contracts larger) without and with an equity (then two
 * distance-to-margin-call scans per book); `risk.historical` for 10 days of the Deribit BTC-PERPETUAL daily history
 * in ../shared/data (the file parsed once, then cached).
 */
import { resolve } from 'node:path';
import type { RiskSettings } from '../src-main/api/dto';
import { checkPosition, type CheckedPosition } from '../src-main/core/book/position';
import { checkWhatIfLines, type WhatIfLine } from '../src-main/core/risk/whatIf';
import { WhatIfService } from '../src-main/app/whatIfService';
import { MarketState } from '../src-main/engine/marketState';
import { DEFAULT_RISK_SETTINGS } from '../src-main/engine/riskSnapshot';
import { indexEvent, instrumentEvent, optionDef, optionName, optionTicker, perpetualDef, perpetualTicker, smileIv, T0 } from '../test/helpers/market';
import { time } from './risk';

const DAY = 86_400_000;
const INDEX = 95_000;
const EXPIRIES = [7, 30, 90, 180].map((d) => Date.UTC(2026, 10, 20, 8) + d * DAY);

function benchMarket(): { market: MarketState; lines: WhatIfLine[] } {
  const market = new MarketState();
  let seq = 1;
  const lines: WhatIfLine[] = [];
  market.apply(indexEvent('BTC', INDEX), seq++);
  market.apply(instrumentEvent(perpetualDef('BTC')), seq++);
  market.apply(perpetualTicker('BTC', INDEX), seq++);
  EXPIRIES.forEach((expiryMs, e) => {
    const forward = INDEX * (1 + (0.05 * (expiryMs - T0)) / (365 * DAY));
    for (let s = 0; s < 60; s++) {
      const strike = Math.round((forward * (0.5 + s / 59)) / 500) * 500;
      for (const type of ['call', 'put'] as const) {
        const def = optionDef('BTC', expiryMs, strike, type);
        market.apply(instrumentEvent(def), seq++);
        market.apply(optionTicker(optionName('BTC', expiryMs, strike, type), { forward, iv: smileIv(strike, forward) }), seq++);
        lines.push({ instrument: def.name, amount: ((s * 7 + e * 3 + (type === 'call' ? 1 : 0)) % 11) - 5 || 1 });
      }
    }
  });
  lines.push({ instrument: 'BTC-PERPETUAL', amount: 100_000 });
  return { market, lines: [...new Map(lines.map((l) => [l.instrument, l])).values()] };
}

export async function runWhatIfBench(): Promise<Record<string, unknown>> {
  const { market, lines } = benchMarket();
  const checked = checkWhatIfLines(lines, () => null);
  const book: CheckedPosition[] = checked.positions;
  let settings: RiskSettings = { ...DEFAULT_RISK_SETTINGS };
  const service = new WhatIfService({
    market: () => market,
    book: () => ({ version: 1, positions: book }),
    lineProblem: () => null,
    risk: { settingsOf: () => settings, setPayoffDates: () => settings, pmParamsOf: () => ({}), reusableMarginCall: () => null },
    history: { BTC: { prices: resolve('../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv'), dvol: resolve('../shared/data/joachimoliver_btc_dvol.csv') } },
  });
  // The what-if: 10 more contracts on one line of the book.
  const withLeg = lines.map((l, i) => (i === 7 ? { ...l, amount: l.amount + 10 } : l));
  // In-process (no pool given): the snapshots are computed synchronously inside the call, so `time` measures them.
  const probe = await service.whatIf('BTC', withLeg);
  if (probe.refused.length > 0 || !probe.whatIf.margin) throw new Error(`bench book not revalued: ${JSON.stringify(probe.refused.slice(0, 3))} ${probe.whatIf.marginReason}`);
  const lineCheck = time(() => checkWhatIfLines(withLeg, (p) => (checkPosition(p, null).ok ? null : 'refused')), 5, 5);
  const noEquity = time(() => service.whatIf('BTC', withLeg), 5, 1);
  settings = { ...settings, equityCoin: probe.live.margin!.initialMargin * 1.5 };
  const withEquity = time(() => service.whatIf('BTC', withLeg), 3, 1);
  const historical = time(() => service.historical('BTC', 10), 5, 1);
  const days = service.historical('BTC', 10);
  return {
    positions: book.length,
    cells: probe.live.matrix!.pnlUsd.length,
    line_check_500: lineCheck,
    what_if_without_equity: noEquity,
    what_if_with_equity: { ...withEquity, equity_btc: settings.equityCoin },
    historical_10_days: { ...historical, worst: days.scenarios[0] ? { date: days.scenarios[0].date, spot_move: days.scenarios[0].spotMove, pnl_usd: days.scenarios[0].pnlUsd } : null },
    result_json_bytes: JSON.stringify(await service.whatIf('BTC', withLeg)).length,
  };
}
