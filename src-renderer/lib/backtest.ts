/**
 * The backtest panel's arithmetic: a policy's P&L path as chart points (lightweight-charts wants strictly increasing
 * whole seconds), the side-by-side table's rows with their units, short hashes, and what a stored model's gate says.
 * Pure functions (no DOM), unit-tested in test/unit/renderer/backtest.test.ts.
 */
import type { BacktestPolicyDto, BacktestResultDto } from '../../src-main/api/contract/backtest';
import { significant } from './models';

const DASH = '–';

export type PnlUnit = 'coin' | 'usd';

/**
 * The path as (seconds, value) points of the unit asked for: several points within one second (a rebalance at every
 * event) keep the last, which is the P&L at the end of that second.
 */
export function chartPoints(path: BacktestPolicyDto['path'], unit: PnlUnit): { time: number; value: number }[] {
  const points: { time: number; value: number }[] = [];
  for (const p of path) {
    const time = Math.floor(p.timeMs / 1000);
    const value = unit === 'coin' ? p.pnlCoin : p.pnlUsd;
    if (!Number.isFinite(value)) continue;
    const last = points.at(-1);
    if (last && last.time === time) last.value = value;
    else if (!last || time > last.time) points.push({ time, value });
  }
  return points;
}

/** A coin amount: 6 significant digits without trailing zeros (fees of 1e-5 BTC stay readable), 0 as 0. */
export function coin(value: number | null | undefined): string {
  if (value === 0) return '0';
  let text = significant(value, 6);
  // Below 1e-6 toPrecision writes an exponent: a coin amount reads better in full (−3.3e-7 → −0.00000033).
  if (text.includes('e') && value !== null && value !== undefined && Math.abs(value) < 1) text = value.toFixed(Math.min(20, 5 - Math.floor(Math.log10(Math.abs(value)))));
  return text.includes('e') || !text.includes('.') ? text : text.replace(/0+$/, '').replace(/\.$/, '');
}

/** A USD amount with thousands separators and cents. */
export function usdAmount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** The first 12 hex digits of a SHA-256 (the full one goes in the title). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

export interface FigureRow {
  label: string;
  /** Unit shown in the row's label: the currency's coin or USD. */
  unit: string;
  /** The definition key (result.definitions) that explains it, if any. */
  definition: string | null;
  cell(p: BacktestPolicyDto): string;
  /** What the cell's title says (a reason, a count behind a figure). */
  title?(p: BacktestPolicyDto): string;
  /** The policy with the best value of the row, for highlighting (lower is better unless `higherIsBetter`). */
  value?(p: BacktestPolicyDto): number | null;
  higherIsBetter?: boolean;
}

/** The table's rows, policies side by side: coin figures in the currency, the rest in USD as labelled. */
export function figureRows(result: Pick<BacktestResultDto, 'currency'>): FigureRow[] {
  const c = result.currency;
  const es = (p: BacktestPolicyDto): string => (p.expectedShortfallCoin.value === null ? DASH : coin(p.expectedShortfallCoin.value));
  return [
    { label: 'final P&L', unit: c, definition: 'pnl', cell: (p) => coin(p.finalPnlCoin), value: (p) => p.finalPnlCoin, higherIsBetter: true },
    { label: 'final P&L', unit: 'USD', definition: 'pnl', cell: (p) => usdAmount(p.finalPnlUsd), value: (p) => p.finalPnlUsd, higherIsBetter: true },
    { label: 'option P&L', unit: c, definition: null, cell: (p) => coin(p.optionPnlCoin) },
    { label: 'hedge P&L', unit: c, definition: null, cell: (p) => coin(p.hedgePnlCoin) },
    { label: 'turnover', unit: 'USD', definition: 'turnover', cell: (p) => usdAmount(p.turnoverUsd), title: (p) => `${coin(p.turnoverCoin)} ${c}` },
    { label: 'fees', unit: c, definition: null, cell: (p) => coin(p.feesCoin), title: (p) => `${usdAmount(p.feesUsd)} USD`, value: (p) => p.feesCoin },
    { label: 'spread cost', unit: c, definition: 'spread_cost', cell: (p) => coin(p.spreadCostCoin), title: (p) => `${usdAmount(p.spreadCostUsd)} USD`, value: (p) => p.spreadCostCoin },
    { label: 'funding', unit: c, definition: 'funding', cell: (p) => (p.fundingCoin === null ? 'n/a' : coin(p.fundingCoin)), title: (p) => p.fundingReason ?? (p.fundingUsd === null ? '' : `${usdAmount(p.fundingUsd)} USD`) },
    { label: 'worst drawdown', unit: c, definition: 'worst_drawdown', cell: (p) => coin(p.worstDrawdownCoin), title: (p) => `${usdAmount(p.worstDrawdownUsd)} USD`, value: (p) => p.worstDrawdownCoin },
    {
      label: 'ES 95 % per interval', unit: c, definition: 'expected_shortfall', cell: es, value: (p) => p.expectedShortfallCoin.value,
      title: (p) => (p.expectedShortfallCoin.value === null ? p.expectedShortfallCoin.reason : `mean of the worst ${p.expectedShortfallCoin.tail} of ${p.expectedShortfallCoin.intervals} interval P&Ls`),
    },
    { label: 'rebalances', unit: '', definition: null, cell: (p) => String(p.rebalances) },
    { label: 'orders / fills', unit: '', definition: null, cell: (p) => `${p.orders} / ${p.fills}`, title: (p) => (p.unfilledUsd > 0 ? `${usdAmount(p.unfilledUsd)} USD ordered but not filled (the recorded book was thinner)` : 'every order filled') },
    { label: 'skipped / blocked', unit: '', definition: null, cell: (p) => `${p.skippedRebalances} / ${p.blockedProposals}`, title: (p) => [p.lastSkipReason && `last skip: ${p.lastSkipReason}`, p.lastBlockedReason && `last block: ${p.lastBlockedReason}`].filter(Boolean).join('\n') || 'none' },
  ];
}

/** The policy with the best value of a row (ties: none), or null. */
export function bestOf(row: FigureRow, policies: readonly BacktestPolicyDto[]): string | null {
  if (!row.value || policies.length < 2) return null;
  const values = policies.map((p) => ({ name: p.name, v: row.value!(p) })).filter((x): x is { name: string; v: number } => x.v !== null && Number.isFinite(x.v));
  if (values.length < 2) return null;
  const sign = row.higherIsBetter ? -1 : 1;
  values.sort((a, b) => sign * (a.v - b.v));
  return values[0]!.v === values[1]!.v ? null : values[0]!.name;
}

/** A policy's column heading: its name, and for a stored model its name and gate. */
export function policyLabel(p: Pick<BacktestPolicyDto, 'name' | 'model'>): string {
  return p.model ? `${p.model.name} (${p.name})` : p.name;
}
