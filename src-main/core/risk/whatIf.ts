/**
 * A what-if book: a copy of the live book with legs added, removed or resized, for the payoff chart and the
 * scenario matrix. The live book is never changed (its positions are copied, not edited); a leg added on an
 * instrument the book holds is merged into it, and a quantity that nets to zero removes the line.
 */
import type { CheckedPosition } from '../book/position';

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
