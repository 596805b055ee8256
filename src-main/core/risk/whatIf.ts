/**
 * A what-if book: a copy of the live book with legs added, removed or resized, for the payoff chart and the
 * scenario matrix. The live book is never changed (its positions are copied, not edited); a leg added on an
 * instrument the book holds is merged into it, and a quantity that nets to zero removes the line.
 */
import { checkPosition, priceCurrencyOf, type BookPosition, type CheckedPosition } from '../book/position';
import { parseInstrumentName } from '../pricing/instrument';

export interface WhatIfEdits {
  /** Legs to add (merged with a line on the same instrument: quantities add). */
  add?: readonly CheckedPosition[];
  /** Instruments to take out entirely. */
  remove?: readonly string[];
}

export function whatIfBook(book: readonly CheckedPosition[], edits: WhatIfEdits): CheckedPosition[] {
  const removed = new Set(edits.remove ?? []);
  const lines = new Map<string, CheckedPosition>();
  for (const position of book) if (!removed.has(position.instrument)) lines.set(position.instrument, { ...position });
  for (const leg of edits.add ?? []) {
    const line = lines.get(leg.instrument);
    if (line) line.quantity += leg.quantity;
    else lines.set(leg.instrument, { ...leg });
  }
  return [...lines.values()].filter((p) => p.quantity !== 0);
}

/** A line of a what-if book as the trader typed it (the positions editor's `INSTRUMENT QUANTITY [AVG]`). */
export interface WhatIfLine {
  instrument: string;
  /** Contracts for options, USD notional for futures and perpetuals. */
  amount: number;
  averagePrice?: number;
}

export interface WhatIfLinesResult {
  positions: CheckedPosition[];
  /** Lines left out, by their 1-based line number, with the reason in a trader's words. */
  refused: { line: number; instrument: string; reason: string }[];
}

/**
 * The what-if book from the trader's lines, each checked like a line of the real book (`problem`: the instrument
 * is listed, not expired, a whole number of lots, …) and refused by its line number when it is not; the good lines
 * are kept. A zero quantity is a removed leg (skipped, not an error); an instrument listed twice keeps its first line.
 */
export function checkWhatIfLines(lines: readonly WhatIfLine[], problem: (position: BookPosition) => string | null): WhatIfLinesResult {
  const positions: CheckedPosition[] = [];
  const refused: WhatIfLinesResult['refused'] = [];
  const firstLine = new Map<string, number>();
  lines.forEach((line, i) => {
    const number = i + 1;
    if (line.amount === 0) return;
    const seen = firstLine.get(line.instrument);
    if (seen !== undefined) {
      refused.push({ line: number, instrument: line.instrument, reason: `${line.instrument} is already on line ${seen}` });
      return;
    }
    let parsed;
    try {
      parsed = parseInstrumentName(line.instrument);
    } catch (error) {
      refused.push({ line: number, instrument: line.instrument, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    const position: BookPosition = { instrument: line.instrument, quantity: line.amount, averagePrice: line.averagePrice ?? null, priceCurrency: priceCurrencyOf(parsed) };
    const reason = problem(position);
    const checked = reason === null ? checkPosition(position, null) : null;
    if (checked?.ok) {
      firstLine.set(line.instrument, number);
      positions.push(checked.position);
    } else refused.push({ line: number, instrument: line.instrument, reason: reason ?? (checked && !checked.ok ? checked.reason : 'refused') });
  });
  return { positions, refused };
}
