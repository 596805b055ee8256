/**
 * The positions editor's text format: one `INSTRUMENT QUANTITY [AVERAGE_PRICE]` line per position (options in
 * contracts, futures and perpetuals in USD notional; negative = short; the average price in the coin for options,
 * USD for futures), blank lines and `#` comments skipped. Pure, so the format is tested without a browser.
 */
import type { CommandParams } from '../../src-main/api/contract';
import type { PositionDto } from '../../src-main/api/dto';

type PositionInput = CommandParams<'positions.set'>['positions'][number];

export type ParsedPositions = { ok: true; positions: PositionInput[] } | { ok: false; error: string };

/** The largest line the editor sends: options in contracts, futures in USD notional (the host checks the rest). */
const MAX_CONTRACTS = 1_000_000;
const MAX_NOTIONAL_USD = 1_000_000_000;
const isOption = (name: string): boolean => /-[CP]$/.test(name);

export function parsePositions(text: string): ParsedPositions {
  const positions: PositionInput[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, amountText, priceText, ...rest] = line.split(/[\s,;]+/);
    const amount = Number(amountText);
    const price = priceText === undefined ? undefined : Number(priceText);
    if (!name || amountText === undefined || rest.length > 0 || !Number.isFinite(amount) || (price !== undefined && !(Number.isFinite(price) && price >= 0))) {
      return { ok: false, error: `line ${i + 1}: expected "INSTRUMENT QUANTITY [AVERAGE_PRICE]", got "${raw.trim()}"` };
    }
    // Deribit names are upper case; the host checks the rest of the name.
    const instrument = name.toUpperCase();
    const option = isOption(instrument);
    const max = option ? MAX_CONTRACTS : MAX_NOTIONAL_USD;
    if (Math.abs(amount) > max) {
      const unit = option ? 'contracts' : 'USD';
      return { ok: false, error: `line ${i + 1}: ${amountText} ${unit} of ${instrument}: a line holds at most ${max.toLocaleString('en-US')} ${unit} (negative = short)` };
    }
    positions.push(price === undefined ? { instrument, amount } : { instrument, amount, averagePrice: price });
  }
  return { ok: true, positions };
}

export function formatPositions(positions: readonly Pick<PositionDto, 'instrument' | 'amount' | 'averagePrice'>[]): string {
  return positions.map((p) => (p.averagePrice === null ? `${p.instrument} ${p.amount}` : `${p.instrument} ${p.amount} ${p.averagePrice}`)).join('\n');
}
