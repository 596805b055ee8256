/**
 * Risk benchmark (issue 12, item 8) on a deterministic 500-position BTC book: 450 options over 9 expiries
 * (1 day to 1 year, 25 strikes each, calls and puts, long and short, vols 40–120 %), 40 dated futures over
 * the same expiries and 10 perpetual lines. Timed:
 *   - the 175-cell scenario matrix (7 spot × 5 vol × 5 times, sticky strike), full revaluation;   target ≤ 10 ms
 *   - the PM margin of the book from scratch (all risk vectors, aggregation, IM/MM);               target ≤ 2 ms
 *   - the margin change of one candidate hedge (an option leg) from the book's stored vectors;     target ≤ 50 µs
 * Timing: warm-up, then the median and best of 25 rounds, wall clock and process CPU time.
 */
import { PM_PARAMS } from '../src-main/core/risk/pmParams';
import { pmBook, pmMarginChange } from '../src-main/core/risk/pm';
import { scenarioMatrix } from '../src-main/core/risk/scenario';
import type { RiskPosition } from '../src-main/core/risk/riskPosition';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const DAY = 86_400_000;
const INDEX = 95_000;
const EXPIRY_DAYS = [1, 3, 7, 14, 30, 60, 90, 180, 365];

export function buildBenchBook(): RiskPosition[] {
  const positions: RiskPosition[] = [];
  for (let e = 0; e < EXPIRY_DAYS.length; e++) {
    const days = EXPIRY_DAYS[e]!;
    const expiryMs = NOW + days * DAY;
    const forward = INDEX * (1 + (0.05 * days) / 365);
    const atm = 0.45 + 0.25 * Math.exp((-days / 365) * 8);
    for (let s = 0; s < 25; s++) {
      const z = -2.4 + (4.8 * s) / 24;
      const strike = Math.round((forward * Math.exp(z * atm * Math.sqrt(days / 365))) / 500) * 500;
      const vol = Math.min(1.2, Math.max(0.4, atm * (1 + 0.06 * z * z - 0.04 * z)));
      for (const isCall of [true, false]) {
        const sizeCoin = ((s * 7 + e * 3 + (isCall ? 1 : 0)) % 11) - 5 || 1;
        positions.push({ instrument: `BTC-${days}D-${strike}-${isCall ? 'C' : 'P'}`, currency: 'BTC', kind: 'option', sizeCoin, expiryMs, strike, isCall, forwardUsd: forward, vol });
      }
    }
  }
  for (let i = 0; positions.length < 490; i++) {
    const days = EXPIRY_DAYS[i % EXPIRY_DAYS.length]!;
    positions.push({ instrument: `BTC-FUT-${days}D`, currency: 'BTC', kind: 'future', sizeCoin: (i % 2 === 0 ? 1 : -1) * (0.5 + (i % 5)), expiryMs: NOW + days * DAY, strike: NaN, isCall: false, forwardUsd: INDEX * (1 + (0.05 * days) / 365), vol: 0 });
  }
  while (positions.length < 500) positions.push({ instrument: 'BTC-PERPETUAL', currency: 'BTC', kind: 'perpetual', sizeCoin: positions.length % 2 === 0 ? 2 : -1, expiryMs: null, strike: NaN, isCall: false, forwardUsd: INDEX * 1.0002, vol: 0 });
  return positions;
}

/**
 * Wall time and this process's CPU time (user + system, `process.cpuUsage`) per run: on a shared machine the
 * wall time includes waiting for a core, the CPU time does not (it does include GC threads).
 */
export function time(run: () => void, rounds: number, perRound: number): { median_ms: number; best_ms: number; cpu_median_ms: number; cpu_best_ms: number } {
  for (let i = 0; i < Math.max(3, perRound); i++) run(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < perRound; i++) run();
    wall.push((performance.now() - start) / perRound);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000 / perRound);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median_ms: wall[wall.length >> 1]!, best_ms: wall[0]!, cpu_median_ms: cpu[cpu.length >> 1]!, cpu_best_ms: cpu[0]! };
}

export function runRiskBench(): Record<string, unknown> {
  const book = buildBenchBook();
  const spec = {
    spotMoves: [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3],
    volShifts: [-0.2, -0.1, 0, 0.1, 0.2],
    times: [0, 1, 7, 14, 30].map((d) => ({ label: `+${d}d`, elapsedMs: d * DAY })),
    volShiftMode: 'absolute' as const,
    volDynamics: 'sticky-strike' as const,
  };
  const matrix = time(() => scenarioMatrix(book, { BTC: INDEX }, NOW, spec), 25, 2);
  const margin = time(() => pmBook('BTC', book, INDEX, NOW, PM_PARAMS.BTC), 25, 3);
  const pm = pmBook('BTC', book, INDEX, NOW, PM_PARAMS.BTC);
  const hedge: RiskPosition[] = [{ instrument: 'BTC-30D-90000-P', currency: 'BTC', kind: 'option', sizeCoin: 5, expiryMs: NOW + 30 * DAY, strike: 90_000, isCall: false, forwardUsd: INDEX * (1 + 0.05 * 30 / 365), vol: 0.55 }];
  const change = time(() => pmMarginChange(pm, hedge), 25, 2000);
  const result = pmMarginChange(pm, hedge);
  return {
    positions: book.length,
    options: book.filter((p) => p.kind === 'option').length,
    scenario_matrix_175_cells: { ...matrix, target_ms: 10, cells: 175 },
    pm_margin_500_positions: { ...margin, target_ms: 2, initial_margin_btc: pm.margin.initialMargin, maintenance_margin_btc: pm.margin.maintenanceMargin },
    hedge_margin_change: {
      median_us: change.median_ms * 1000, best_us: change.best_ms * 1000, cpu_median_us: change.cpu_median_ms * 1000, cpu_best_us: change.cpu_best_ms * 1000,
      target_us: 50, initial_margin_change_btc: result.initialMarginChange,
    },
  };
}
