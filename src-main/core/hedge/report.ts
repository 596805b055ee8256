/**
 * Turns a policy's legs into a proposal: greeks after, each band before and after, the expected cost, and a
 * rationale a trader can read. Shared by every policy so proposals read the same whatever made them.
 */
import type { BookGreeks } from '../book/valuation';
import { addGreeks } from './costs';
import type { Band, BandReport, HedgeBook, HedgeGreek, HedgeMarket, HedgeObjectives, Proposal, ProposalLeg } from './types';

export interface ActiveBand {
  greek: HedgeGreek;
  band: Band;
  unit: string;
  /** The greek's value in a BookGreeks, in this band's unit. */
  read(g: BookGreeks): number;
}

/** The bands an objective sets, delta first. */
export function activeBands(objectives: HedgeObjectives): ActiveBand[] {
  const bands: ActiveBand[] = [
    objectives.delta.unit === 'coin'
      ? { greek: 'delta', band: objectives.delta, unit: `${objectives.currency} (coin-P&L delta)`, read: (g) => g.deltaCoin }
      : { greek: 'delta', band: objectives.delta, unit: 'USD (delta × price)', read: (g) => g.deltaUsd },
  ];
  if (objectives.gamma) bands.push({ greek: 'gamma', band: objectives.gamma, unit: 'USD per 1 % move', read: (g) => g.gammaUsdPer1Pct });
  if (objectives.vega) bands.push({ greek: 'vega', band: objectives.vega, unit: 'USD per vol point', read: (g) => g.vegaUsd });
  return bands;
}

/** A small allowance for rounding: a greek on the band's edge is in it. */
export const inBand = (value: number, band: Band): boolean => Math.abs(value - band.target) <= band.tolerance * (1 + 1e-9) + 1e-12;

const fmt = (x: number, digits = 4): string =>
  x === 0 ? '0' : Math.abs(x) >= 1000 ? x.toLocaleString('en-US', { maximumFractionDigits: 0 }) : Number(x.toPrecision(digits)).toString();

export function finishProposal(args: {
  policy: string;
  book: HedgeBook;
  market: HedgeMarket;
  objectives: HedgeObjectives;
  legs: ProposalLeg[];
  /** Policy-specific lines (why this instrument, the band width, …). */
  rationale: string[];
  /** Set when the policy knows it cannot reach the band (no liquidity, limits). */
  cannot?: string | null;
}): Proposal {
  const { book, objectives, legs } = args;
  const before = book.totals;
  let after: BookGreeks = { ...before };
  for (const leg of legs) after = addGreeks(after, leg.greeks);
  const bands: BandReport[] = activeBands(objectives).map((b) => ({
    greek: b.greek,
    unit: b.unit,
    target: b.band.target,
    tolerance: b.band.tolerance,
    before: b.read(before),
    after: b.read(after),
    inBandBefore: inBand(b.read(before), b.band),
    inBandAfter: inBand(b.read(after), b.band),
  }));
  const costCoin = legs.reduce((sum, leg) => sum + leg.costCoin, 0);
  const costUsd = legs.reduce((sum, leg) => sum + leg.costUsd, 0);
  const allInBefore = bands.every((b) => b.inBandBefore);
  const allInAfter = bands.every((b) => b.inBandAfter);
  let status: Proposal['status'];
  let reason: string | null = null;
  if (allInBefore && legs.length === 0) status = 'in-band';
  else if (args.cannot || !allInAfter) {
    status = 'cannot';
    const out = bands.filter((b) => !b.inBandAfter).map((b) => `${b.greek} ${fmt(b.after)} ${b.unit} stays outside ${fmt(b.target)} ± ${fmt(b.tolerance)}`);
    reason = [args.cannot, ...out].filter(Boolean).join('; ');
  } else status = 'trade';
  const rationale: string[] = [];
  for (const b of bands) {
    const removed = Math.abs(b.before - b.target) - Math.abs(b.after - b.target);
    rationale.push(
      `${b.greek}: ${fmt(b.before)} → ${fmt(b.after)} ${b.unit}; band ${fmt(b.target)} ± ${fmt(b.tolerance)} (${b.inBandBefore ? 'in band before' : 'out of band before'}, ${b.inBandAfter ? 'in band after' : 'out of band after'})` +
        (legs.length > 0 ? `; risk removed ${fmt(removed)}` : ''),
    );
  }
  if (legs.length > 0) rationale.push(`expected cost ${costUsd.toFixed(2)} USD = ${costCoin.toPrecision(4)} ${objectives.currency} (half-spread, slippage and taker fees against the mark)`);
  rationale.push(...args.rationale);
  if ((book.totals.missingGreeks ?? 0) > 0) rationale.push(`${book.totals.missingGreeks} position(s) have no quote and are not in these greeks`);
  return { policy: args.policy, currency: objectives.currency, status, legs, before, after, bands, costUsd, costCoin, rationale, reason };
}
