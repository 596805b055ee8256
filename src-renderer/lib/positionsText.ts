/**
 * The positions editor's text format: one `INSTRUMENT AMOUNT` line per position (contracts, negative = short),
 * blank lines and `#` comments skipped. Pure, so the format is tested without a browser.
 */
import type { CommandParams } from '../../src-main/api/contract';
import type { PositionDto } from '../../src-main/api/dto';

type PositionInput = CommandParams<'positions.set'>['positions'][number];

export type ParsedPositions = { ok: true; positions: PositionInput[] } | { ok: false; error: string };

/** The contract's limit on one book line, in contracts. */
const MAX_CONTRACTS = 1_000_000;

export function parsePositions(text: string): ParsedPositions {
  const positions: PositionInput[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [instrument, amountText, ...rest] = line.split(/[\s,;]+/);
    const amount = Number(amountText);
    if (!instrument || amountText === undefined || rest.length > 0 || !Number.isFinite(amount)) {
      return { ok: false, error: `line ${i + 1}: expected "INSTRUMENT AMOUNT", got "${raw.trim()}"` };
    }
    if (Math.abs(amount) > MAX_CONTRACTS) {
      return { ok: false, error: `line ${i + 1}: ${amountText} contracts of ${instrument.toUpperCase()}: a line holds at most ${MAX_CONTRACTS.toLocaleString('en-US')} contracts (negative = short)` };
    }
    // Deribit names are upper case; the host checks the rest of the name.
    positions.push({ instrument: instrument.toUpperCase(), amount });
  }
  return { ok: true, positions };
}

export function formatPositions(positions: readonly PositionDto[]): string {
  return positions.map((p) => `${p.instrument} ${p.amount}`).join('\n');
}
