/**
 * Which columns the chain shows and in which price unit, chosen in the column picker and kept in localStorage
 * (a per-machine display preference, not part of the book or the sessions).
 */

export type ChainColumnId =
  | 'volume'
  | 'oi'
  | 'gamma'
  | 'vega'
  | 'theta'
  | 'delta'
  | 'iv'
  | 'bidIv'
  | 'bidSize'
  | 'bid'
  | 'mark'
  | 'ask'
  | 'askSize'
  | 'askIv'
  | 'fitVolPoints'
  | 'fitHalfWidths';

export interface ChainColumn {
  id: ChainColumnId;
  /** Header text; the unit is in `title` or in the caption. */
  label: string;
  title: string;
  /** Width it needs, px, to fit the table to the window without cutting columns. */
  width: number;
  /** Higher stays longer when the window is too narrow for every chosen column. */
  priority: number;
  /** Shown until the user chooses otherwise. */
  standard: boolean;
}

/** Greeks and open interest, from the outside of the table in towards the strike (puts mirror them). */
export const OUTER_COLUMNS: readonly ChainColumn[] = [
  {
    id: 'volume',
    label: 'Vol',
    title: 'Volume over the last 24 h, contracts, as the feed reports it (Deribit ticker stats)',
    width: 48,
    priority: 1,
    standard: false,
  },
  { id: 'oi', label: 'OI', title: 'Open interest, contracts (1 contract = 1 coin)', width: 50, priority: 9, standard: true },
  { id: 'gamma', label: 'Γ', title: 'Gamma per USD', width: 70, priority: 8, standard: true },
  { id: 'vega', label: 'Vega', title: 'Vega, USD per 1 vol point', width: 56, priority: 4, standard: false },
  { id: 'theta', label: 'Θ', title: 'Theta, USD per day', width: 62, priority: 3, standard: false },
  { id: 'delta', label: 'Δ', title: 'Delta N(d₁), not premium-adjusted', width: 54, priority: 10, standard: true },
  { id: 'iv', label: 'IV %', title: 'Mark IV as the feed publishes it, %', width: 44, priority: 7, standard: true },
  {
    id: 'fitVolPoints',
    label: 'IV−fit',
    title: 'Mark IV minus the fitted volatility surface (raw SVI of this expiry, the Surface view’s latest fit), vol points',
    width: 50,
    priority: 1,
    standard: false,
  },
  {
    id: 'fitHalfWidths',
    label: 'Mid−fit hw',
    title: 'Mid IV minus the fitted surface in units of the bid/ask IV half-width: beyond ±1 the whole market is off the surface',
    width: 56,
    priority: 1,
    standard: false,
  },
];

/** Quotes, in the same order on both sides (bid left of ask). */
export const INNER_COLUMNS: readonly ChainColumn[] = [
  { id: 'bidIv', label: 'Bid IV', title: 'Implied vol of the bid price (GammaDesk), %', width: 46, priority: 5, standard: true },
  { id: 'bidSize', label: 'Bid size', title: 'Size at the best bid, contracts', width: 54, priority: 2, standard: false },
  { id: 'bid', label: 'Bid', title: 'Best bid', width: 58, priority: 11, standard: true },
  { id: 'mark', label: 'Mark', title: 'Mark price', width: 58, priority: 12, standard: true },
  { id: 'ask', label: 'Ask', title: 'Best ask', width: 58, priority: 11, standard: true },
  { id: 'askSize', label: 'Ask size', title: 'Size at the best ask, contracts', width: 54, priority: 2, standard: false },
  { id: 'askIv', label: 'Ask IV', title: 'Implied vol of the ask price (GammaDesk), %', width: 46, priority: 5, standard: true },
];

export const ALL_COLUMNS: readonly ChainColumn[] = [...OUTER_COLUMNS, ...INNER_COLUMNS];
/** The strike column and the table's borders. */
const FIXED_WIDTH = 86;

export type PriceUnit = 'coin' | 'usd';

interface Stored {
  columns: ChainColumnId[];
  priceUnit: PriceUnit;
}

const KEY = 'gammadesk.chain.columns';

export class ChainColumns {
  /** The columns the user chose (each shown on both sides). */
  chosen = $state<ChainColumnId[]>(ALL_COLUMNS.filter((c) => c.standard).map((c) => c.id));
  priceUnit = $state<PriceUnit>('coin');

  constructor(private readonly storage: Storage | null = typeof localStorage === 'undefined' ? null : localStorage) {
    const saved = this.#read();
    if (saved) {
      this.chosen = saved.columns.filter((id) => ALL_COLUMNS.some((c) => c.id === id));
      this.priceUnit = saved.priceUnit === 'usd' ? 'usd' : 'coin';
    }
  }

  has(id: ChainColumnId): boolean {
    return this.chosen.includes(id);
  }

  toggle(id: ChainColumnId): void {
    this.chosen = this.has(id) ? this.chosen.filter((c) => c !== id) : [...this.chosen, id];
    this.#save();
  }

  setPriceUnit(unit: PriceUnit): void {
    this.priceUnit = unit;
    this.#save();
  }

  /**
   * The chosen columns that fit `width` px with both sides shown: the lowest-priority ones are left out first
   * (and listed, so the table says what it hides) instead of being cut off at the window's edge.
   */
  fit(width: number): { shown: ChainColumnId[]; hidden: ChainColumn[] } {
    const chosen = ALL_COLUMNS.filter((c) => this.has(c.id));
    const byPriority = [...chosen].sort((a, b) => a.priority - b.priority);
    let needed = FIXED_WIDTH + 2 * chosen.reduce((sum, c) => sum + c.width, 0);
    const hidden: ChainColumn[] = [];
    for (const column of byPriority) {
      if (needed <= width || chosen.length - hidden.length <= 3) break;
      hidden.push(column);
      needed -= 2 * column.width;
    }
    return { shown: chosen.filter((c) => !hidden.includes(c)).map((c) => c.id), hidden };
  }

  #read(): Stored | null {
    try {
      const text = this.storage?.getItem(KEY);
      const value = text ? (JSON.parse(text) as Partial<Stored>) : null;
      return value && Array.isArray(value.columns) ? { columns: value.columns, priceUnit: value.priceUnit ?? 'coin' } : null;
    } catch {
      return null; // a hand-edited or foreign value: start from the standard columns
    }
  }

  #save(): void {
    this.storage?.setItem(KEY, JSON.stringify({ columns: this.chosen, priceUnit: this.priceUnit } satisfies Stored));
  }
}
